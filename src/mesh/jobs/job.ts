/**
 * A MeshJob (a `task=True` tool call that runs long), in the upstream registry's words: its
 * statuses, the record the registry keeps, and what its holder may change. Pure: no I/O.
 */
import type { Micros } from '../../shared/clock.js';

export const JOB_STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** JSON object as the agent sent it (free-form). */
export type JsonObject = Record<string, unknown>;

/** Per event filter, the highest event seq the handler has processed. */
export type RecvCursor = Record<string, number>;

export interface JobRecord {
  id: string;
  capability: string;
  status: JobStatus;
  /** The replica (agent instance) holding the job; null when unclaimed or orphaned. */
  ownerInstanceId: string | null;
  /** +1 on every successful claim: fences a superseded holder's writes and reads. */
  claimEpoch: number;
  attemptCount: number;
  maxRetries: number;
  /** Per-attempt soft timeout in seconds; null: the runtime's default. */
  maxDuration: number | null;
  totalDeadline: Micros | null;
  leaseExpiresAt: Micros | null;
  lastHeartbeatAt: Micros | null;
  submittedAt: Micros;
  submittedBy: string | null;
  submittedPayload: JsonObject;
  progress: number | null;
  progressMessage: string | null;
  result: JsonObject | null;
  error: string | null;
  recvCursor: RecvCursor | null;
}

/** What a submitter asks for (`POST /jobs`). */
export interface NewJob {
  id: string;
  capability: string;
  submittedBy: string;
  submittedPayload: JsonObject;
  /** Push mode: pinned to this instance from the start; null: a replica claims it (pull mode). */
  ownerInstanceId: string | null;
  maxRetries: number;
  maxDuration: number | null;
  totalDeadline: Micros | null;
  submittedAt: Micros;
}

/** One holder update of `POST /jobs/batch`. */
export interface JobDelta {
  id: string;
  /** When given, owner and epoch must both still match (else `claim_superseded`). */
  claimEpoch: number | undefined;
  /** A status the registry does not know is refused (`invalid_status`). */
  status: string | undefined;
  progress: number | undefined;
  progressMessage: string | undefined;
  result: JsonObject | undefined;
  error: string | undefined;
  recvCursor: RecvCursor | undefined;
}

/** Why a delta was refused, in upstream's words. */
export type DeltaRejection =
  | 'not_found'
  | 'not_owner'
  | 'already_terminal'
  | 'invalid_status'
  | 'claim_superseded';

/** The job row's fields that decide a delta's refusal. */
export interface HolderView {
  status: JobStatus;
  ownerInstanceId: string | null;
  claimEpoch: number;
}

/**
 * Why a delta from `instanceId` is refused by a job in `row`'s state, as upstream checks it: the
 * holder first (an epoch-bearing delta is `claim_superseded` when owner or epoch moved on, an
 * epoch-less one `not_owner`), then a terminal job, then an unknown status. Undefined: accepted.
 */
export function deltaRejection(
  row: HolderView | undefined,
  instanceId: string,
  delta: Pick<JobDelta, 'claimEpoch' | 'status'>,
): DeltaRejection | undefined {
  if (row === undefined) return 'not_found';
  const ownerMatches = row.ownerInstanceId === instanceId;
  if (delta.claimEpoch !== undefined) {
    if (!ownerMatches || delta.claimEpoch !== row.claimEpoch) return 'claim_superseded';
  } else if (!ownerMatches) {
    return 'not_owner';
  }
  if (isTerminal(row.status)) return 'already_terminal';
  if (delta.status !== undefined && !isJobStatus(delta.status)) return 'invalid_status';
  return undefined;
}

/** A job with this many attempts may still be claimed. */
export function hasAttemptsLeft(job: Pick<JobRecord, 'attemptCount' | 'maxRetries'>): boolean {
  return job.attemptCount <= job.maxRetries;
}

/** The default of `max_retries` (one retry on top of the first attempt). */
export const DEFAULT_MAX_RETRIES = 1;

/** An entry of a job's event log (`GET|POST /jobs/{id}/events`). */
export interface JobEvent {
  jobId: string;
  /** Per job, from 1, in the order the registry stored them. */
  seq: number;
  type: string;
  /** Any JSON value; null when none was sent. */
  payload: unknown;
  traceContext: JsonObject | null;
  postedBy: string | null;
  createdAt: Micros;
}

export type NewJobEvent = Omit<JobEvent, 'seq'>;

/** Which events a reader asks for: after a seq, of some types (all when empty), at most `limit`. */
export interface JobEventQuery {
  jobId: string;
  after: number;
  types: readonly string[];
  limit: number;
}

/** Which jobs `GET /jobs` lists: newest first, after a page position. */
export interface JobListQuery {
  statuses: readonly JobStatus[];
  ownerInstanceId: string | undefined;
  capability: string | undefined;
  submittedSince: Micros | undefined;
  /** Jobs after this position (submitted_at, id descending). */
  after: { submittedAt: Micros; id: string } | undefined;
  limit: number;
}

/** How a job refuses a request that is not a holder update. */
export type JobRefusal = 'not_found' | 'terminal' | 'not_owner' | 'superseded';

/** What one sweep did to jobs (each a conditional update, so replicas never double-apply). */
export interface JobSweepResult {
  /** Orphans (owner no longer a healthy agent) back in the pool, and those out of attempts. */
  orphansReset: number;
  orphansFailed: number;
  /** Expired leases back in the pool, and those out of attempts. */
  leasesReset: number;
  leasesFailed: number;
  /** Past their total deadline. */
  deadlined: number;
}

/** What the store answers to a job request: the change made, or why the job refused it. */
export interface DeltaOutcome {
  accepted: number;
  rejected: { id: string; reason: DeltaRejection }[];
}

export type ReleaseOutcome = { status: JobStatus; attemptCount: number } | { refused: JobRefusal };

/** A cancel that applied: the holder to tell, and the seq of its `cancelled` event. */
export type CancelOutcome = { previousOwner: string | null; eventSeq: number } | { refused: JobRefusal };

export type ReclaimOutcome =
  | { status: JobStatus; claimEpoch: number; previousOwner: string | null }
  | { refused: JobRefusal };

export type AppendOutcome = { seq: number; createdAt: number } | { refused: JobRefusal };

export type ExecutorReadOutcome = 'extended' | 'terminal' | 'superseded' | 'not_found';
