/**
 * The writes of MeshJobs, each a {@link WriteOperation} of the one engine (group commit, two
 * phases: every statement sent, then the answers read). Each change of a job is one conditional
 * statement whose WHERE clause holds the state it applies to; when it does not apply, a read of
 * the row sent after it (in the same transaction, where writers take turns) tells why.
 */

import {
  type AppendOutcome,
  type CancelOutcome,
  type DeltaOutcome,
  deltaRejection,
  type ExecutorReadOutcome,
  isJobStatus,
  isTerminal,
  type JobDelta,
  type JobEvent,
  type JobRecord,
  type JobRefusal,
  type JobStatus,
  type JobSweepResult,
  type NewJob,
  type NewJobEvent,
  type ReclaimOutcome,
  type RecvCursor,
  type ReleaseOutcome,
} from '../../mesh/jobs/job.js';
import { fromColumnText, toColumnText } from '../column-text.js';
import type { Io, Sent } from './io.js';
import type { HolderRow, JobEventRow, JobRow, JobStatements } from './job-statements.js';
import type { WriteOperation } from './write-operations.js';

function nullableText(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : toColumnText(value);
}

function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** Cursor keys are stored escaped like any text column (PostgreSQL's jsonb refuses `\u0000`). */
export function cursorText(cursor: RecvCursor): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(cursor).map(([key, seq]) => [toColumnText(key), seq])),
  );
}

function cursorFromText(text: string | null): RecvCursor | null {
  if (text === null) return null;
  const stored = JSON.parse(text) as Record<string, number | string>;
  return Object.fromEntries(Object.entries(stored).map(([key, seq]) => [fromColumnText(key), Number(seq)]));
}

export function storedJob(row: JobRow): JobRecord {
  return {
    id: fromColumnText(row.id),
    capability: fromColumnText(row.capability),
    status: row.status,
    ownerInstanceId: row.owner_instance_id === null ? null : fromColumnText(row.owner_instance_id),
    claimEpoch: Number(row.claim_epoch),
    attemptCount: Number(row.attempt_count),
    maxRetries: Number(row.max_retries),
    maxDuration: nullableNumber(row.max_duration),
    totalDeadline: nullableNumber(row.total_deadline),
    leaseExpiresAt: nullableNumber(row.lease_expires_at),
    lastHeartbeatAt: nullableNumber(row.last_heartbeat_at),
    submittedAt: Number(row.submitted_at),
    submittedBy: row.submitted_by === null ? null : fromColumnText(row.submitted_by),
    submittedPayload: JSON.parse(row.submitted_payload) as JobRecord['submittedPayload'],
    progress: row.progress === null ? null : Number(row.progress),
    progressMessage: row.progress_message === null ? null : fromColumnText(row.progress_message),
    result: row.result === null ? null : (JSON.parse(row.result) as JobRecord['result']),
    error: row.error === null ? null : fromColumnText(row.error),
    recvCursor: cursorFromText(row.recv_cursor),
  };
}

export function storedJobEvent(row: JobEventRow): JobEvent {
  return {
    jobId: fromColumnText(row.job_id),
    seq: Number(row.seq),
    type: fromColumnText(row.type),
    payload: row.payload === null ? null : JSON.parse(row.payload),
    traceContext:
      row.trace_context === null ? null : (JSON.parse(row.trace_context) as JobEvent['traceContext']),
    postedBy: row.posted_by === null ? null : fromColumnText(row.posted_by),
    createdAt: Number(row.created_at),
  };
}

function holderView(row: HolderRow | undefined) {
  return row === undefined
    ? undefined
    : {
        status: row.status,
        ownerInstanceId: row.owner_instance_id === null ? null : fromColumnText(row.owner_instance_id),
        claimEpoch: Number(row.claim_epoch),
      };
}

/** Why a request about the job in `row` was refused (not found, or already terminal). */
function refusalOf(row: HolderRow | undefined): JobRefusal {
  if (row === undefined) return 'not_found';
  return isTerminal(row.status) ? 'terminal' : 'not_owner';
}

