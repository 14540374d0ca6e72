/**
 * The one store: reads answer from the in-memory snapshot, writes are group-committed by a
 * {@link WriteBatcher}, and a {@link SnapshotSync} pulls other processes' commits. The database
 * is a {@link Dialect}, supplied by composition; everything written here is the same on all.
 */

import type { Logger } from 'pino';
import type { AgentRecord, AgentStatus } from '../../mesh/agent.js';
import type { EventQuery, MeshEvent, StoredEvent } from '../../mesh/events.js';
import type {
  AppendOutcome,
  CancelOutcome,
  DeltaOutcome,
  ExecutorReadOutcome,
  JobDelta,
  JobEvent,
  JobEventQuery,
  JobListQuery,
  JobRecord,
  JobSweepResult,
  NewJob,
  NewJobEvent,
  ReclaimOutcome,
  ReleaseOutcome,
} from '../../mesh/jobs/job.js';
import type { SchemaEntry } from '../../mesh/schema-entry.js';
import type { StatusChange } from '../../mesh/status.js';
import { nowMicros } from '../../shared/clock.js';
import { fromColumnText, toColumnText } from '../column-text.js';
import { type Connection, type Dialect, type Params, statement } from '../dialect.js';
import type { RegistryStore, StoreStats, UpsertOutcome } from '../registry-store.js';
import { AgentSnapshot } from './agent-snapshot.js';
import { BatchEffects, type LifecycleListener, type SnapshotEffect } from './batch-effects.js';
import { drive, type Io, Sent } from './io.js';
import * as jobs from './job-operations.js';
import { type JobStatements, jobStatements } from './job-statements.js';
import { SELECT_EVENTS, SELECT_SCHEMA, SELECT_SCHEMAS, storedEvent, storedSchema } from './log-statements.js';
import { Pipeline } from './pipeline.js';
import { SnapshotSync, withDeadline } from './snapshot-sync.js';
import {
  BUMP_REVISION,
  execute,
  firstRow,
  READ_DRAINING,
  readRevision,
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
interface QueuedWrite extends writes.WriteOperation<Answer> {
  fail(error: unknown): void;
}

/** A batch that committed: its changes, and the answers to its callers. */
interface Committed {
  batch: BatchEffects;
  answers: Answer[];
}

/** A pipelined batch that did not commit, for a reason that leaves the careful retry worth trying. */
type Uncommitted = { failure: unknown };

/** Reads an op's answers, then answers its caller with the result (once the batch has committed). */
function* answerWith<R>(received: Io<R>, resolve: (result: R) => void): Io<Answer> {
  const result = yield* received;
  return () => resolve(result);
}

/** One op of the careful way: sent, then its answers read at once. */
function* runCarefully(
  job: QueuedWrite,
  context: writes.SendContext,
  batch: BatchEffects,
  effect: SnapshotEffect,
  answers: Answer[],
): Io<void> {
  const receive = job.send(context);
  answers.push(yield* receive({ batch, effect }));
  batch.add(effect);
}

/** A write that changes nothing and leaves the revision as it is: can the database still write? */
const TOUCH_STATE = statement<Params, never>(
  'touchState',
  'UPDATE mesh_state SET revision = revision WHERE id = 1',
);

function* touchState(tx: Connection, begin: string): Io<void> {
  yield* execute(tx, begin);
  yield* rows(tx, TOUCH_STATE, {});
  committed(yield* execute(tx, 'COMMIT'));
}

/** How long `/health`'s check may wait for a database that does not answer. */
const PING_TIMEOUT_MS = 2000;

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
  private readonly indexListeners = new Set<(index: number) => void>();
  private isClosed = false;
  private readonly jobSql: JobStatements;
  private readonly readState: ReturnType<typeof readRevision>;
  /** The database incarnation the snapshot was pulled from (undefined: nothing loaded yet). */
  private incarnation: string | undefined;
  /** A commit answered a revision not past ours: the database went back; reload at the next pull. */
  private mustReload = false;
  /** Why writes are refused for good (the database file was lost); set once, logged once. */
  private lost: unknown;
  /** Why the last batch failed, until one commits: `/health` fails meanwhile. */
  private writeFailure: unknown;
  private readonly log: Logger | undefined;
  readonly stats: StoreStats;
  private readonly lifecycleListeners = new Set<LifecycleListener>();

  constructor(
    private readonly dialect: Dialect,
    options: StoreEngineOptions,
  ) {
    this.jobSql = jobStatements(dialect.jobSql);
    this.readState = readRevision(dialect.incarnation);
    this.log = options.logger;
    this.syncer = new SnapshotSync({
      pull: () => drive(this.pull()),
      intervalMs: options.syncIntervalMs,
      maxStalenessMs: 1000,
      timeoutMs: dialect.callTimeoutMs,
      logger: options.logger,
    });
    this.stats = {
      databaseKind: dialect.kind,
      batchSizes: this.batcher.batchSizes,
      syncLagSeconds: () => this.syncer.lagSeconds(),
      poolCounts: () => dialect.poolCounts?.(),
    };
  }

  /**
   * Loads every agent and commits one empty write (a database it cannot write refuses the start),
   * then pulls other processes' writes in the background.
   */
  async start(): Promise<void> {
    await this.syncer.sync();
    await this.probeWrite();
    this.syncer.start();
  }

  upsertAgent(agent: AgentRecord, records?: writes.WriteRecords): Promise<UpsertOutcome> {
    return this.submit(writes.upsertAgent(agent, records));
  }

  recordHeartbeat(id: string, at: number, status: AgentStatus): Promise<AgentRecord | undefined> {
    return this.submit(writes.recordHeartbeat(id, at, status));
  }

  applyStatusChanges(changes: readonly StatusChange[]): Promise<StatusChange[]> {
    if (changes.length === 0) return Promise.resolve([]);
    return this.submit(writes.applyStatusChanges(changes));
  }

  deleteAgent(
    id: string,
    onlyIf?: { status: AgentStatus; updatedAt: number },
    event?: MeshEvent,
  ): Promise<boolean> {
    return this.submit(writes.deleteAgent(id, onlyIf, event));
  }

  rotateAgents(rotations: readonly { id: string; event: MeshEvent }[], at: number): Promise<string[]> {
    if (rotations.length === 0) return Promise.resolve([]);
    return this.submit(writes.rotateAgents(rotations, at));
  }

  appendEvents(events: readonly MeshEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.submit(writes.appendEvents(events, undefined));
  }

  trimEvents(keep: number): Promise<void> {
    return this.submit(writes.appendEvents([], keep));
  }

  setDraining(draining: boolean): Promise<void> {
    return this.submit(writes.setDraining(draining));
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    const params = {
      event_type: query.type ?? null,
      agent_id: query.agentId === undefined ? null : toColumnText(query.agentId),
      function_name: query.functionName === undefined ? null : toColumnText(query.functionName),
      limit: query.limit,
    };
    return (await drive(rows(this.dialect.connection, SELECT_EVENTS, params))).map(storedEvent);
  }

  async listSchemas(limit: number): Promise<SchemaEntry[]> {
    return (await drive(rows(this.dialect.connection, SELECT_SCHEMAS, { limit }))).map(storedSchema);
  }

  async getSchema(hash: string): Promise<SchemaEntry | undefined> {
    const [row] = await drive(rows(this.dialect.connection, SELECT_SCHEMA, { hash: toColumnText(hash) }));
    return row === undefined ? undefined : storedSchema(row);
  }

  async isDraining(): Promise<boolean> {
    const [row] = await drive(rows(this.dialect.connection, READ_DRAINING, {}));
    return Number(row?.draining ?? 0) === 1;
  }

  createJob(job: NewJob): Promise<JobRecord> {
    return this.submit(jobs.createJob(this.jobSql, job));
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const [row] = await drive(rows(this.dialect.connection, this.jobSql.select, { id: toColumnText(id) }));
    return row === undefined ? undefined : jobs.storedJob(row);
  }

  async listJobs(query: JobListQuery): Promise<JobRecord[]> {
    const { statuses } = query;
    const params = {
      by_status: statuses.length === 0 ? 0 : 1,
      status_a: statuses[0] ?? null,
      status_b: statuses[1] ?? null,
      status_c: statuses[2] ?? null,
      status_d: statuses[3] ?? null,
      status_e: statuses[4] ?? null,
      owner_instance_id: query.ownerInstanceId === undefined ? null : toColumnText(query.ownerInstanceId),
      capability: query.capability === undefined ? null : toColumnText(query.capability),
      submitted_since: query.submittedSince ?? null,
      before_at: query.after?.submittedAt ?? null,
      before_id: query.after === undefined ? null : toColumnText(query.after.id),
      limit: query.limit,
    };
    return (await drive(rows(this.dialect.connection, this.jobSql.list, params))).map(jobs.storedJob);
  }

  claimJob(capability: string, instanceId: string, now: number): Promise<JobRecord | undefined> {
    return this.submit(jobs.claimJob(this.jobSql, capability, instanceId, now));
  }

  applyJobDeltas(instanceId: string, deltas: readonly JobDelta[], now: number): Promise<DeltaOutcome> {
    return this.submit(jobs.applyJobDeltas(this.jobSql, instanceId, deltas, now));
  }

  releaseJob(
    release: { id: string; instanceId: string; claimEpoch: number | undefined; reason: string },
    now: number,
  ): Promise<ReleaseOutcome> {
    return this.submit(jobs.releaseJob(this.jobSql, release, now));
  }

  cancelJob(
    cancel: { id: string; reason: string; postedBy: string | null },
    now: number,
  ): Promise<CancelOutcome> {
    return this.submit(jobs.cancelJob(this.jobSql, cancel, now));
  }

  reclaimJob(id: string): Promise<ReclaimOutcome> {
    return this.submit(jobs.reclaimJob(this.jobSql, id));
  }

  appendJobEvent(event: NewJobEvent): Promise<AppendOutcome> {
    return this.submit(jobs.appendJobEvent(this.jobSql, event));
  }

  authorizeExecutorRead(
    read: { id: string; instanceId: string; claimEpoch: number },
    now: number,
  ): Promise<ExecutorReadOutcome> {
    return this.submit(jobs.authorizeExecutorRead(this.jobSql, read, now));
  }

  async listJobEvents(query: JobEventQuery): Promise<JobEvent[]> {
    const params = {
      job_id: toColumnText(query.jobId),
      after: query.after,
      types: query.types.length === 0 ? null : JSON.stringify(query.types.map(toColumnText)),
      limit: query.limit,
    };
    return (await drive(rows(this.dialect.connection, this.jobSql.listEvents, params))).map(
      jobs.storedJobEvent,
    );
  }

  sweepJobs(now: number, purgeBefore: number | undefined): Promise<JobSweepResult> {
    return this.submit(jobs.sweepJobs(this.jobSql, now, purgeBefore));
  }

  async jobEventSeqs(ids: readonly string[]): Promise<Map<string, number>> {
    const params = { ids: JSON.stringify(ids.map(toColumnText)) };
    const found = await drive(rows(this.dialect.connection, this.jobSql.eventSeqs, params));
    return new Map(found.map((row) => [fromColumnText(row.id), Number(row.event_seq)]));
  }

  async countPendingJobs(): Promise<Map<string, number>> {
    const counted = await drive(rows(this.dialect.connection, this.jobSql.countPending, {}));
    return new Map(counted.map((row) => [fromColumnText(row.capability), Number(row.pending)]));
  }

  async countLiveClaims(): Promise<number> {
    const [row] = await drive(rows(this.dialect.connection, this.jobSql.countLiveClaims, {}));
    return Number(row?.live ?? 0);
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

  ensureFresh(maxStalenessMs?: number): Promise<void> {
    return this.syncer.ensureFresh(maxStalenessMs);
  }

  onLifecycle(listener: LifecycleListener): () => void {
    this.lifecycleListeners.add(listener);
    return () => this.lifecycleListeners.delete(listener);
  }

  onChange(listener: (changedIds: readonly string[]) => void): () => void {
    return this.snapshot.onChange(listener);
  }

  get index(): number {
    return Math.max(this.syncedRevision, 0);
  }

  onIndexChange(listener: (index: number) => void): () => void {
    this.indexListeners.add(listener);
    return () => this.indexListeners.delete(listener);
  }

  /** Moves `syncedRevision` up to `revision` and tells the index's listeners. */
  private advanceSyncedRevision(revision: number): void {
    if (revision <= this.syncedRevision) return;
    this.syncedRevision = revision;
    for (const listener of this.indexListeners) listener(revision);
  }

  async claimHealthSweep(minGapMicros: number): Promise<boolean> {
    const params = { now: nowMicros(), gap: Math.round(minGapMicros) };
    return (await drive(rows(this.dialect.connection, this.dialect.claimSweep, params))).length > 0;
  }

  /**
   * Fails while the database cannot be reached, was lost, or refuses writes: after a batch failed,
   * an empty write must commit before the store is healthy again (disk space freed, filesystem
   * writable again). Answers within {@link PING_TIMEOUT_MS} when the database hangs.
   */
  async ping(): Promise<void> {
    this.checkDurable();
    this.takeDialectFault();
    if (this.writeFailure !== undefined) this.dialect.checkRoom?.();
    const check =
      this.writeFailure === undefined
        ? drive(execute(this.dialect.connection, 'SELECT 1'))
        : this.probeWrite();
    const timeout = this.dialect.callTimeoutMs === undefined ? undefined : PING_TIMEOUT_MS;
    await withDeadline(
      Promise.resolve(check).then(() => {}),
      timeout,
    );
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await this.batcher.drain();
    this.isClosed = true;
    await this.syncer.stop();
    await this.dialect.close();
  }

  /**
   * The database file is still what a restart would open; once it is not, every write is refused
   * (503) and `/health` fails until the registry restarts. Logged once, as an error.
   */
  private checkDurable(): void {
    if (this.lost !== undefined) throw this.lost;
    try {
      this.dialect.checkDurable?.();
    } catch (error) {
      this.lost = error;
      this.log?.error(
        { err: error },
        'DATABASE LOST: the database file was deleted or replaced while open; refusing every write (503) and failing /health until the registry is restarted',
      );
      throw error;
    }
  }

  private submit<R>(operation: writes.WriteOperation<R>): Promise<R> {
    return withDeadline(this.queue(operation), this.dialect.callTimeoutMs);
  }

  private queue<R>(operation: writes.WriteOperation<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.batcher.submit({
        isIsolated: operation.isIsolated,
        send(context) {
          const receive = operation.send(context);
          // An arrow over a generator declared once (see write-operations.ts's Receive).
          return (into) => answerWith(receive(into), resolve);
        },
        fail: reject,
      });
    });
  }

  /**
   * One transaction for the batch, in one round trip when nothing fails: every statement is sent
   * before the first answer is read. When a statement fails, that transaction does not commit and
   * the batch runs again the careful way, where an op that can fail alone has its own savepoint.
   */
  private *writeBatch(jobs: readonly QueuedWrite[]): Io<void> {
    const { dialect } = this;
    // What the database had shown before this transaction began: its revision can only be higher.
    const syncedBefore = this.syncedRevision;
    let written: Committed | Uncommitted;
    try {
      this.checkDurable();
      this.takeDialectFault();
      // Still full or read-only: refused before anything is written.
      if (this.writeFailure !== undefined) dialect.checkRoom?.();
      written = yield* dialect.lend((tx) => this.writePipelined(tx, jobs));
      if ('failure' in written) written = yield* dialect.lend((tx) => this.writeCarefully(tx, jobs));
      // Committed to a file a restart would not read: answered 503, never acknowledged.
      this.checkDurable();
      // After a failure, a commit is acknowledged only once it is proven to be in the file.
      if (this.writeFailure !== undefined) dialect.proveDurable?.();
    } catch (error) {
      this.noteWriteFailure(error);
      throw error;
    }
    this.noteWriteSuccess();
    // Only now, after the commit, do readers see the change.
    written.batch.applyToSnapshot(this.lifecycleListeners);
    // Writers take turns on the revision row, so nobody else committed in between when ours
    // directly follows the last one we pulled; otherwise the next pull fetches the gap.
    // A revision not above what the database showed before the transaction began: it went back
    // (a failover to a copy that lags). One not above what a pull has shown since is no such
    // sign: a pull on another connection may see this commit before its answer reaches us.
    const { revision } = written.batch;
    if (revision === this.syncedRevision + 1) this.advanceSyncedRevision(revision);
    else if (revision <= syncedBefore) this.mustReload = true;
    for (const answer of written.answers) answer();
  }

  /**
   * Sends BEGIN, the revision bump, every op's statements (no savepoints) and COMMIT, then reads
   * the answers in order. Commits only if every statement succeeded: PostgreSQL answers the COMMIT
   * of a failed transaction by rolling it back, and a driver that answers synchronously knows of
   * the failure before COMMIT is sent, and sends ROLLBACK instead.
   */
  private *writePipelined(tx: Connection, jobs: readonly QueuedWrite[]): Io<Committed | Uncommitted> {
    const { dialect } = this;
    const pipe = new Pipeline(tx);
    // The snapshot holds the database as of `syncedAt`: if our revision directly follows it, no
    // other process committed in between, and what the snapshot holds now is what the database has.
    const syncedAt = this.syncedRevision;
    const begun = pipe.execute(dialect.begin.write);
    const bumped = pipe.send(BUMP_REVISION, {});
    const context = {
      pipe,
      dialect,
      knownAt: (id: string) => (this.snapshot.entry(id) === undefined ? -1 : syncedAt + 1),
    };
    const receivers: writes.Receive<Answer>[] = [];
    for (const job of jobs) {
      if (pipe.hasFailed) break;
      try {
        receivers.push(job.send(context));
      } catch (error) {
        pipe.fail(error);
        receivers.push(() => Sent.failed<Answer>(error).receive());
      }
    }
    const ended = Sent.start(() => tx.execute(pipe.hasFailed ? 'ROLLBACK' : 'COMMIT'));

    let written: Committed | Uncommitted;
    try {
      yield* begun.receive();
      const { revision } = (yield* bumped.receive())[0]!;
      const isSnapshotCurrent = revision === syncedAt + 1 && this.syncedRevision === syncedAt;
      const batch = new BatchEffects(this.snapshot, revision, isSnapshotCurrent);
      const answers: Answer[] = [];
      for (const receive of receivers) {
        const effect: SnapshotEffect = { changed: [], deleted: [] };
        answers.push(yield* receive({ batch, effect }));
        batch.add(effect);
      }
      written = { batch, answers };
    } catch (error) {
      if (dialect.isTransactionLost(error)) throw error;
      written = { failure: error };
    }
    // Every answer has come once this one has: only then is the connection free for another.
    let command: string;
    try {
      command = yield* ended.receive();
    } catch (error) {
      throw 'failure' in written && !dialect.isTransactionLost(error) ? written.failure : error;
    }
    if (!('failure' in written) && command !== 'COMMIT') {
      return { failure: new Error(`the batch's COMMIT answered ${command}`) };
    }
    return written;
  }

  /**
   * The batch one statement at a time, each op that can fail alone in its own savepoint: an op
   * that fails is rolled back and answered with its error, and the others commit.
   */
  private *writeCarefully(tx: Connection, jobs: readonly QueuedWrite[]): Io<Committed> {
    const { dialect } = this;
    yield* execute(tx, dialect.begin.write);
    const { revision } = (yield* firstRow(tx, BUMP_REVISION, {}))!;
    const batch = new BatchEffects(this.snapshot, revision, revision === this.syncedRevision + 1);
    const knownAt = (id: string) => (batch.current(id) === undefined ? -1 : revision);
    const answers: Answer[] = [];
    for (const job of jobs) {
      const effect: SnapshotEffect = { changed: [], deleted: [] };
      const context = { pipe: new Pipeline(tx), dialect, knownAt };
      if (!job.isIsolated) {
        yield* runCarefully(job, context, batch, effect, answers);
        continue;
      }
      yield* execute(tx, 'SAVEPOINT op');
      try {
        yield* runCarefully(job, context, batch, effect, answers);
        yield* execute(tx, 'RELEASE SAVEPOINT op');
      } catch (error) {
        if (dialect.isTransactionLost(error)) throw error;
        yield* execute(tx, 'ROLLBACK TO SAVEPOINT op');
        yield* execute(tx, 'RELEASE SAVEPOINT op');
        const failure = error instanceof Error ? error : new Error(String(error));
        answers.push(() => job.fail(failure));
      }
    }
    committed(yield* execute(tx, 'COMMIT'));
    return { batch, answers };
  }

  /** One write transaction that changes nothing; a failure counts as a failed write. */
  private async probeWrite(): Promise<void> {
    const begin = this.dialect.begin.write;
    try {
      await drive(this.dialect.lend((tx) => touchState(tx, begin)));
      if (this.writeFailure !== undefined) this.dialect.proveDurable?.();
    } catch (error) {
      this.noteWriteFailure(error);
      throw error;
    }
    this.noteWriteSuccess();
  }

  /** A fault the database reported on its own (a failed checkpoint) counts as a failed write. */
  private takeDialectFault(): void {
    const fault = this.dialect.takeFault?.();
    if (fault !== undefined) this.noteWriteFailure(fault);
  }

  private noteWriteFailure(error: unknown): void {
    if (this.writeFailure === undefined) {
      this.log?.error({ err: error }, 'database write failed; /health fails until a write commits');
    }
    this.writeFailure = error;
  }

  private noteWriteSuccess(): void {
    if (this.writeFailure === undefined) return;
    this.writeFailure = undefined;
    this.log?.info('database writes commit again');
  }

  /**
   * Loads what was committed since `syncedRevision` (everything, the first time). When the
   * database is not the one pulled from so far (another incarnation: a failover, a restore, a
   * restart), its revision went back, or the last pull failed (a reconnect), reloads everything
   * and replaces the snapshot: replicas follow the database, not their memory of it.
   */
  private *pull(): Io<void> {
    try {
      yield* this.pullOnce();
    } catch (error) {
      // The connection was lost (or the database was): what the database holds when it answers
      // again is read whole, not as changes since a revision that may mean something else by then.
      this.mustReload = true;
      throw error;
    }
  }

  private *pullOnce(): Io<void> {
    if (this.isClosed) return;
    this.checkDurable();
    // What the database had shown before this read was sent: a read sent later sees at least that
    // much, unless the database went back. (A commit of ours answered while the read was on its
    // way may have moved syncedRevision past what the read saw: that is no sign of anything.)
    const syncedBefore = this.syncedRevision;
    const state = (yield* firstRow(this.dialect.connection, this.readState, {}))!;
    const revision = Number(state.revision);
    const isReload =
      this.incarnation !== undefined &&
      (this.mustReload || state.incarnation !== this.incarnation || revision < syncedBefore);
    if (!isReload && revision <= this.syncedRevision) return;
    this.mustReload = false;
    const since = isReload ? -1 : this.syncedRevision;
    const pulled = yield* this.dialect.lend((tx) => this.readChanges(tx, since));
    this.incarnation = pulled.incarnation;
    if (isReload) {
      this.log?.warn(
        { revision: pulled.revision, previousRevision: this.syncedRevision },
        'the database is not the one the snapshot was pulled from (failover, restore or restart): reloaded every agent from it',
      );
      this.snapshot.replaceAll(pulled.changed.map(storedAgent));
      this.syncedRevision = Math.min(this.syncedRevision, pulled.revision);
      this.advanceSyncedRevision(pulled.revision);
      return;
    }
    this.snapshot.apply(pulled.changed.map(storedAgent), pulled.deleted.map(storedDeletion));
    this.snapshot.forgetDeletionsUpTo(pulled.revision);
    this.advanceSyncedRevision(pulled.revision);
  }

  /** In one transaction, which sees one consistent state of the database; one round trip. */
  private *readChanges(tx: Connection, since: number) {
    const pipe = new Pipeline(tx);
    const begun = pipe.execute(this.dialect.begin.read);
    const state = pipe.send(this.readState, {});
    const changed = pipe.send(SELECT_CHANGED, { since });
    const deleted = pipe.send(SELECT_DELETED, { since });
    const ended = pipe.execute('COMMIT');
    yield* begun.receive();
    const read = (yield* state.receive())[0]!;
    const pulled = {
      revision: Number(read.revision),
      incarnation: read.incarnation,
      changed: yield* changed.receive(),
      deleted: yield* deleted.receive(),
    };
    committed(yield* ended.receive());
    return pulled;
  }
}

function committed(command: string): void {
  if (command !== 'COMMIT') throw new Error(`COMMIT answered ${command}`);
}
