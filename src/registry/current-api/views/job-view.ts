/**
 * Jobs and their events as the Go registry 3.7.1 writes them (`jobToAPI`, `jobEventToAPI`): times
 * in Unix seconds, progress as float32, every field present (null when unset), `recv_cursor` only
 * when not empty. Keys are written in byte order by `sendGoJson`.
 */

import type { Static } from 'typebox';
import { float32Value } from '../../../mesh/jobs/float32.js';
import type { JobEvent, JobRecord } from '../../../mesh/jobs/job.js';
import { unixSeconds } from '../../../mesh/jobs/lease.js';
import type { Micros } from '../../../shared/clock.js';
import type { ClaimedJobReply, JobEventReply, JobReply } from '../schemas/jobs.js';

function seconds(micros: Micros | null): number | null {
  return micros === null ? null : unixSeconds(micros);
}

function cursorOf(job: JobRecord): JobReply['recv_cursor'] {
  return job.recvCursor !== null && Object.keys(job.recvCursor).length > 0 ? job.recvCursor : null;
}

export function jobView(job: JobRecord): JobReply {
  return {
    attempt_count: job.attemptCount,
    capability: job.capability,
    claim_epoch: job.claimEpoch,
    error: job.error,
    id: job.id,
    last_heartbeat_at: seconds(job.lastHeartbeatAt),
    lease_expires_at: seconds(job.leaseExpiresAt),
    max_duration: job.maxDuration,
    max_retries: job.maxRetries,
    owner_instance_id: job.ownerInstanceId,
    progress: job.progress === null ? null : float32Value(job.progress),
    progress_message: job.progressMessage,
    recv_cursor: cursorOf(job),
    result: job.result,
    status: job.status,
    submitted_at: unixSeconds(job.submittedAt),
    submitted_by: job.submittedBy ?? '',
    submitted_payload: job.submittedPayload,
    total_deadline: seconds(job.totalDeadline),
  };
}

/** A job as `POST /jobs/claim` hands it to its new holder. */
export function claimedJobView(job: JobRecord): Static<typeof ClaimedJobReply> {
  return {
    attempt_count: job.attemptCount,
    claim_epoch: job.claimEpoch,
    id: job.id,
    lease_expires_at: seconds(job.leaseExpiresAt),
    max_duration: job.maxDuration,
    recv_cursor: job.recvCursor,
    submitted_payload: job.submittedPayload,
  };
}

export function jobEventView(event: JobEvent): Static<typeof JobEventReply> {
  return {
    created_at: unixSeconds(event.createdAt),
    job_id: event.jobId,
    payload: event.payload,
    posted_by: event.postedBy,
    seq: event.seq,
    trace_context: event.traceContext,
    type: event.type,
  };
}
