/** The engine's SQL, the same on every dialect, and typed helpers to run statements. */

import type { AgentStatus } from '../../mesh/agent.js';
import { type AgentColumns, type Connection, type Params, type Statement, statement } from '../dialect.js';
import { type Io, perform } from './io.js';
import type { StoredRow } from './stored-row.js';

/** Runs `sql` and answers its rows. */
export function* rows<P extends Params, R>(tx: Connection, sql: Statement<P, R>, params: P): Io<R[]> {
  return yield* perform(() => tx.query(sql, params));
}

/** Runs `sql` and answers its first row, if any. */
export function* firstRow<P extends Params, R>(
  tx: Connection,
  sql: Statement<P, R>,
  params: P,
): Io<R | undefined> {
  return (yield* rows(tx, sql, params))[0];
}

/** Runs a command without parameters (transaction control). */
export function* execute(tx: Connection, sql: string): Io<void> {
  yield* perform(() => tx.execute(sql));
}

type Revision = { revision: number };
type HeartbeatParams = { status: AgentStatus; at: number; rv: string; revision: number; id: string };

export const READ_REVISION = statement<Params, Revision>(
  'readRevision',
  'SELECT revision FROM mesh_state WHERE id = 1',
);

export const BUMP_REVISION = statement<Params, Revision>(
  'bumpRevision',
  'UPDATE mesh_state SET revision = revision + 1 WHERE id = 1 RETURNING revision',
);

export const DELETE_TOMBSTONE = statement<{ id: string }, never>(
  'deleteTombstone',
  'DELETE FROM mesh_tombstones WHERE id = $id',
);

// topology_at as mesh/status.ts's topologyAtAfterHeartbeat says, decided on the row itself.
const HEARTBEAT_UPDATE = `UPDATE mesh_agents
  SET status = $status, last_heartbeat = $at, updated_at = $at, resource_version = $rv, revision = $revision,
    topology_at = CASE WHEN status = $status THEN topology_at ELSE $at END
  WHERE id = $id`;

export const HEARTBEAT = statement<HeartbeatParams, StoredRow>(
  'heartbeat',
  `${HEARTBEAT_UPDATE} RETURNING *`,
);

/** The same, when the transaction already knows the rest of the agent. */
export const HEARTBEAT_COLUMNS = statement<HeartbeatParams, { topology_at: number }>(
  'heartbeatColumns',
  `${HEARTBEAT_UPDATE} RETURNING topology_at`,
);

export const STATUS = statement<
  {
    to: AgentStatus;
    at: number;
    rv: string;
    revision: number;
    id: string;
    from: AgentStatus;
    last_heartbeat: number | null;
  },
  StoredRow
>(
  'status',
  `UPDATE mesh_agents
    SET status = $to, updated_at = $at, resource_version = $rv, revision = $revision, topology_at = $at
    WHERE id = $id AND status = $from AND last_heartbeat IS NOT DISTINCT FROM $last_heartbeat RETURNING *`,
);

export const DELETE = statement<{ id: string }, { id: string }>(
  'delete',
  'DELETE FROM mesh_agents WHERE id = $id RETURNING id',
);

export const DELETE_IF = statement<{ id: string; status: AgentStatus; updated_at: number }, { id: string }>(
  'deleteIf',
  'DELETE FROM mesh_agents WHERE id = $id AND status = $status AND updated_at = $updated_at RETURNING id',
);

export const INSERT_TOMBSTONE = statement<{ id: string; revision: number }, never>(
  'insertTombstone',
  `INSERT INTO mesh_tombstones (id, revision) VALUES ($id, $revision)
    ON CONFLICT (id) DO UPDATE SET revision = excluded.revision`,
);

export const SELECT_CHANGED = statement<{ since: number }, StoredRow>(
  'selectChanged',
  'SELECT * FROM mesh_agents WHERE revision > $since ORDER BY seq',
);

export const SELECT_DELETED = statement<{ since: number }, { id: string; revision: number }>(
  'selectDeleted',
  'SELECT id, revision FROM mesh_tombstones WHERE revision > $since',
);

/**
 * A registration: inserts the agent, or updates it keeping `created_at` and `seq`. The dialect
 * says how the row gets its `seq` and how to tell an insert from an update (`is_new`).
 */
export function upsertAgentStatement<P extends AgentColumns, IsNew>(expressions: {
  seq: string;
  isNew: string;
}): Statement<P, { created_at: number; seq: number; is_new: IsNew }> {
  return statement(
    'upsert',
    `INSERT INTO mesh_agents
      (id, seq, name, namespace, status, created_at, updated_at, resource_version, last_heartbeat, revision,
       topology_at, doc)
    VALUES ($id, ${expressions.seq}, $name, $namespace, $status, $created_at, $updated_at, $resource_version,
      $last_heartbeat, $revision, $topology_at, $doc)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, namespace = excluded.namespace, status = excluded.status,
      updated_at = excluded.updated_at, resource_version = excluded.resource_version,
      last_heartbeat = excluded.last_heartbeat, revision = excluded.revision, topology_at = excluded.topology_at,
      doc = excluded.doc
    RETURNING created_at, seq, ${expressions.isNew} AS is_new`,
  );
}
