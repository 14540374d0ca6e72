/**
 * The one store: reads answer from the in-memory snapshot, writes are group-committed by a
 * {@link WriteBatcher}, and a {@link SnapshotSync} pulls other processes' commits. The database
 * is a {@link Dialect}, supplied by composition; everything written here is the same on all.
 */

import type { Logger } from 'pino';
import type { AgentRecord, AgentStatus } from '../../mesh/agent.js';
import type { StatusChange } from '../../mesh/status.js';
import type { Connection, Dialect } from '../dialect.js';
import type { RegistryStore } from '../registry-store.js';
import { AgentSnapshot } from './agent-snapshot.js';
import { BatchEffects, type SnapshotEffect } from './batch-effects.js';
import { drive, type Io } from './io.js';
import { SnapshotSync } from './snapshot-sync.js';
import {
  BUMP_REVISION,
  execute,
  firstRow,
  READ_REVISION,
  rows,
  SELECT_CHANGED,
  SELECT_DELETED,
} from './statements.js';
import { storedAgent, storedDeletion } from './stored-row.js';
import { WriteBatcher } from './write-batcher.js';
import * as writes from './write-operations.js';

/** Answers a write's caller; called once its batch has committed (or the op failed). */
type Answer = () => void;

/** A write in the queue, its result type hidden in the answer it returns. */
interface QueuedWrite {
  readonly isIsolated: boolean;
  run(context: writes.WriteContext): Io<Answer>;
  fail(error: unknown): void;
}

export interface StoreEngineOptions {
  /** How often to pull other processes' writes; 0 only when asked. */
  syncIntervalMs: number;
  logger?: Logger | undefined;
}

export class StoreEngine implements RegistryStore {
  private readonly snapshot = new AgentSnapshot();
  private readonly batcher = new WriteBatcher<QueuedWrite>((jobs) => drive(this.writeBatch(jobs)));
  private readonly syncer: SnapshotSync;
  /** Every change up to this database revision is in the snapshot (-1: nothing loaded yet). */
  private syncedRevision = -1;
  private isClosed = false;

  constructor(
    private readonly dialect: Dialect,
    options: StoreEngineOptions,
  ) {
    this.syncer = new SnapshotSync({
      pull: () => drive(this.pull()),
      intervalMs: options.syncIntervalMs,
      maxStalenessMs: 1000,
      logger: options.logger,
    });
  }

  /** Loads every agent, then pulls other processes' writes in the background. */
  async start(): Promise<void> {
    await this.syncer.sync();
    this.syncer.start();
  }

  upsertAgent(agent: AgentRecord): Promise<{ agent: AgentRecord; isNew: boolean }> {
    return this.submit(writes.upsertAgent(agent));
  }

  recordHeartbeat(id: string, at: number, status: AgentStatus): Promise<AgentRecord | undefined> {
    return this.submit(writes.recordHeartbeat(id, at, status));
  }

  applyStatusChanges(changes: readonly StatusChange[]): Promise<StatusChange[]> {
    if (changes.length === 0) return Promise.resolve([]);
    return this.submit(writes.applyStatusChanges(changes));
  }

  deleteAgent(id: string, onlyIf?: { status: AgentStatus; updatedAt: number }): Promise<boolean> {
    return this.submit(writes.deleteAgent(id, onlyIf));
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

  async claimHealthSweep(minGapMicros: number): Promise<boolean> {
    const params = { now: Date.now() * 1000, gap: Math.round(minGapMicros) };
    return (await drive(rows(this.dialect.connection, this.dialect.claimSweep, params))).length > 0;
  }

  async ping(): Promise<void> {
    await drive(execute(this.dialect.connection, 'SELECT 1'));
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await this.batcher.drain();
    this.isClosed = true;
    await this.syncer.stop();
    await this.dialect.close();
  }

  private submit<R>(operation: writes.WriteOperation<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.batcher.submit({
        isIsolated: operation.isIsolated,
        *run(context) {
          const result = yield* operation.run(context);
          return () => resolve(result);
        },
        fail: reject,
      });
    });
  }

  /** One transaction for the batch; each op that can fail alone runs in a savepoint. */
  private *writeBatch(jobs: readonly QueuedWrite[]): Io<void> {
    const { dialect } = this;
    const answers: Answer[] = [];
    const batch = yield* dialect.transaction('write', (tx) => this.writeOps(tx, jobs, answers));
    // Only now, after the commit, do readers see the change.
    batch.applyToSnapshot();
    // Writers take turns on the revision row, so nobody else committed in between when ours
    // directly follows the last one we pulled; otherwise the next pull fetches the gap.
    if (batch.revision === this.syncedRevision + 1) this.syncedRevision = batch.revision;
    for (const answer of answers) answer();
  }

  private *writeOps(tx: Connection, jobs: readonly QueuedWrite[], answers: Answer[]): Io<BatchEffects> {
    const { dialect } = this;
    const { revision } = (yield* firstRow(tx, BUMP_REVISION, {}))!;
    // Holding the revision row: if it directly follows the last one pulled, no other process
    // committed in between, and the snapshot is what the database holds.
    const batch = new BatchEffects(this.snapshot, revision, revision === this.syncedRevision + 1);
    for (const job of jobs) {
      const effect: SnapshotEffect = { changed: [], deleted: [] };
      const context = { tx, dialect, batch, effect };
      if (!job.isIsolated) {
        answers.push(yield* job.run(context));
        batch.add(effect);
        continue;
      }
      yield* execute(tx, 'SAVEPOINT op');
      try {
        answers.push(yield* job.run(context));
        batch.add(effect);
        yield* execute(tx, 'RELEASE SAVEPOINT op');
      } catch (error) {
        if (dialect.isTransactionLost(error)) throw error;
        yield* execute(tx, 'ROLLBACK TO SAVEPOINT op');
        yield* execute(tx, 'RELEASE SAVEPOINT op');
        const failure = error instanceof Error ? error : new Error(String(error));
        answers.push(() => job.fail(failure));
      }
    }
    return batch;
  }

  /** Loads what was committed since `syncedRevision` (everything, the first time). */
  private *pull(): Io<void> {
    if (this.isClosed) return;
    const state = (yield* firstRow(this.dialect.connection, READ_REVISION, {}))!;
    if (state.revision <= this.syncedRevision) return;
    const pulled = yield* this.dialect.transaction('read', (tx) => this.readChanges(tx));
    this.snapshot.apply(pulled.changed.map(storedAgent), pulled.deleted.map(storedDeletion));
    this.syncedRevision = Math.max(this.syncedRevision, pulled.revision);
    this.snapshot.forgetDeletionsUpTo(pulled.revision);
  }

  private *readChanges(tx: Connection) {
    const since = this.syncedRevision;
    const state = (yield* firstRow(tx, READ_REVISION, {}))!;
    const changed = yield* rows(tx, SELECT_CHANGED, { since });
    const deleted = yield* rows(tx, SELECT_DELETED, { since });
    return { revision: Number(state.revision), changed, deleted };
  }
}
