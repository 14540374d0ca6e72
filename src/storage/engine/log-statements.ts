/**
 * The SQL of the event log and the schema catalogue, the same on every dialect. Their rows are not
 * part of the snapshot: they are written in the batches of the agent writes they belong to and
 * read from the database when asked for, so every replica serves what any replica wrote.
 */

import type { AgentStatus } from '../../mesh/agent.js';
import type { EventType, StoredEvent } from '../../mesh/events.js';
import type { SchemaEntry } from '../../mesh/schema-entry.js';
import { fromColumnText } from '../column-text.js';
import { statement } from '../dialect.js';
import { REVISION } from './statements.js';

/** The columns an event is written with (text columns already escaped, `data` as JSON text). */
export type EventColumns = {
  event_type: string;
  agent_id: string;
  agent_name: string;
  function_name: string;
  at: number;
  data: string;
};

const EVENT_INSERT = `INSERT INTO mesh_events (event_type, agent_id, agent_name, function_name, at, data)`;
const EVENT_VALUES = '$event_type, $agent_id, $agent_name, $function_name, $at, $data';

export const INSERT_EVENT = statement<EventColumns, never>(
  'insertEvent',
  `${EVENT_INSERT} VALUES (${EVENT_VALUES})`,
);

/** An event about an agent that exists at this point of the transaction (sent before its deletion). */
export const INSERT_EVENT_IF_AGENT = statement<EventColumns, never>(
  'insertEventIfAgent',
  `${EVENT_INSERT} SELECT ${EVENT_VALUES} FROM mesh_agents WHERE id = $agent_id`,
);

/**
 * An event of a registration, written only if this transaction wrote the agent's row (a
 * registration refused for its entity writes none; the row then has an older revision).
 */
export const INSERT_EVENT_IF_WRITTEN = statement<EventColumns, never>(
  'insertEventIfWritten',
  `${EVENT_INSERT} SELECT ${EVENT_VALUES} FROM mesh_agents WHERE id = $agent_id AND revision = ${REVISION}`,
);

/**
 * An event about a status change, written only if this transaction applied it (sent after the
 * conditional update; the row then carries this transaction's revision and the new status).
 */
export const INSERT_EVENT_IF_CHANGED = statement<EventColumns & { status: AgentStatus }, never>(
  'insertEventIfChanged',
  `${EVENT_INSERT} SELECT ${EVENT_VALUES} FROM mesh_agents
    WHERE id = $agent_id AND status = $status AND updated_at = $at AND revision = ${REVISION}`,
);

type EventRow = EventColumns & { id: number | string };

/** Newest first; an absent filter (null) matches every row. */
export const SELECT_EVENTS = statement<
  { event_type: string | null; agent_id: string | null; function_name: string | null; limit: number },
  EventRow
>(
  'selectEvents',
  `SELECT id, event_type, agent_id, agent_name, function_name, at, data FROM mesh_events
    WHERE (CAST($event_type AS TEXT) IS NULL OR event_type = $event_type)
      AND (CAST($agent_id AS TEXT) IS NULL OR agent_id = $agent_id)
      AND (CAST($function_name AS TEXT) IS NULL OR function_name = $function_name)
    ORDER BY id DESC LIMIT $limit`,
);

/** Keeps the newest `$keep` events (ids only grow; gaps only make fewer rows remain). */
export const TRIM_EVENTS = statement<{ keep: number }, never>(
  'trimEvents',
  'DELETE FROM mesh_events WHERE id <= (SELECT max(id) FROM mesh_events) - $keep',
);

export function storedEvent(row: EventRow): StoredEvent {
  return {
    id: Number(row.id),
    type: row.event_type as EventType,
    agentId: fromColumnText(row.agent_id),
    agentName: fromColumnText(row.agent_name),
    functionName: fromColumnText(row.function_name),
    at: Number(row.at),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

type SchemaRow = { hash: string; canonical: string; runtime_origin: string; created_at: number | string };

/** A schema is kept as first received: a hash already known changes nothing. */
export const INSERT_SCHEMA = statement<
  { hash: string; canonical: string; runtime_origin: string; created_at: number },
  never
>(
  'insertSchema',
  `INSERT INTO mesh_schemas (hash, canonical, runtime_origin, created_at)
    VALUES ($hash, $canonical, $runtime_origin, $created_at) ON CONFLICT (hash) DO NOTHING`,
);

export const SELECT_SCHEMAS = statement<{ limit: number }, SchemaRow>(
  'selectSchemas',
  'SELECT hash, canonical, runtime_origin, created_at FROM mesh_schemas ORDER BY created_at DESC, hash LIMIT $limit',
);

export const SELECT_SCHEMA = statement<{ hash: string }, SchemaRow>(
  'selectSchema',
  'SELECT hash, canonical, runtime_origin, created_at FROM mesh_schemas WHERE hash = $hash',
);

export function storedSchema(row: SchemaRow): SchemaEntry {
  return {
    hash: fromColumnText(row.hash),
    canonical: row.canonical,
    runtimeOrigin: fromColumnText(row.runtime_origin),
    createdAt: Number(row.created_at),
  };
}
