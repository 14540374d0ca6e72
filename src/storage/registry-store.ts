import type { AgentRecord, AgentStatus } from '../mesh/agent.js';
import type { EventQuery, MeshEvent, StoredEvent } from '../mesh/events.js';
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
} from '../mesh/jobs/job.js';
import type { SchemaEntry } from '../mesh/schema-entry.js';
import type { StatusChange } from '../mesh/status.js';
import type { BucketCounts } from '../shared/bucket-counts.js';
import type { Micros } from '../shared/clock.js';

/** A connection pool's figures, as `pg`'s Pool counts them. */
export interface PoolCounts {
  /** Connections open (idle or lent). */
  total: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/**
 * A change of an agent's life that this process committed (not one pulled from another replica):
 * a registration of an agent the database did not have, a deregistration (the
 * agent's `DELETE`: a status change with an `unregister` event), any other change of status (a
 * heartbeat that revives it, the liveness judge), or its removal (a purge after the retention).
 */
export type AgentLifecycleChange =
  | { kind: 'registered'; agent: AgentRecord }
  | { kind: 'deregistered'; agent: AgentRecord; from: AgentStatus | undefined }
  | { kind: 'status'; agent: AgentRecord; from: AgentStatus }
  | { kind: 'removed'; id: string; name: string | undefined };

/** What the store tells a metrics scrape: read when asked, nothing computed per write. */
export interface StoreStats {
  readonly databaseKind: 'sqlite' | 'postgresql';
  /** Writes per batch transaction (group commit), counted by the write batcher. */
  readonly batchSizes: BucketCounts;
  /** Seconds since the last successful pull of other processes' writes started. */
  syncLagSeconds(): number;
  /** PostgreSQL's pool; undefined on SQLite. */
  poolCounts(): PoolCounts | undefined;
}

/**
 * The registry's storage, in domain words. Writes resolve only after their transaction has
 * committed, so an acknowledged write survives `kill -9`. Reads come from a snapshot of the
 * database that the store keeps current: immediately for its own writes, and within its sync
 * interval for writes of other processes (replicas) sharing the database; {@link ensureFresh}
 * bounds the staleness of any read to 1 s.
 */
/** A registration's outcome: the stored agent, or refused (another TLS entity owns the row). */
export type UpsertOutcome = { agent: AgentRecord; isNew: boolean } | { refused: 'entity_mismatch' };

export interface RegistryStore {
  /** Figures for the metrics endpoint. */
  readonly stats: StoreStats;

  /**
   * Inserts or replaces the agent with `agent.id`. A replacement keeps the stored `createdAt` and
   * the agent's position in listings. Resolves to the stored record and whether it was new.
   * `records` (events, schemas first seen) are written in the same transaction. Refused, writing
   * nothing, when the stored agent belongs to a TLS entity other than `agent.current.entityId`
   * (checked by the database, so it holds between replicas too).
   */
  upsertAgent(
    agent: AgentRecord,
    records?: { events?: readonly MeshEvent[]; schemas?: readonly SchemaEntry[] },
  ): Promise<UpsertOutcome>;

  /**
   * Records a heartbeat: status becomes `status` and `lastHeartbeat`/`updatedAt` become `at`.
   * Resolves to the updated record, or undefined when no agent has this id (nothing changes).
   */
  recordHeartbeat(id: string, at: Micros, status: AgentStatus): Promise<AgentRecord | undefined>;

  /**
   * Applies each change whose conditions still hold (idempotent, safe to run on several replicas
   * at once), logging its event only if it applied. Resolves to the changes that were applied.
   */
  applyStatusChanges(changes: readonly StatusChange[]): Promise<StatusChange[]>;

  /**
   * Deletes the agent; with `onlyIf`, only while it still has that status and `updatedAt`
   * (so a purge never removes an agent that came back meanwhile). `event` is logged if the agent
   * exists. Resolves to whether it was deleted.
   */
  deleteAgent(
    id: string,
    onlyIf?: { status: AgentStatus; updatedAt: Micros },
    event?: MeshEvent,
  ): Promise<boolean>;

  /**
   * Certificate rotation: each agent that is still healthy gets `at` as its topology time (its
   * next light heartbeat answers 202) and its `rotate` event. Resolves to the ids rotated.
   */
  rotateAgents(rotations: readonly { id: string; event: MeshEvent }[], at: Micros): Promise<string[]>;

  /** Appends events that belong to no agent write (resolution decisions). */
  appendEvents(events: readonly MeshEvent[]): Promise<void>;

  /** Deletes the oldest events beyond the newest `keep`. */
  trimEvents(keep: number): Promise<void>;

  /** Events from the database (every replica's), newest first. */
  listEvents(query: EventQuery): Promise<StoredEvent[]>;

  /** Schemas from the database, newest first. */
  listSchemas(limit: number): Promise<SchemaEntry[]>;