export function createJob(sql: JobStatements, job: NewJob): WriteOperation<JobRecord> {
  return {
    isIsolated: true,
    send({ pipe }) {
      const inserted = pipe.send(sql.insert, {
        id: toColumnText(job.id),
        capability: toColumnText(job.capability),
        owner_instance_id: nullableText(job.ownerInstanceId),
        max_retries: job.maxRetries,
        max_duration: job.maxDuration,
        total_deadline: job.totalDeadline,
        submitted_at: job.submittedAt,
        submitted_by: nullableText(job.submittedBy),
        submitted_payload: JSON.stringify(job.submittedPayload),
      });
      return () => receiveCreated(inserted, job);
    },
  };
}

function* receiveCreated(inserted: Sent<unknown>, job: NewJob): Io<JobRecord> {
  yield* inserted.receive();
  return {
    ...job,
    status: 'working',
    claimEpoch: 0,
    attemptCount: 0,
    leaseExpiresAt: null,
    lastHeartbeatAt: null,
    progress: null,
    progressMessage: null,
    result: null,
    error: null,
    recvCursor: null,
  };
}

/** Hands the oldest claimable job of `capability` to `instanceId` (none while draining). */
export function claimJob(
  sql: JobStatements,
  capability: string,
  instanceId: string,
  now: number,
): WriteOperation<JobRecord | undefined> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const claimed = pipe.send(sql.claim, {
        capability: toColumnText(capability),
        instance_id: toColumnText(instanceId),
        now,
      });
      return () => receiveClaim(claimed);
    },
  };
}

function* receiveClaim(claimed: Sent<JobRow[]>): Io<JobRecord | undefined> {
  const [row] = yield* claimed.receive();
  return row === undefined ? undefined : storedJob(row);
}

/** A holder's updates (`POST /jobs/batch`), each fenced by owner and, when given, claim epoch. */
export function applyJobDeltas(
  sql: JobStatements,
  instanceId: string,
  deltas: readonly JobDelta[],
  now: number,
): WriteOperation<DeltaOutcome> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const instance = toColumnText(instanceId);
      const sent = deltas.map((delta) => {
        const id = toColumnText(delta.id);
        const status = delta.status;
        const applied =
          status !== undefined && !isJobStatus(status)
            ? undefined
            : pipe.send(sql.applyDelta, {
                id,
                instance_id: instance,
                claim_epoch: delta.claimEpoch ?? null,
                now,
                ends: status !== undefined && isTerminal(status) ? 1 : 0,
                status: status ?? null,
                progress: delta.progress ?? null,
                progress_message: nullableText(delta.progressMessage),
                result: delta.result === undefined ? null : JSON.stringify(delta.result),
                error: nullableText(delta.error),
                recv_cursor: delta.recvCursor === undefined ? null : cursorText(delta.recvCursor),
              });
        return { applied, holder: pipe.send(sql.selectHolder, { id }) };
      });
      return () => receiveDeltas(instanceId, deltas, sent);
    },
  };
}

function* receiveDeltas(
  instanceId: string,
  deltas: readonly JobDelta[],
  sent: readonly { applied: Sent<unknown[]> | undefined; holder: Sent<HolderRow[]> }[],
): Io<DeltaOutcome> {
  const outcome: DeltaOutcome = { accepted: 0, rejected: [] };
  for (const [index, { applied, holder }] of sent.entries()) {
    const didApply = applied !== undefined && (yield* applied.receive()).length > 0;
    const [row] = yield* holder.receive();
    if (didApply) {
      outcome.accepted += 1;
      continue;
    }
    const delta = deltas[index]!;
    // The update did not apply, so the row is as it was: its state says why.
    const reason = deltaRejection(holderView(row), instanceId, delta) ?? 'not_owner';
    outcome.rejected.push({ id: delta.id, reason });
  }
  return outcome;
}

/**
 * The holder gives the job back (a retryable error): unowned and claimable again, or failed when
 * its last attempt was used. With `claimEpoch`, only the holder at that epoch may.
 */
