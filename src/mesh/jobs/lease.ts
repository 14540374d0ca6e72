/**
 * Lease arithmetic of MeshJobs, as the upstream registry computes it. A claim, and every accepted
 * non-terminal holder update, gives the holder a lease of the job's `max_duration` (default 300 s);
 * an executor's poll of the job's events extends it too, capped by the total deadline. Pure.
 */
import type { Micros } from '../../shared/clock.js';
import type { JobRecord } from './job.js';

/** The lease a claim gives when the job has no `max_duration`. */
export const DEFAULT_LEASE_SECONDS = 300;

const MICROS_PER_SECOND = 1_000_000;

/** How long one lease lasts for this job, in µs. */
export function leaseWindow(job: Pick<JobRecord, 'maxDuration'>): Micros {
  const seconds = job.maxDuration !== null && job.maxDuration > 0 ? job.maxDuration : DEFAULT_LEASE_SECONDS;
  return seconds * MICROS_PER_SECOND;
}

/** The lease an executor's poll at `now` writes: a fresh window, never past the total deadline. */
export function pollLease(job: Pick<JobRecord, 'maxDuration' | 'totalDeadline'>, now: Micros): Micros {
  const lease = now + leaseWindow(job);
  return job.totalDeadline !== null && lease > job.totalDeadline ? job.totalDeadline : lease;
}

/** Unix seconds as the upstream registry writes a time (`time.Unix()`: rounded down). */
export function unixSeconds(micros: Micros): number {
  return Math.floor(micros / MICROS_PER_SECOND);
}

/** Unix seconds (an API input) as µs. */
export function fromUnixSeconds(seconds: number): Micros {
  return seconds * MICROS_PER_SECOND;
}
