/**
 * The store's writes, each typed from its arguments to its result, run inside a batch in two
 * phases: {@link WriteOperation.send} puts all of the op's statements on the connection without
 * waiting for any answer, and the step it returns reads their answers and builds the op's
 * changes. So a whole batch can be sent before its first answer is read.
 */

import type { AgentRecord, AgentStatus } from '../../mesh/agent.js';
import { type MeshEvent, sortedData } from '../../mesh/events.js';
import type { SchemaEntry } from '../../mesh/schema-entry.js';
import type { StatusChange } from '../../mesh/status.js';
import { resourceVersionOf } from '../../shared/clock.js';
import { toAgentDocument } from '../agent-document.js';
import { toColumnText } from '../column-text.js';
import type { Dialect, Params, UpsertedAgent } from '../dialect.js';
import type { UpsertOutcome } from '../registry-store.js';
import type { BatchEffects, SnapshotEffect } from './batch-effects.js';
import type { Io, Sent } from './io.js';
import {
  type EventColumns,
  INSERT_EVENT,
  INSERT_EVENT_IF_AGENT,
  INSERT_EVENT_IF_CHANGED,
  INSERT_EVENT_IF_WRITTEN,
  INSERT_SCHEMA,
  TRIM_EVENTS,
} from './log-statements.js';
import type { Pipeline } from './pipeline.js';
import {
  DELETE,
  DELETE_IF,
  DELETE_TOMBSTONE,
  type Deletion,
  HEARTBEAT,
  SET_DRAINING,
  STATUS,
  TOUCH_TOPOLOGY,
} from './statements.js';
import { heartbeatApplied, type StoredRow, storedAgent } from './stored-row.js';

/** What the heartbeat statement answers: the row, its document only when asked for. */
type HeartbeatRow = Omit<StoredRow, 'doc'> & { doc: string | null };

/** Where an op sends its statements. */
export interface SendContext {
  readonly pipe: Pipeline;
  readonly dialect: Dialect;
  /**
   * The revision the transaction will have if, at that revision, the engine knows the agent as
   * the database has it at this point of the transaction (its snapshot and the batch's earlier
   * changes); -1 when it will not.
   */
  knownAt(id: string): number;
}

/** Where an op's answers go: the batch's changes so far, and the op's own. */
export interface ReceiveContext {
  readonly batch: BatchEffects;
  /** This op's changes; the batch takes them only if the op succeeds. */
  readonly effect: SnapshotEffect;
}

/**
 * An op's second phase: reads the answers of the statements it sent, in order.
 *
 * Each is an arrow that calls a generator function declared once at the top of its module, never
 * a `function*` written inside `send`: every generator function created anew gets its own
 * prototype and, on its first call, a new hidden class allocated straight in the old generation.
 * One per write made the 10,000-agent scale test collect its old generation every few seconds
 * (docs/benchmarks.md).
 */
export type Receive<R> = (context: ReceiveContext) => Io<R>;

export interface WriteOperation<R> {
  /**
   * Can fail alone (a constraint): when a batch fails, the careful retry runs it in its own
   * savepoint, so that it cannot take the other ops of the batch down. Ops whose statements have
   * nothing to violate skip that cost.
   */
  readonly isIsolated: boolean;
  /**
   * Sends every statement of the op, none waiting for another's answer (the parameters of none
   * depend on one), and returns the step that reads them.
   */
  send(context: SendContext): Receive<R>;
}

/** What a write records beside the agent, in the same transaction. */
export interface WriteRecords {
  readonly events?: readonly MeshEvent[] | undefined;
  readonly schemas?: readonly SchemaEntry[] | undefined;
}

export function eventColumns(event: MeshEvent): EventColumns {
  return {
    event_type: event.type,
    agent_id: toColumnText(event.agentId),
    agent_name: toColumnText(event.agentName),
    function_name: toColumnText(event.functionName),
    at: event.at,
    data: event.dataText ?? JSON.stringify(sortedData(event.data)),
  };
}

/** Sends the records' inserts; the op reads their answers (no rows), so a failure is its own. */
function sendRecords(
  pipe: Pipeline,
  records: WriteRecords,
  insertEvent: typeof INSERT_EVENT = INSERT_EVENT,
): Sent<unknown>[] {
  const sent: Sent<unknown>[] = [];
  for (const event of records.events ?? []) sent.push(pipe.send(insertEvent, eventColumns(event)));
  for (const schema of records.schemas ?? []) {
    sent.push(
      pipe.send(INSERT_SCHEMA, {
        hash: toColumnText(schema.hash),
        canonical: schema.canonical,
        runtime_origin: toColumnText(schema.runtimeOrigin),
        created_at: schema.createdAt,
      }),
    );
  }
  return sent;
}