export function releaseJob(
  sql: JobStatements,
  release: { id: string; instanceId: string; claimEpoch: number | undefined; reason: string },
  now: number,
): WriteOperation<ReleaseOutcome> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const id = toColumnText(release.id);
      const reason = release.reason.trim();
      const released = pipe.send(sql.release, {
        id,
        instance_id: toColumnText(release.instanceId),
        claim_epoch: release.claimEpoch ?? null,
        now,
        exhausted_error: toColumnText(
          reason === '' ? 'exhausted (release): max retries exceeded' : `exhausted (release): ${reason}`,
        ),
      });
      const holder = pipe.send(sql.selectHolder, { id });
      return () => receiveRelease(released, holder);
    },
  };
}

function* receiveRelease(
  released: Sent<{ status: JobStatus; attempt_count: number | string }[]>,
  holder: Sent<HolderRow[]>,
): Io<ReleaseOutcome> {
  const [row] = yield* released.receive();
  const [current] = yield* holder.receive();
  if (row !== undefined) return { status: row.status, attemptCount: Number(row.attempt_count) };
  return { refused: refusalOf(current) };
}

/**
 * Cancels a job that is not terminal, and appends its `cancelled` event (payload `{"reason"}`) in
 * the same transaction, only if this cancel applied.
 */
export function cancelJob(
  sql: JobStatements,
  cancel: { id: string; reason: string; postedBy: string | null },
  now: number,
): WriteOperation<CancelOutcome> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const id = toColumnText(cancel.id);
      const reason = cancel.reason.trim();
      const cancelled = pipe.send(sql.cancel, {
        id,
        now,
        error: reason === '' ? null : toColumnText(`cancelled: ${reason}`),
      });
      const holder = pipe.send(sql.selectHolder, { id });
      const bumped = pipe.send(sql.cancelEventSeq, { job_id: id, now });
      const logged = pipe.send(sql.insertCancelEvent, {
        job_id: id,
        now,
        payload: JSON.stringify({ reason: cancel.reason }),
        posted_by: nullableText(cancel.postedBy),
      });
      return () => receiveCancel(cancelled, holder, bumped, logged);
    },
  };
}

function* receiveCancel(
  cancelled: Sent<{ owner_instance_id: string | null }[]>,
  holder: Sent<HolderRow[]>,
  bumped: Sent<unknown>,
  logged: Sent<{ seq: number | string }[]>,
): Io<CancelOutcome> {
  const [row] = yield* cancelled.receive();
  const [current] = yield* holder.receive();
  yield* bumped.receive();
  const [event] = yield* logged.receive();
  if (row === undefined) return { refused: refusalOf(current) };
  return {
    previousOwner: row.owner_instance_id === null ? null : fromColumnText(row.owner_instance_id),
    eventSeq: Number(event?.seq ?? 0),
  };
}

/** An operator takes a live job from its holder: claimable again, the claim epoch unchanged. */
export function reclaimJob(sql: JobStatements, jobId: string): WriteOperation<ReclaimOutcome> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const id = toColumnText(jobId);
      // Read before the update: the holder it evicts.
      const before = pipe.send(sql.selectHolder, { id });
      const reclaimed = pipe.send(sql.reclaim, { id });
      return () => receiveReclaim(before, reclaimed);
    },
  };
}

function* receiveReclaim(
  before: Sent<HolderRow[]>,
  reclaimed: Sent<{ status: JobStatus; claim_epoch: number | string }[]>,
): Io<ReclaimOutcome> {
  const [previous] = yield* before.receive();
  const [row] = yield* reclaimed.receive();
  if (row === undefined) return { refused: refusalOf(previous) };
  return {
    status: row.status,
    claimEpoch: Number(row.claim_epoch),
    previousOwner: holderView(previous)?.ownerInstanceId ?? null,
  };
}

