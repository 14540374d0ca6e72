/**
 * What the SQLite and PostgreSQL stores share: reads answer from the in-memory snapshot, writes are
 * group-committed by a {@link WriteBatcher}, and a {@link SnapshotSync} pulls other processes'
 * commits. Each dialect supplies the SQL side: running a batch, pulling changes, closing.
 */

import type { AgentRecord, AgentStatus } from '../mesh/agent.js';
import type { StatusChange } from '../mesh/status.js';
import { type AgentRow, fromAgentRow } from './agent-document.js';
import { AgentSnapshot, type StoredAgent } from './agent-snapshot.js';
import { BatchEffects } from './batch-effects.js';
import { fromColumnText } from './column-text.js';
import type { SnapshotSync } from './snapshot-sync.js';
import type { WriteBatcher } from './write-batcher.js';

/** One write as the batcher queues it. */
export type WriteOp =
  | { kind: 'upsert'; agent: AgentRecord }
  | { kind: 'heartbeat'; id: string; at: number; status: AgentStatus }
  | { kind: 'status'; changes: readonly StatusChange[] }
  | { kind: 'delete'; id: string; onlyIf: { status: AgentStatus; updatedAt: number } | undefined };

/** A heartbeat's new column values, applied to the agent as the transaction knows it. */
export function heartbeatApplied(
  base: StoredAgent,
  change: { status: AgentStatus; at: number; resourceVersion: string; topologyAt: number },
  revision: number,
): StoredAgent {
  return {
    record: {
      ...base.record,
      status: change.status,
      lastHeartbeat: change.at,
      updatedAt: change.at,
      resourceVersion: change.resourceVersion,
      topologyAt: change.topologyAt,
    },
    seq: base.seq,
    revision,
  };
}

/** Ops whose only statements cannot fail on their own (no constraint to break): no savepoint. */
export function needsSavepoint(op: WriteOp): boolean {
  return op.kind === 'upsert' || op.kind === 'delete';
}

/** An agents row with the columns the snapshot needs besides the record. */
export type StoredRow = AgentRow & { revision: number };

export function storedAgent(row: StoredRow): StoredAgent {
  const decoded = {
    ...row,
    id: fromColumnText(row.id),
    name: fromColumnText(row.name),
    namespace: fromColumnText(row.namespace),
  };
  return { record: fromAgentRow(decoded), seq: Number(row.seq), revision: Number(row.revision) };
}

export abstract class SnapshotBackedStore {
  protected readonly snapshot = new AgentSnapshot();
  protected abstract readonly batcher: WriteBatcher<WriteOp>;
  protected abstract readonly syncer: SnapshotSync;
  /** Every change up to this database revision is in the snapshot (-1: nothing loaded yet). */
  protected syncedRevision = -1;
  protected isClosed = false;

  /**
   * Starts collecting a transaction's changes, once it holds the revision row: if the revision it
   * took directly follows the last one pulled, no other process committed in between.
   */
  protected batchEffects(revision: number): BatchEffects {
    return new BatchEffects(this.snapshot, revision, revision === this.syncedRevision + 1);
  }

  /** Closes the connection(s), after the last batch committed and syncing stopped. */
  protected abstract closeDatabase(): Promise<void>;

  upsertAgent(agent: AgentRecord): Promise<{ agent: AgentRecord; isNew: boolean }> {
    return this.batcher.submit({ kind: 'upsert', agent });
  }

  recordHeartbeat(id: string, at: number, status: AgentStatus): Promise<AgentRecord | undefined> {
    return this.batcher.submit({ kind: 'heartbeat', id, at, status });
  }

  applyStatusChanges(changes: readonly StatusChange[]): Promise<StatusChange[]> {
    if (changes.length === 0) return Promise.resolve([]);
    return this.batcher.submit({ kind: 'status', changes });
  }

  deleteAgent(id: string, onlyIf?: { status: AgentStatus; updatedAt: number }): Promise<boolean> {
    return this.batcher.submit({ kind: 'delete', id, onlyIf });
  }

  getAgent(id: string): AgentRecord | undefined {
    return this.snapshot.get(id);
  }

  listAgents(): Iterable<AgentRecord> {
    return this.snapshot.values();
  }

  get size(): number {
    return this.snapshot.size;
  }

  get revision(): number {
    return this.snapshot.revision;
  }

  sync(): Promise<void> {
    return this.syncer.sync();
  }

  ensureFresh(): Promise<void> {
    return this.syncer.ensureFresh();
  }

  onChange(listener: (changedIds: readonly string[]) => void): () => void {
    return this.snapshot.onChange(listener);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await this.batcher.drain();
    this.isClosed = true;
    await this.syncer.stop();
    await this.closeDatabase();
  }
}
