/**
 * The SQL of MeshJobs and their events, written once with `$name` parameters. Jobs are not in the
 * snapshot: every read goes to the database, so every replica serves every replica's jobs at
 * once. Every change of a job is one conditional statement, so it applies only to the state its
 * caller saw (a holder's owner and claim epoch, a sweep's expired lease), whatever another
 * replica did meanwhile. Parameters PostgreSQL cannot type from their use are cast.
 */

import type { JobStatus } from '../../mesh/jobs/job.js';
import { DEFAULT_LEASE_SECONDS } from '../../mesh/jobs/lease.js';
import { type JobSql, type Params, type Statement, statement } from '../dialect.js';

/** A mesh_jobs row (text columns escaped, JSON columns as text, times in µs). */
export type JobRow = {
  id: string;
  capability: string;
  status: JobStatus;
  owner_instance_id: string | null;
  claim_epoch: number | string;
  attempt_count: number | string;
  max_retries: number | string;
  max_duration: number | string | null;
  total_deadline: number | string | null;
  lease_expires_at: number | string | null;
  last_heartbeat_at: number | string | null;
  submitted_at: number | string;
  submitted_by: string | null;
  submitted_payload: string;
  progress: number | null;
  progress_message: string | null;
  result: string | null;
  error: string | null;
  recv_cursor: string | null;
};

export type JobEventRow = {
  job_id: string;
  seq: number | string;
  type: string;
  payload: string | null;
  trace_context: string | null;
  posted_by: string | null;
  created_at: number | string;
};

/** What decides a holder's refusal: read after a conditional update that did not apply. */
export type HolderRow = Pick<JobRow, 'status' | 'owner_instance_id' | 'claim_epoch'>;

const JOB_COLUMNS = `id, capability, status, owner_instance_id, claim_epoch, attempt_count, max_retries,
  max_duration, total_deadline, lease_expires_at, last_heartbeat_at, submitted_at, submitted_by,
  submitted_payload, progress, progress_message, result, error, recv_cursor`;

const EVENT_COLUMNS = 'job_id, seq, type, payload, trace_context, posted_by, created_at';

const TERMINAL = `('completed', 'failed', 'cancelled')`;
const LIVE = `('working', 'input_required')`;

/** `$now` typed for PostgreSQL, which would otherwise take it for a 32-bit integer in arithmetic. */
const NOW = 'CAST($now AS BIGINT)';

/** The job's lease window in µs: its `max_duration`, else the default. */
const LEASE_WINDOW = `(CASE WHEN max_duration > 0 THEN max_duration ELSE ${DEFAULT_LEASE_SECONDS} END) * 1000000`;

export type NewJobColumns = {
  id: string;
  capability: string;
  owner_instance_id: string | null;
  max_retries: number;
  max_duration: number | null;
  total_deadline: number | null;
  submitted_at: number;
  submitted_by: string | null;
  submitted_payload: string;
};

export type DeltaParams = {
  id: string;
  instance_id: string;
  claim_epoch: number | null;
  now: number;
  /** 1 when the delta ends the job (its lease is then left as it was). */
  ends: number;
  status: string | null;
  progress: number | null;
  progress_message: string | null;
  result: string | null;
  error: string | null;
  recv_cursor: string | null;
};

export type ListJobsParams = {
  /** 0: every status; else the statuses given (unused ones null). */
  by_status: number;
  status_a: string | null;
  status_b: string | null;
  status_c: string | null;
  status_d: string | null;
  status_e: string | null;
  owner_instance_id: string | null;
  capability: string | null;
  submitted_since: number | null;
  /** Rows after this position (submitted_at, id) in descending order; null: from the newest. */
  before_at: number | null;
  before_id: string | null;
  limit: number;
};

export type NewEventParams = {
  job_id: string;
  type: string;
  payload: string | null;
  trace_context: string | null;
  posted_by: string | null;
  created_at: number;
  /** 1: also on a terminal job (the registry's own `cancelled` event). */
  allow_terminal: number;
};

/** Sweep results: the id and the status a job was left in. */
type SweptRow = { id: string; status: JobStatus };