/** Appends an event to a job that is not terminal; its seq is the job's next. */
export function appendJobEvent(sql: JobStatements, event: NewJobEvent): WriteOperation<AppendOutcome> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const jobId = toColumnText(event.jobId);
      const bumped = pipe.send(sql.bumpEventSeq, { job_id: jobId, allow_terminal: 0 });
      const inserted = pipe.send(sql.insertEvent, {
        job_id: jobId,
        type: toColumnText(event.type),
        payload: event.payload === null ? null : JSON.stringify(event.payload),
        trace_context: event.traceContext === null ? null : JSON.stringify(event.traceContext),
        posted_by: nullableText(event.postedBy),
        created_at: event.createdAt,
        allow_terminal: 0,
      });
      const holder = pipe.send(sql.selectHolder, { id: jobId });
      return () => receiveAppend(bumped, inserted, holder, event.createdAt);
    },
  };
}

function* receiveAppend(
  bumped: Sent<unknown>,
  inserted: Sent<{ seq: number | string }[]>,
  holder: Sent<HolderRow[]>,
  createdAt: number,
): Io<AppendOutcome> {
  yield* bumped.receive();
  const [row] = yield* inserted.receive();
  const [current] = yield* holder.receive();
  if (row === undefined) return { refused: refusalOf(current) };
  return { seq: Number(row.seq), createdAt };
}

/**
 * An executor reads its job's events: refused when it no longer holds the job at `claimEpoch`,
 * and otherwise its lease is extended (poll liveness); a terminal job is read as it is.
 */
export function authorizeExecutorRead(
  sql: JobStatements,
  read: { id: string; instanceId: string; claimEpoch: number },
  now: number,
): WriteOperation<ExecutorReadOutcome> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const id = toColumnText(read.id);
      const extended = pipe.send(sql.extendLease, {
        id,
        instance_id: toColumnText(read.instanceId),
        claim_epoch: read.claimEpoch,
        now,
      });
      const holder = pipe.send(sql.selectHolder, { id });
      return () => receiveExecutorRead(extended, holder, read);
    },
  };
}

function* receiveExecutorRead(
  extended: Sent<unknown>,
  holder: Sent<HolderRow[]>,
  read: { instanceId: string; claimEpoch: number },
): Io<ExecutorReadOutcome> {
  yield* extended.receive();
  const row = holderView((yield* holder.receive())[0]);
  if (row === undefined) return 'not_found';
  if (isTerminal(row.status)) return 'terminal';
  return row.ownerInstanceId === read.instanceId && row.claimEpoch === read.claimEpoch
    ? 'extended'
    : 'superseded';
}

/**
 * The jobs' part of a health sweep, in upstream's order: orphans (owner not a healthy agent),
 * expired leases, total deadlines, then the events of jobs terminal since before `purgeBefore`.
 */
export function sweepJobs(
  sql: JobStatements,
  now: number,
  purgeBefore: number | undefined,
): WriteOperation<JobSweepResult> {
  return {
    isIsolated: false,
    send({ pipe }) {
      const orphans = pipe.send(sql.orphans, { now });
      const leases = pipe.send(sql.expiredLeases, { now });
      const deadlines = pipe.send(sql.pastDeadline, { now });
      const purged =
        purgeBefore === undefined ? undefined : pipe.send(sql.purgeEvents, { before: purgeBefore });
      return () => receiveSweep(orphans, leases, deadlines, purged);
    },
  };
}

type Swept = Sent<{ id: string; status: JobStatus }[]>;

function* receiveSweep(
  orphans: Swept,
  leases: Swept,
  deadlines: Swept,
  purged: Sent<unknown> | undefined,
): Io<JobSweepResult> {
  const orphaned = yield* orphans.receive();
  const expired = yield* leases.receive();
  const deadlined = yield* deadlines.receive();
  if (purged !== undefined) yield* purged.receive();
  const failed = (rows: readonly { status: JobStatus }[]) =>
    rows.filter((row) => row.status === 'failed').length;
  return {
    orphansReset: orphaned.length - failed(orphaned),
    orphansFailed: failed(orphaned),
    leasesReset: expired.length - failed(expired),
    leasesFailed: failed(expired),
    deadlined: deadlined.length,
  };
}
