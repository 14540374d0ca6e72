/** The store's writes, each typed from its arguments to its result, run inside a batch. */

import type { AgentRecord, AgentStatus } from '../../mesh/agent.js';
import type { StatusChange } from '../../mesh/status.js';
import { resourceVersionOf } from '../../shared/clock.js';
import { toAgentDocument } from '../agent-document.js';
import { toColumnText } from '../column-text.js';
import type { Connection, Dialect } from '../dialect.js';
import type { BatchEffects, SnapshotEffect } from './batch-effects.js';
import type { Io } from './io.js';
import {
  DELETE,
  DELETE_IF,
  DELETE_TOMBSTONE,
  firstRow,
  HEARTBEAT,
  HEARTBEAT_COLUMNS,
  INSERT_TOMBSTONE,
  rows,
  STATUS,
} from './statements.js';
import { heartbeatApplied, storedAgent } from './stored-row.js';

/** Where an op runs: its transaction, and the batch's changes so far. */
export interface WriteContext {
  readonly tx: Connection;
  readonly dialect: Dialect;
  readonly batch: BatchEffects;
  /** This op's changes; the batch takes them only if the op succeeds. */
  readonly effect: SnapshotEffect;
}

export interface WriteOperation<R> {
  /**
   * Runs in its own savepoint, so that its failure (a constraint) cannot take the other ops of
   * the batch down. Ops whose statements have nothing to violate skip that cost.
   */
  readonly isIsolated: boolean;
  run(context: WriteContext): Io<R>;
}

export function upsertAgent(agent: AgentRecord): WriteOperation<{ agent: AgentRecord; isNew: boolean }> {
  return {
    isIsolated: true,
    *run({ tx, dialect, batch, effect }) {
      const { revision } = batch;
      const id = toColumnText(agent.id);
      const row = yield* dialect.upsertAgent(tx, {
        id,
        name: toColumnText(agent.name),
        namespace: toColumnText(agent.namespace),
        status: agent.status,
        created_at: agent.createdAt,
        updated_at: agent.updatedAt,
        resource_version: agent.resourceVersion,
        last_heartbeat: agent.lastHeartbeat,
        revision,
        topology_at: agent.topologyAt,
        doc: toAgentDocument(agent),
      });
      yield* rows(tx, DELETE_TOMBSTONE, { id });
      const stored = { ...agent, createdAt: row.createdAt };
      effect.changed.push({ record: stored, seq: row.seq, revision });
      return { agent: stored, isNew: row.isNew };
    },
  };
}

export function recordHeartbeat(
  id: string,
  at: number,
  status: AgentStatus,
): WriteOperation<AgentRecord | undefined> {
  return {
    isIsolated: false,
    *run({ tx, batch, effect }) {
      const { revision } = batch;
      const params = { status, at, rv: resourceVersionOf(at), revision, id: toColumnText(id) };
      const known = batch.current(id);
      if (known !== undefined) {
        // The transaction knows the agent: update its columns, read back only topology_at.
        const row = yield* firstRow(tx, HEARTBEAT_COLUMNS, params);
        if (row === undefined) return undefined;
        const change = { status, at, resourceVersion: params.rv, topologyAt: Number(row.topology_at) };
        const updated = heartbeatApplied(known, change, revision);
        effect.changed.push(updated);
        return updated.record;
      }
      const row = yield* firstRow(tx, HEARTBEAT, params);
      if (row === undefined) return undefined;
      const updated = storedAgent(row);
      effect.changed.push(updated);
      return updated.record;
    },
  };
}

export function applyStatusChanges(changes: readonly StatusChange[]): WriteOperation<StatusChange[]> {
  return {
    isIsolated: false,
    *run({ tx, batch, effect }) {
      const applied: StatusChange[] = [];
      for (const change of changes) {
        const row = yield* firstRow(tx, STATUS, {
          to: change.toStatus,
          at: change.at,
          rv: resourceVersionOf(change.at),
          revision: batch.revision,
          id: toColumnText(change.id),
          from: change.fromStatus,
          last_heartbeat: change.lastHeartbeat,
        });
        if (row === undefined) continue;
        effect.changed.push(storedAgent(row));
        applied.push(change);
      }
      return applied;
    },
  };
}

export function deleteAgent(
  agentId: string,
  onlyIf: { status: AgentStatus; updatedAt: number } | undefined,
): WriteOperation<boolean> {
  return {
    isIsolated: true,
    *run({ tx, batch, effect }) {
      const { revision } = batch;
      const id = toColumnText(agentId);
      const deleted = onlyIf
        ? yield* rows(tx, DELETE_IF, { id, status: onlyIf.status, updated_at: onlyIf.updatedAt })
        : yield* rows(tx, DELETE, { id });
      if (deleted.length === 0) return false;
      yield* rows(tx, INSERT_TOMBSTONE, { id, revision });
      effect.deleted.push({ id: agentId, revision });
      return true;
    },
  };
}