/** The statements of jobs, with the few expressions the database supplies. */
export interface JobStatements {
  insert: Statement<NewJobColumns, never>;
  select: Statement<{ id: string }, JobRow>;
  selectHolder: Statement<{ id: string }, HolderRow>;
  list: Statement<ListJobsParams, JobRow>;
  claim: Statement<{ capability: string; instance_id: string; now: number }, JobRow>;
  applyDelta: Statement<DeltaParams, { id: string }>;
  release: Statement<
    { id: string; instance_id: string; claim_epoch: number | null; now: number; exhausted_error: string },
    { status: JobStatus; attempt_count: number | string }
  >;
  cancel: Statement<{ id: string; now: number; error: string | null }, { owner_instance_id: string | null }>;
  reclaim: Statement<{ id: string }, { status: JobStatus; claim_epoch: number | string }>;
  extendLease: Statement<
    { id: string; instance_id: string; claim_epoch: number; now: number },
    { id: string }
  >;
  bumpEventSeq: Statement<{ job_id: string; allow_terminal: number }, { event_seq: number | string }>;
  insertEvent: Statement<NewEventParams, { seq: number | string }>;
  cancelEventSeq: Statement<{ job_id: string; now: number }, { event_seq: number | string }>;
  insertCancelEvent: Statement<
    { job_id: string; now: number; payload: string; posted_by: string | null },
    { seq: number | string }
  >;
  listEvents: Statement<{ job_id: string; after: number; types: string | null; limit: number }, JobEventRow>;
  orphans: Statement<{ now: number }, SweptRow>;
  expiredLeases: Statement<{ now: number }, SweptRow>;
  pastDeadline: Statement<{ now: number }, SweptRow>;
  purgeEvents: Statement<{ before: number }, never>;
  countLiveClaims: Statement<Params, { live: number | string }>;
  countPending: Statement<Params, { capability: string; pending: number | string }>;
  eventSeqs: Statement<{ ids: string }, { id: string; event_seq: number | string }>;
}

/**
 * A job whose holder is gone: back to the pool (owner, lease and last heartbeat cleared) while it
 * has attempts left, else failed with `$reason`-like text.
 */
function returnToPool(exhaustedError: string): string {
  return `status = CASE WHEN attempt_count > max_retries THEN 'failed' ELSE 'working' END,
      error = CASE WHEN attempt_count > max_retries THEN '${exhaustedError}' ELSE error END,
      last_heartbeat_at = CASE WHEN attempt_count > max_retries THEN ${NOW} ELSE NULL END,
      owner_instance_id = NULL, lease_expires_at = NULL`;
}

