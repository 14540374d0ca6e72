/**
 * The store's writes, each typed from its arguments to its result, run inside a batch in two
 * phases: {@link WriteOperation.send} puts all of the op's statements on the connection without
 * waiting for any answer, and the step it returns reads their answers and builds the op's
 * changes. So a whole batch can be sent before its first answer is read.
 */

import type { AgentRecord, AgentStatus } from '../../mesh/agent.js';
import type { StatusChange } from '../../mesh/status.js';
import { resourceVersionOf } from '../../shared/clock.js';
import { toAgentDocument } from '../agent-document.js';
import { toColumnText } from '../column-text.js';
import type { Dialect, Params, UpsertedAgent } from '../dialect.js';
import type { BatchEffects, SnapshotEffect } from './batch-effects.js';
import type { Io, Sent } from './io.js';
import type { Pipeline } from './pipeline.js';
import { DELETE, DELETE_IF, DELETE_TOMBSTONE, type Deletion, HEARTBEAT, STATUS } from './statements.js';
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

export function upsertAgent(agent: AgentRecord): WriteOperation<{ agent: AgentRecord; isNew: boolean }> {
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
        doc: toAgentDocument(agent),
      });
      const untombstoned = pipe.send(DELETE_TOMBSTONE, { id });
      return (context) => receiveUpsert(context, agent, upserted, untombstoned);
    },
  };
}

function* receiveUpsert(
  { batch, effect }: ReceiveContext,
  agent: AgentRecord,
  upserted: Sent<UpsertedAgent>,
  untombstoned: Sent<unknown>,
): Io<{ agent: AgentRecord; isNew: boolean }> {
  const row = yield* upserted.receive();
  yield* untombstoned.receive();
  const stored = { ...agent, createdAt: row.createdAt };
  effect.changed.push({ record: stored, seq: row.seq, revision: batch.revision });
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
      const updates = changes.map((change) =>
        pipe.send(STATUS, {
          to: change.toStatus,
          at: change.at,
          rv: resourceVersionOf(change.at),
          id: toColumnText(change.id),
          from: change.fromStatus,
          last_heartbeat: change.lastHeartbeat,
        }),
      );
      return (context) => receiveStatusChanges(context, changes, updates);
    },
  };
}

function* receiveStatusChanges(
  { effect }: ReceiveContext,
  changes: readonly StatusChange[],
  updates: readonly Sent<StoredRow[]>[],
): Io<StatusChange[]> {
  const applied: StatusChange[] = [];
  for (const [index, update] of updates.entries()) {
    const row = (yield* update.receive())[0];
    if (row === undefined) continue;
    effect.changed.push(storedAgent(row));
    applied.push(changes[index]!);
  }
  return applied;
}

export function deleteAgent(
  agentId: string,
  onlyIf: { status: AgentStatus; updatedAt: number } | undefined,
): WriteOperation<boolean> {
  return {
    isIsolated: true,
    send({ pipe }) {
      const id = toColumnText(agentId);
      const [tombstoned, deleted] = onlyIf
        ? sendDeletion(pipe, DELETE_IF, { id, status: onlyIf.status, updated_at: onlyIf.updatedAt })
        : sendDeletion(pipe, DELETE, { id });
      return (context) => receiveDeletion(context, agentId, tombstoned, deleted);
    },
  };
}

function* receiveDeletion(
  { batch, effect }: ReceiveContext,
  agentId: string,
  tombstoned: Sent<unknown>,
  deleted: Sent<unknown[]>,
): Io<boolean> {
  yield* tombstoned.receive();
  if ((yield* deleted.receive()).length === 0) return false;
  effect.deleted.push({ id: agentId, revision: batch.revision });
  return true;
}

function sendDeletion<P extends Params>(pipe: Pipeline, deletion: Deletion<P>, params: P) {
  return [pipe.send(deletion.tombstone, params), pipe.send(deletion.row, params)] as const;
}