/** Reads answers that carry no rows, in order (a failed statement throws here). */
function* receiveAll(sent: readonly (Sent<unknown> | undefined)[]): Io<void> {
  for (const one of sent) if (one !== undefined) yield* one.receive();
}

export function upsertAgent(agent: AgentRecord, records: WriteRecords = {}): WriteOperation<UpsertOutcome> {
  return {
    isIsolated: true,
    send({ pipe, dialect }) {
      const id = toColumnText(agent.id);
      const upserted = dialect.sendUpsert(pipe, {
        id,
        name: toColumnText(agent.name),
        namespace: toColumnText(agent.namespace),
        status: agent.status,
        created_at: agent.createdAt,
        updated_at: agent.updatedAt,
        resource_version: agent.resourceVersion,
        last_heartbeat: agent.lastHeartbeat,
        topology_at: agent.topologyAt,
        entity_id: toColumnText(agent.current?.entityId ?? ''),
        doc: toAgentDocument(agent),
      });
      const untombstoned = pipe.send(DELETE_TOMBSTONE, { id });
      // Its events only if the row was written (the upsert is refused for a foreign entity).
      const recorded = sendRecords(pipe, records, INSERT_EVENT_IF_WRITTEN);
      return (context) => receiveUpsert(context, agent, upserted, untombstoned, recorded);
    },
  };
}

function* receiveUpsert(
  { batch, effect }: ReceiveContext,
  agent: AgentRecord,
  upserted: Sent<UpsertedAgent>,
  untombstoned: Sent<unknown>,
  recorded: readonly Sent<unknown>[],
): Io<UpsertOutcome> {
  const row = yield* upserted.receive();
  yield* untombstoned.receive();
  yield* receiveAll(recorded);
  // Refused (nothing written): the snapshot learns the owner's row from the next pull.
  if (row === undefined) return { refused: 'entity_mismatch' };
  const stored = { ...agent, createdAt: row.createdAt };
  effect.changed.push({ record: stored, seq: row.seq, revision: batch.revision });
  // A registration the database already had (every full heartbeat is one) is judged by its status.
  if (row.isNew) {
    effect.marks ??= new Map();
    effect.marks.set(stored.id, 'registered');
  }
  return { agent: stored, isNew: row.isNew };
}

export function recordHeartbeat(
  id: string,
  at: number,
  status: AgentStatus,
): WriteOperation<AgentRecord | undefined> {
  return {
    isIsolated: false,
    send({ pipe, knownAt }) {
      const rv = resourceVersionOf(at);
      const updated = pipe.send(HEARTBEAT, { status, at, rv, id: toColumnText(id), expected: knownAt(id) });
      return (context) => receiveHeartbeat(context, id, { status, at, resourceVersion: rv }, updated);
    },
  };
}

function* receiveHeartbeat(
  { batch, effect }: ReceiveContext,
  id: string,
  beat: { status: AgentStatus; at: number; resourceVersion: string },
  updated: Sent<HeartbeatRow[]>,
): Io<AgentRecord | undefined> {
  const row = (yield* updated.receive())[0];
  if (row === undefined) return undefined;
  // Known to the transaction: its columns changed, the rest is the agent in memory (no document
  // to parse). Otherwise the row, whose document then came along.
  const known = batch.current(id);
  let stored: ReturnType<typeof storedAgent>;
  if (known !== undefined) {
    stored = heartbeatApplied(known, { ...beat, topologyAt: Number(row.topology_at) }, batch.revision);
  } else if (row.doc !== null) {
    stored = storedAgent({ ...row, doc: row.doc });
  } else {
    // Cannot happen while knownAt() and batch.current() agree; the careful retry reads again.
    throw new Error(`heartbeat of ${id}: the database left out a document the batch does not know`);
  }
  effect.changed.push(stored);
  return stored.record;
}