export function jobStatements(sql: JobSql): JobStatements {
  return {
    insert: statement(
      'jobInsert',
      `INSERT INTO mesh_jobs (id, capability, status, owner_instance_id, claim_epoch, attempt_count, max_retries,
        max_duration, total_deadline, submitted_at, submitted_by, submitted_payload)
      VALUES ($id, $capability, 'working', $owner_instance_id, 0, 0, $max_retries, $max_duration, $total_deadline,
        $submitted_at, $submitted_by, $submitted_payload)`,
    ),
    select: statement('jobSelect', `SELECT ${JOB_COLUMNS} FROM mesh_jobs WHERE id = $id`),
    selectHolder: statement(
      'jobSelectHolder',
      'SELECT status, owner_instance_id, claim_epoch FROM mesh_jobs WHERE id = $id',
    ),
    list: statement(
      'jobList',
      `SELECT ${JOB_COLUMNS} FROM mesh_jobs
      WHERE (CAST($by_status AS INTEGER) = 0 OR status IN (CAST($status_a AS TEXT), CAST($status_b AS TEXT), CAST($status_c AS TEXT), CAST($status_d AS TEXT),
          CAST($status_e AS TEXT)))
        AND (CAST($owner_instance_id AS TEXT) IS NULL OR owner_instance_id = $owner_instance_id)
        AND (CAST($capability AS TEXT) IS NULL OR capability = $capability)
        AND (CAST($submitted_since AS BIGINT) IS NULL OR submitted_at >= $submitted_since)
        AND (CAST($before_at AS BIGINT) IS NULL OR submitted_at < $before_at
          OR (submitted_at = $before_at AND id < CAST($before_id AS TEXT)))
      ORDER BY submitted_at DESC, id DESC LIMIT $limit`,
    ),
    // One statement: the oldest claimable job of the capability is taken, or none. On PostgreSQL
    // the candidate row is locked (others skip it), and the update checks it is still unowned.
    claim: statement(
      'jobClaim',
      `UPDATE mesh_jobs SET owner_instance_id = $instance_id, attempt_count = attempt_count + 1,
        claim_epoch = claim_epoch + 1, lease_expires_at = ${NOW} + ${LEASE_WINDOW}, last_heartbeat_at = ${NOW}
      WHERE id = (
          SELECT id FROM mesh_jobs
          WHERE capability = $capability AND status = 'working' AND owner_instance_id IS NULL
            AND attempt_count <= max_retries AND (SELECT draining FROM mesh_state WHERE id = 1) = 0
          ORDER BY submitted_at, id LIMIT 1${sql.skipLocked})
        AND owner_instance_id IS NULL
      RETURNING ${JOB_COLUMNS}`,
    ),
    // Fenced: only the holder (and, when the delta carries it, at its claim epoch) of a live job.
    applyDelta: statement(
      'jobApplyDelta',
      `UPDATE mesh_jobs SET last_heartbeat_at = ${NOW},
        lease_expires_at = CASE WHEN CAST($ends AS INTEGER) = 1 THEN lease_expires_at ELSE ${NOW} + ${LEASE_WINDOW} END,
        progress = coalesce(CAST($progress AS DOUBLE PRECISION), progress),
        progress_message = coalesce(CAST($progress_message AS TEXT), progress_message),
        recv_cursor = CASE WHEN CAST($recv_cursor AS TEXT) IS NULL THEN recv_cursor
          ELSE ${sql.mergeCursor('recv_cursor', 'CAST($recv_cursor AS TEXT)')} END,
        result = CASE WHEN CAST($status AS TEXT) = 'completed' AND CAST($result AS TEXT) IS NOT NULL
          THEN CAST($result AS TEXT) ELSE result END,
        error = CASE WHEN CAST($status AS TEXT) = 'failed' AND CAST($error AS TEXT) IS NOT NULL
          THEN CAST($error AS TEXT) ELSE error END,
        status = coalesce(CAST($status AS TEXT), status)
      WHERE id = $id AND owner_instance_id = $instance_id AND status NOT IN ${TERMINAL}
        AND (CAST($claim_epoch AS BIGINT) IS NULL OR claim_epoch = CAST($claim_epoch AS BIGINT))
      RETURNING id`,
    ),
    release: statement(
      'jobRelease',
      `UPDATE mesh_jobs SET owner_instance_id = NULL, lease_expires_at = NULL, last_heartbeat_at = ${NOW},
        status = CASE WHEN attempt_count > max_retries THEN 'failed' ELSE status END,
        error = CASE WHEN attempt_count > max_retries THEN $exhausted_error ELSE error END
      WHERE id = $id AND owner_instance_id = $instance_id AND status NOT IN ${TERMINAL}
        AND (CAST($claim_epoch AS BIGINT) IS NULL OR claim_epoch = CAST($claim_epoch AS BIGINT))
      RETURNING status, attempt_count`,
    ),
    // The owner is kept (upstream's row shows who held it); the cancel is passed on to it.
    cancel: statement(
      'jobCancel',
      `UPDATE mesh_jobs SET status = 'cancelled', last_heartbeat_at = ${NOW},
        error = coalesce(CAST($error AS TEXT), error)
      WHERE id = $id AND status NOT IN ${TERMINAL}
      RETURNING owner_instance_id`,
    ),
    // The claim epoch stays: the next claim mints the new one, fencing the evicted holder.
    reclaim: statement(
      'jobReclaim',
      `UPDATE mesh_jobs SET status = 'working', owner_instance_id = NULL, lease_expires_at = NULL,
        last_heartbeat_at = NULL
      WHERE id = $id AND status IN ${LIVE}
      RETURNING status, claim_epoch`,
    ),
    // An executor's poll: a fresh lease, never past the total deadline, and only ever longer.
    extendLease: statement(
      'jobExtendLease',
      `UPDATE mesh_jobs SET last_heartbeat_at = ${NOW},
        lease_expires_at = CASE WHEN total_deadline IS NOT NULL AND total_deadline < ${NOW} + ${LEASE_WINDOW}
          THEN total_deadline ELSE ${NOW} + ${LEASE_WINDOW} END
      WHERE id = $id AND owner_instance_id = $instance_id AND claim_epoch = $claim_epoch
        AND status NOT IN ${TERMINAL}
        AND (lease_expires_at IS NULL OR lease_expires_at < CASE
          WHEN total_deadline IS NOT NULL AND total_deadline < ${NOW} + ${LEASE_WINDOW}
          THEN total_deadline ELSE ${NOW} + ${LEASE_WINDOW} END)
      RETURNING id`,
    ),
    // An event's seq: the job row's counter, bumped under its row lock (appends take turns), then
    // read back by the insert in the same transaction.
    bumpEventSeq: statement(
      'jobBumpEventSeq',
      `UPDATE mesh_jobs SET event_seq = event_seq + 1
      WHERE id = $job_id AND (CAST($allow_terminal AS INTEGER) = 1 OR status NOT IN ${TERMINAL})
      RETURNING event_seq`,
    ),
    insertEvent: statement(
      'jobInsertEvent',
      `INSERT INTO mesh_job_events (${EVENT_COLUMNS})
      SELECT id, event_seq, CAST($type AS TEXT), CAST($payload AS TEXT), CAST($trace_context AS TEXT),
        CAST($posted_by AS TEXT), CAST($created_at AS BIGINT) FROM mesh_jobs
      WHERE id = $job_id AND (CAST($allow_terminal AS INTEGER) = 1 OR status NOT IN ${TERMINAL})
      RETURNING seq`,
    ),
    // The `cancelled` event, only if this transaction's cancel applied (status and time are its
    // own), and once: a second cancel in the same batch at the same µs finds the first's event.
    cancelEventSeq: statement(
      'jobCancelEventSeq',
      `UPDATE mesh_jobs SET event_seq = event_seq + 1
      WHERE id = $job_id AND status = 'cancelled' AND last_heartbeat_at = ${NOW}
        AND NOT EXISTS (SELECT 1 FROM mesh_job_events
          WHERE job_id = $job_id AND type = 'cancelled' AND created_at = ${NOW})
      RETURNING event_seq`,
    ),
    insertCancelEvent: statement(
      'jobInsertCancelEvent',
      `INSERT INTO mesh_job_events (${EVENT_COLUMNS})
      SELECT id, event_seq, 'cancelled', CAST($payload AS TEXT), NULL, CAST($posted_by AS TEXT), ${NOW} FROM mesh_jobs
      WHERE id = $job_id AND status = 'cancelled' AND last_heartbeat_at = ${NOW}
        AND NOT EXISTS (SELECT 1 FROM mesh_job_events
          WHERE job_id = $job_id AND type = 'cancelled' AND created_at = ${NOW})
      RETURNING seq`,
    ),
    listEvents: statement(
      'jobListEvents',
      `SELECT ${EVENT_COLUMNS} FROM mesh_job_events
      WHERE job_id = $job_id AND seq > $after
        AND (CAST($types AS TEXT) IS NULL OR ${sql.inJsonArray('type', 'CAST($types AS TEXT)')})
      ORDER BY seq LIMIT $limit`,
    ),
    orphans: statement(
      'jobOrphans',
      `UPDATE mesh_jobs SET ${returnToPool('orphaned: max retries exceeded')}
      WHERE status IN ${LIVE} AND owner_instance_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM mesh_agents
          WHERE mesh_agents.id = mesh_jobs.owner_instance_id AND mesh_agents.status = 'healthy')
      RETURNING id, status`,
    ),
    expiredLeases: statement(
      'jobExpiredLeases',
      `UPDATE mesh_jobs SET ${returnToPool('lease expired: no completion within lease window')}
      WHERE status IN ${LIVE} AND lease_expires_at IS NOT NULL AND lease_expires_at < ${NOW}
      RETURNING id, status`,
    ),
    pastDeadline: statement(
      'jobPastDeadline',
      `UPDATE mesh_jobs SET status = 'failed', error = 'deadline_exceeded', lease_expires_at = NULL,
        owner_instance_id = NULL, last_heartbeat_at = ${NOW}
      WHERE total_deadline IS NOT NULL AND total_deadline < ${NOW} AND status NOT IN ${TERMINAL}
      RETURNING id, status`,
    ),
    purgeEvents: statement(
      'jobPurgeEvents',
      `DELETE FROM mesh_job_events WHERE job_id IN (
        SELECT id FROM mesh_jobs WHERE status IN ${TERMINAL} AND last_heartbeat_at < $before)`,
    ),
    eventSeqs: statement(
      'jobEventSeqs',
      `SELECT id, event_seq FROM mesh_jobs WHERE ${sql.inJsonArray('id', 'CAST($ids AS TEXT)')}`,
    ),
    countPending: statement(
      'jobCountPending',
      `SELECT capability, count(*) AS pending FROM mesh_jobs
      WHERE status = 'working' AND owner_instance_id IS NULL AND attempt_count <= max_retries
      GROUP BY capability`,
    ),
    countLiveClaims: statement(
      'jobCountLiveClaims',
      `SELECT count(*) AS live FROM mesh_jobs WHERE status IN ${LIVE} AND owner_instance_id IS NOT NULL`,
    ),
  };
}