  /** One schema by its hash, from the database. */
  getSchema(hash: string): Promise<SchemaEntry | undefined>;

  /** Sets the registry-wide drain flag (job claims paused). */
  setDraining(draining: boolean): Promise<void>;

  /** The registry-wide drain flag, from the database. */
  isDraining(): Promise<boolean>;

  /**
   * MeshJobs. Not in the snapshot: reads come from the database, and every change is one
   * conditional statement (a claim takes one job atomically; a holder's update applies only while
   * it still holds the job at its claim epoch), so replicas sharing the database act as one.
   */
  createJob(job: NewJob): Promise<JobRecord>;

  getJob(id: string): Promise<JobRecord | undefined>;

  /** Newest first (submitted_at, then id, descending). */
  listJobs(query: JobListQuery): Promise<JobRecord[]>;

  /**
   * Hands the oldest claimable job of `capability` (working, unowned, attempts left) to
   * `instanceId`: attempt and claim epoch +1, a fresh lease. None while the registry drains.
   */
  claimJob(capability: string, instanceId: string, now: Micros): Promise<JobRecord | undefined>;

  /** A holder's updates, each applied or refused on its own (`POST /jobs/batch`). */
  applyJobDeltas(instanceId: string, deltas: readonly JobDelta[], now: Micros): Promise<DeltaOutcome>;

  releaseJob(
    release: { id: string; instanceId: string; claimEpoch: number | undefined; reason: string },
    now: Micros,
  ): Promise<ReleaseOutcome>;

  /** Cancels a live job and appends its `cancelled` event; resolves to the holder to tell. */
  cancelJob(
    cancel: { id: string; reason: string; postedBy: string | null },
    now: Micros,
  ): Promise<CancelOutcome>;

  reclaimJob(id: string): Promise<ReclaimOutcome>;

  appendJobEvent(event: NewJobEvent): Promise<AppendOutcome>;

  /** An executor's read of its job's events: fenced, and extends its lease. */
  authorizeExecutorRead(
    read: { id: string; instanceId: string; claimEpoch: number },
    now: Micros,
  ): Promise<ExecutorReadOutcome>;

  /** Events in seq order, from the database (no check that the job exists). */
  listJobEvents(query: JobEventQuery): Promise<JobEvent[]>;

  /** Per job (of those that exist), the seq of its last event: 0 when it has none. */
  jobEventSeqs(ids: readonly string[]): Promise<Map<string, number>>;

  /** Orphans, expired leases and deadlines; purges events of jobs terminal before `purgeBefore`. */
  sweepJobs(now: Micros, purgeBefore: Micros | undefined): Promise<JobSweepResult>;

  /** Per capability, the jobs waiting to be claimed (working, unowned, attempts left). */
  countPendingJobs(): Promise<Map<string, number>>;

  /** Live jobs that have a holder (what a drain waits for). */
  countLiveClaims(): Promise<number>;

  /** The agent with this id from the snapshot. */
  getAgent(id: string): AgentRecord | undefined;

  /** Every agent, in first-registration order. */
  listAgents(): Iterable<AgentRecord>;

  /** Number of agents in the snapshot. */
  readonly size: number;

  /**
   * Increases whenever the snapshot changes, whoever made the change: callers key caches on it.
   */
  readonly revision: number;

  /** Brings the snapshot up to date with the database now (other processes' writes). */
  sync(): Promise<void>;

  /**
   * Resolves once the snapshot reflects the database as of at most one second ago (at once when
   * it already does), or `maxStalenessMs` (0: reads the database now). Rejects with a `MeshError`
   * of status 503 (`DATABASE_UNAVAILABLE`) when the database cannot be reached. Call before
   * serving a read.
   */
  ensureFresh(maxStalenessMs?: number): Promise<void>;

  /**
   * Claims the health sweep for this process: resolves true when no process sharing the database
   * has claimed it within the last `minGapMicros` (measured on the database's clock where there
   * is one), so one replica sweeps per period. Never changes agents or the revision.
   */
  claimHealthSweep(minGapMicros: number): Promise<boolean>;

  /** Runs a trivial read against the database; rejects when the database is unusable. */
  ping(): Promise<void>;

  /**
   * Subscribes to the lifecycle changes this process commits, each told once, after its commit;
   * returns an unsubscribe function.
   */
  onLifecycle(listener: (change: AgentLifecycleChange) => void): () => void;

  /** Subscribes to snapshot changes (own and other processes'); returns an unsubscribe function. */
  onChange(listener: (changedIds: readonly string[]) => void): () => void;

  /**
   * The database revision the snapshot holds every change up to: the same number on every
   * process sharing the database (the watch API's index; 0 for an empty database).
   */
  readonly index: number;

  /** Subscribes to increases of {@link index}; returns an unsubscribe function. */
  onIndexChange(listener: (index: number) => void): () => void;

  /** Flushes pending writes and closes the database. Idempotent. */
  close(): Promise<void>;
}