export function applyStatusChanges(changes: readonly StatusChange[]): WriteOperation<StatusChange[]> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const updates = changes.map((change) => {
        const row = pipe.send(STATUS, {
          to: change.toStatus,
          at: change.at,
          rv: resourceVersionOf(change.at),
          id: toColumnText(change.id),
          from: change.fromStatus,
          last_heartbeat: change.lastHeartbeat,
        });
        const event =
          change.event === undefined
            ? undefined
            : pipe.send(INSERT_EVENT_IF_CHANGED, { ...eventColumns(change.event), status: change.toStatus });
        return { row, event };
      });
      return (context) => receiveStatusChanges(context, changes, updates);
    },
  };
}

function* receiveStatusChanges(
  { effect }: ReceiveContext,
  changes: readonly StatusChange[],
  updates: readonly { row: Sent<StoredRow[]>; event: Sent<unknown> | undefined }[],
): Io<StatusChange[]> {
  const applied: StatusChange[] = [];
  for (const [index, update] of updates.entries()) {
    const row = (yield* update.row.receive())[0];
    yield* receiveAll([update.event]);
    if (row === undefined) continue;
    effect.changed.push(storedAgent(row));
    const change = changes[index]!;
    if (change.event?.type === 'unregister') {
      effect.marks ??= new Map();
      effect.marks.set(change.id, 'deregistered');
    }
    applied.push(change);
  }
  return applied;
}

export function deleteAgent(
  agentId: string,
  onlyIf: { status: AgentStatus; updatedAt: number } | undefined,
  event: MeshEvent | undefined,
): WriteOperation<boolean> {
  return {
    isIsolated: true,
    send({ pipe }) {
      const id = toColumnText(agentId);
      const logged = event === undefined ? undefined : pipe.send(INSERT_EVENT_IF_AGENT, eventColumns(event));
      const [tombstoned, deleted] = onlyIf
        ? sendDeletion(pipe, DELETE_IF, { id, status: onlyIf.status, updated_at: onlyIf.updatedAt })
        : sendDeletion(pipe, DELETE, { id });
      return (context) => receiveDeletion(context, agentId, logged, tombstoned, deleted);
    },
  };
}

function* receiveDeletion(
  { batch, effect }: ReceiveContext,
  agentId: string,
  logged: Sent<unknown> | undefined,
  tombstoned: Sent<unknown>,
  deleted: Sent<unknown[]>,
): Io<boolean> {
  yield* receiveAll([logged, tombstoned]);
  if ((yield* deleted.receive()).length === 0) return false;
  effect.deleted.push({ id: agentId, revision: batch.revision });
  return true;
}

function sendDeletion<P extends Params>(pipe: Pipeline, deletion: Deletion<P>, params: P) {
  return [pipe.send(deletion.tombstone, params), pipe.send(deletion.row, params)] as const;
}

/** Events that belong to no agent write (resolution decisions), and the log's cap. */
export function appendEvents(events: readonly MeshEvent[], keep: number | undefined): WriteOperation<void> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const sent = sendRecords(pipe, { events });
      if (keep !== undefined) sent.push(pipe.send(TRIM_EVENTS, { keep }));
      return () => receiveAll(sent);
    },
  };
}

/**
 * Asks healthy agents to register again (a certificate rotation): their topology time moves to
 * `at`, with one `rotate` event for each agent that was still healthy. Resolves to their ids.
 */
export function rotateAgents(
  rotations: readonly { id: string; event: MeshEvent }[],
  at: number,
): WriteOperation<string[]> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const rv = resourceVersionOf(at);
      const updates = rotations.map(({ id, event }) => ({
        row: pipe.send(TOUCH_TOPOLOGY, { id: toColumnText(id), at, rv }),
        event: pipe.send(INSERT_EVENT_IF_CHANGED, { ...eventColumns({ ...event, at }), status: 'healthy' }),
      }));
      return (context) => receiveRotations(context, updates);
    },
  };
}

function* receiveRotations(
  { effect }: ReceiveContext,
  updates: readonly { row: Sent<StoredRow[]>; event: Sent<unknown> }[],
): Io<string[]> {
  const rotated: string[] = [];
  for (const update of updates) {
    const row = (yield* update.row.receive())[0];
    yield* update.event.receive();
    if (row === undefined) continue;
    const stored = storedAgent(row);
    effect.changed.push(stored);
    rotated.push(stored.record.id);
  }
  return rotated;
}

/** Sets the registry-wide drain flag. */
export function setDraining(draining: boolean): WriteOperation<void> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const set = pipe.send(SET_DRAINING, { draining: draining ? 1 : 0 });
      return () => receiveAll([set]);
    },
  };
}
