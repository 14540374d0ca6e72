/**
 * The jobs API (MeshJob: tools with `task=True`) as the Go registry 3.7.1 serves it to the SDK,
 * `meshctl job` and the UI: submit, list, claim, the holder's updates, release, cancel (passed on
 * to the holder), operator reclaim, and each job's event log with cursors and long-polls. Every
 * read and write goes to the database, so replicas sharing it serve one set of jobs. Bodies and
 * query strings are bound as Go binds them, errors answered in its shape (`{"error", "timestamp"}`,
 * or `{"msg"}` for a query parameter it cannot bind); nothing is stored for a refused request.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import type { AgentRecord } from '../../../mesh/agent.js';
import { isJobStatus, type JobDelta, type JobRefusal, type JobStatus } from '../../../mesh/jobs/job.js';
import { fromUnixSeconds, unixSeconds } from '../../../mesh/jobs/lease.js';
import { decodeListCursor, encodeListCursor } from '../../../mesh/jobs/list-cursor.js';
import { isoNanosZ, nowMicros } from '../../../shared/clock.js';
import { goJsonText } from '../../http/go-json.js';
import { sendGoJson, sendJsonText } from '../../http/replies.js';
import { bindGoJson } from '../go-json-binding.js';
import { useHeartbeatErrors } from '../invalid-heartbeat.js';
import { FORWARDED_CANCEL_HEADERS, forwardCancel } from '../job-cancel-forward.js';
import { JobEventWaiters } from '../job-event-waiters.js';
import type { MeshTopology } from '../mesh-topology.js';
import { AgentTls } from '../proxy/agent-tls.js';
import { CurrentErrorReply } from '../schemas/current-heartbeat.js';
import {
  CancelJobReply,
  CancelJobRequest,
  ClaimJobsReply,
  ClaimJobsRequest,
  CreateJobReply,
  CreateJobRequest,
  JobBatchReply,
  JobBatchRequest,
  JobEventListReply,
  JobEventPostReply,
  JobEventPostRequest,
  JobIdParams,
  JobReply,
  JobsListReply,
  ListJobEventsQuery,
  ListJobsQuery,
  ReclaimJobReply,
  ReleaseJobReply,
  ReleaseJobRequest,
} from '../schemas/jobs.js';
import { claimedJobView, jobEventView, jobView } from '../views/job-view.js';
import { BindErrorReply, bindInteger, repeatedParameterError } from './query-binding.js';

/** Long-polls waiting at once on one process; more answer 503. */
export const MAX_WAITING_EVENT_READS = 1000;

const LIST_DEFAULT_LIMIT = 50;
const LIST_MAX_LIMIT = 200;
const EVENTS_DEFAULT_LIMIT = 100;
const EVENTS_MAX_LIMIT = 500;
const EVENTS_MAX_WAIT_SECONDS = 60;

/** The latest time a job can hold (year 9999, as Unix seconds): later deadlines are kept as this. */
const MAX_UNIX_SECONDS = 253_402_300_799;
const MIN_UNIX_SECONDS = -62_135_596_800;

const ERRORS = { 400: CurrentErrorReply, 503: CurrentErrorReply };

function goError(reply: FastifyReply, status: number, error: string): FastifyReply {
  return sendJsonText(reply, status, goJsonText({ error, timestamp: isoNanosZ(nowMicros()) }));
}

function notFound(reply: FastifyReply, jobId: string): FastifyReply {
  return goError(reply, 404, `job not found: ${jobId}`);
}

const TERMINAL_ERROR = 'job is already in a terminal state';

/** The raw body, read as the Go registry reads it (`ShouldBindJSON`), or its 400. */
function bindBody<T extends TSchema>(request: FastifyRequest, reply: FastifyReply, schema: T) {
  const bound = bindGoJson(request.body as Buffer | undefined, schema);
  if ('error' in bound) {
    goError(reply, 400, `Invalid JSON payload: ${bound.error}`);
    return undefined;
  }
  return bound.value;
}

/** A query string's integer parameters bound in order, as the Go registry's wrapper binds them. */
function bindQueryIntegers(
  request: FastifyRequest,
  reply: FastifyReply,
  names: readonly string[],
  integers: readonly string[],
): Record<string, number | undefined> | undefined {
  const repeated = repeatedParameterError(request.url, names);
  if (repeated !== undefined) {
    sendGoJson(reply as FastifyReply, 400, { msg: repeated } as never);
    return undefined;
  }
  const query = request.query as Record<string, string | undefined>;
  const bound: Record<string, number | undefined> = {};
  for (const name of names) {
    if (!integers.includes(name)) continue;
    // An empty value binds as absent.
    const value = bindInteger(name, query[name] === '' ? undefined : query[name]);
    if (typeof value === 'string') {
      sendGoJson(reply as FastifyReply, 400, { msg: value } as never);
      return undefined;
    }
    bound[name] = value;
  }
  return bound;
}

function refusalReply(
  reply: FastifyReply,
  jobId: string,
  refusal: JobRefusal,
  notOwner: string,
): FastifyReply {
  if (refusal === 'not_found') return notFound(reply, jobId);
  if (refusal === 'terminal') return goError(reply, 409, TERMINAL_ERROR);
  return goError(reply, 403, notOwner);
}

/**
 * Upstream's claim gate: a provider whose capability is unavailable (a required dependency does
 * not resolve) claims nothing, so it does not take work it cannot finish. Only a registered,
 * healthy claimer is gated (upstream asks of its capability rows, not of its health).
 */
function isUnavailableFor(
  topology: MeshTopology,
  claimer: AgentRecord | undefined,
  capability: string,
): boolean {
  if (claimer === undefined || claimer.status !== 'healthy') return false;
  return claimer.capabilities.some(
    (provided, position) =>
      provided.name === capability && topology.unavailableReason(claimer, position) !== '',
  );
}

/** Waits `ms`, or less when the caller's connection closes first. */
function graceUnlessGone(reply: FastifyReply, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      reply.raw.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    reply.raw.once('close', done);
  });
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useHeartbeatErrors(app);
  // Bodies are bound by the handlers, whatever their content type, as Go binds them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setValidatorCompiler(() => () => true);

  const tags = ['jobs'];
  const log = app.log.child({ module: 'jobs' });
  const waiters = new JobEventWaiters(
    MAX_WAITING_EVENT_READS,
    (ids) => app.store.jobEventSeqs(ids),
    (error) => log.warn({ err: error }, 'looking for new job events failed'),
  );
  const agentTls = new AgentTls({
    ca: app.config.tlsCaFile,
    cert: app.config.tlsCertFile,
    key: app.config.tlsKeyFile,
  });
  const pendingForwards = new Set<Promise<void>>();
  // Closing ends every long-poll at once (answered with what it has), then waits for the forwards.
  const closing = new AbortController();
  app.addHook('preClose', async () => {
    closing.abort();
  });
  app.addHook('onClose', async () => {
    await Promise.all(pendingForwards);
  });

  app.post(
    '/jobs',
    {
      schema: {
        summary: 'Submit a job (push mode with owner_instance_id, else pull mode: a replica claims it)',
        tags,
        body: CreateJobRequest,
        response: { 201: CreateJobReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const body = bindBody(request, reply, CreateJobRequest);
      if (body === undefined) return reply;
      if (!body.capability) return goError(reply, 400, 'capability is required');
      if (!body.submitted_by) return goError(reply, 400, 'submitted_by is required');
      if (body.submitted_payload === undefined) return goError(reply, 400, 'submitted_payload is required');
      if (body.max_retries !== undefined && body.max_retries < 0) {
        return goError(reply, 400, 'max_retries must be non-negative');
      }
      if (body.max_duration !== undefined && body.max_duration < 1) {
        return goError(reply, 400, 'max_duration must be positive');
      }
      const deadline = body.total_deadline;
      const created = await app.store.createJob({
        id: randomUUID(),
        capability: body.capability,
        submittedBy: body.submitted_by,
        submittedPayload: body.submitted_payload,
        ownerInstanceId: body.owner_instance_id || null,
        maxRetries: body.max_retries ?? 1,
        maxDuration: body.max_duration ?? null,
        totalDeadline:
          deadline === undefined
            ? null
            : fromUnixSeconds(Math.min(Math.max(deadline, MIN_UNIX_SECONDS), MAX_UNIX_SECONDS)),
        submittedAt: nowMicros(),
      });
      return sendGoJson(reply, 201, {
        id: created.id,
        owner_instance_id: created.ownerInstanceId,
        status: created.status,
      });
    },
  );

  app.get(
    '/jobs',
    {
      schema: {
        summary: 'List jobs, newest first, with filters and page cursors',
        tags,
        querystring: ListJobsQuery,
        response: { 200: JobsListReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const names = ['status', 'owner_instance_id', 'capability', 'submitted_since', 'limit', 'cursor'];
      const integers = bindQueryIntegers(request, reply, names, ['submitted_since', 'limit']);
      if (integers === undefined) return reply;
      const limit = integers.limit ?? LIST_DEFAULT_LIMIT;
      if (limit < 1 || limit > LIST_MAX_LIMIT) {
        return goError(reply, 400, `limit must be in [1, ${LIST_MAX_LIMIT}], got ${limit}`);
      }
      const statuses: JobStatus[] = [];
      for (const token of splitList(request.query.status ?? '')) {
        if (!isJobStatus(token)) {
          return goError(
            reply,
            400,
            `invalid status ${JSON.stringify(token)}: must be one of working,input_required,completed,failed,cancelled`,
          );
        }
        statuses.push(token);
      }
      const cursor = (request.query.cursor ?? '').trim();
      let after: { submittedAt: number; id: string } | undefined;
      if (cursor !== '') {
        const decoded = decodeListCursor(cursor);
        if ('error' in decoded) return goError(reply, 400, `ListJobs: invalid cursor: ${decoded.error}`);
        after = decoded;
      }
      const since = integers.submitted_since;
      const owner = (request.query.owner_instance_id ?? '').trim();
      const capability = (request.query.capability ?? '').trim();
      const jobs = await app.store.listJobs({
        statuses: [...new Set(statuses)],
        ownerInstanceId: owner === '' ? undefined : owner,
        capability: capability === '' ? undefined : capability,
        submittedSince: since !== undefined && since > 0 ? fromUnixSeconds(since) : undefined,
        after,
        limit: limit + 1,
      });
      const page = jobs.slice(0, limit);
      const last = page.at(-1);
      return sendGoJson(reply, 200, {
        jobs: page.map(jobView),
        next_cursor:
          jobs.length > limit && last !== undefined
            ? encodeListCursor({ submittedAt: last.submittedAt, id: last.id })
            : null,
      });
    },
  );

  app.post(
    '/jobs/batch',
    {
      schema: {
        summary: "A holder's updates (progress, result, status, recv_cursor); also its lease heartbeat",
        tags,
        body: JobBatchRequest,
        response: { 200: JobBatchReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const body = bindBody(request, reply, JobBatchRequest);
      if (body === undefined) return reply;
      if (!body.instance_id) return goError(reply, 400, 'instance_id is required');
      const deltas = body.deltas ?? [];
      if (deltas.length === 0) return goError(reply, 400, 'deltas must not be empty');
      const bound: JobDelta[] = [];
      for (const delta of deltas) {
        if (!delta.id) return goError(reply, 400, 'every delta requires a non-empty id');
        bound.push({
          id: delta.id,
          claimEpoch: delta.claim_epoch,
          status: delta.status,
          progress: delta.progress,
          progressMessage: delta.progress_message,
          result: delta.result,
          error: delta.error,
          recvCursor: delta.recv_cursor,
        });
      }
      const outcome = await app.store.applyJobDeltas(body.instance_id, bound, nowMicros());
      return sendGoJson(reply, 200, { accepted: outcome.accepted, rejected: outcome.rejected });
    },
  );

  app.post(
    '/jobs/claim',
    {
      schema: {
        summary: 'Claim the oldest claimable job of a capability (none while the registry drains)',
        tags,
        body: ClaimJobsRequest,
        response: { 200: ClaimJobsReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const body = bindBody(request, reply, ClaimJobsRequest);
      if (body === undefined) return reply;
      if (!body.capability) return goError(reply, 400, 'capability is required');
      if (!body.instance_id) return goError(reply, 400, 'instance_id is required');
      if (isUnavailableFor(app.topology, app.store.getAgent(body.instance_id), body.capability)) {
        return sendGoJson(reply, 200, { claimed: [] });
      }
      const claimed = await app.store.claimJob(body.capability, body.instance_id, nowMicros());
      return sendGoJson(reply, 200, { claimed: claimed === undefined ? [] : [claimedJobView(claimed)] });
    },
  );

  app.get(
    '/jobs/:job_id',
    {
      schema: {
        summary: 'One job, from the database',
        tags,
        params: JobIdParams,
        response: { 200: JobReply, 404: CurrentErrorReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const job = await app.store.getJob(request.params.job_id);
      if (job === undefined) return notFound(reply, request.params.job_id);
      return sendGoJson(reply, 200, jobView(job));
    },
  );

  app.post(
    '/jobs/:job_id/release',
    {
      schema: {
        summary:
          'The holder gives the job back (a retryable error): claimable again, or failed when out of attempts',
        tags,
        params: JobIdParams,
        body: ReleaseJobRequest,
        response: { 200: ReleaseJobReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const jobId = request.params.job_id;
      const body = bindBody(request, reply, ReleaseJobRequest);
      if (body === undefined) return reply;
      const instanceId = (body.instance_id ?? '').trim();
      if (instanceId === '') return goError(reply, 400, 'instance_id is required');
      const outcome = await app.store.releaseJob(
        { id: jobId, instanceId, claimEpoch: body.claim_epoch, reason: body.reason ?? '' },
        nowMicros(),
      );
      if ('refused' in outcome) {
        return refusalReply(reply, jobId, outcome.refused, 'caller is not the current owner of this job');
      }
      return sendGoJson(reply, 200, { attempt_count: outcome.attemptCount, status: outcome.status });
    },
  );

  app.post(
    '/jobs/:job_id/cancel',
    {
      schema: {
        summary: 'Cancel a job: its cancelled event, then the cancel passed on to the holder',
        tags,
        params: JobIdParams,
        body: CancelJobRequest,
        response: { 200: CancelJobReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const jobId = request.params.job_id;
      let reason = '';
      const raw = request.body as Buffer | undefined;
      if (raw !== undefined && raw.length > 0) {
        const body = bindBody(request, reply, CancelJobRequest);
        if (body === undefined) return reply;
        reason = body.reason ?? '';
      }
      const outcome = await app.store.cancelJob({ id: jobId, reason, postedBy: null }, nowMicros());
      if ('refused' in outcome) return refusalReply(reply, jobId, outcome.refused, TERMINAL_ERROR);
      waiters.wake(jobId, outcome.eventSeq);
      // A handler waiting for events sees the cancelled event before its task is interrupted.
      const grace = app.config.cancelEventGraceMs;
      if (grace > 0) await graceUnlessGone(reply, grace);
      const owner = outcome.previousOwner;
      if (owner !== null) {
        const headers: Record<string, string> = {};
        for (const name of FORWARDED_CANCEL_HEADERS) {
          const value = request.headers[name];
          if (typeof value === 'string' && value !== '') headers[name] = value;
        }
        const forwarded = forwardCancel(
          { owner: app.store.getAgent(owner), ownerId: owner, jobId, reason, headers },
          agentTls,
          log,
        );
        pendingForwards.add(forwarded);
        void forwarded.finally(() => pendingForwards.delete(forwarded));
      }
      return sendGoJson(reply, 200, { forwarded_to_instance_id: owner, status: 'cancelled' });
    },
  );

  app.post(
    '/jobs/:job_id/reclaim',
    {
      schema: {
        summary: 'Operator reclaim: the holder evicted, the job claimable again (the next claim fences it)',
        tags,
        params: JobIdParams,
        response: { 200: ReclaimJobReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const jobId = request.params.job_id;
      const outcome = await app.store.reclaimJob(jobId);
      if ('refused' in outcome) return refusalReply(reply, jobId, outcome.refused, TERMINAL_ERROR);
      return sendGoJson(reply, 200, {
        claim_epoch: outcome.claimEpoch,
        previous_owner_instance_id: outcome.previousOwner,
        status: outcome.status,
      });
    },
  );

  app.post(
    '/jobs/:job_id/events',
    {
      schema: {
        summary: "Append an event to a live job's log",
        tags,
        params: JobIdParams,
        body: JobEventPostRequest,
        response: { 200: JobEventPostReply, ...ERRORS },
      },
    },
    async (request, reply) => {
      const jobId = request.params.job_id;
      const body = bindBody(request, reply, JobEventPostRequest);
      if (body === undefined) return reply;
      const type = (body.type ?? '').trim();
      if (type === '') return goError(reply, 400, 'type is required');
      const at = nowMicros();
      const outcome = await app.store.appendJobEvent({
        jobId,
        type,
        payload: body.payload ?? null,
        traceContext: body.trace_context ?? null,
        postedBy: null,
        createdAt: at,
      });
      if ('refused' in outcome) return refusalReply(reply, jobId, outcome.refused, TERMINAL_ERROR);
      waiters.wake(jobId, outcome.seq);
      return sendGoJson(reply, 200, { created_at: unixSeconds(at), job_id: jobId, seq: outcome.seq });
    },
  );

  app.get(
    '/jobs/:job_id/events',
    {
      schema: {
        summary: "A job's events after a seq; with wait, a long-poll until one comes (at most 60 s)",
        tags,
        params: JobIdParams,
        querystring: ListJobEventsQuery,
        response: { 200: JobEventListReply, 400: BindErrorReply, 503: CurrentErrorReply },
      },
    },
    async (request, reply) => {
      const jobId = request.params.job_id;
      const names = ['instance_id', 'claim_epoch', 'after', 'types', 'wait', 'limit'];
      const integers = bindQueryIntegers(request, reply, names, ['claim_epoch', 'after', 'wait', 'limit']);
      if (integers === undefined) return reply;
      const instanceId = request.query.instance_id ?? '';
      const claimEpoch = integers.claim_epoch;
      if ((instanceId !== '') !== (claimEpoch !== undefined)) {
        return goError(
          reply,
          400,
          'instance_id and claim_epoch must be supplied together (both for an executor read, or neither for an observer read)',
        );
      }
      if (claimEpoch !== undefined) {
        const outcome = await app.store.authorizeExecutorRead(
          { id: jobId, instanceId, claimEpoch },
          nowMicros(),
        );
        if (outcome === 'not_found') return notFound(reply, jobId);
        if (outcome === 'superseded') return goError(reply, 409, 'claim_superseded');
      } else if ((await app.store.getJob(jobId)) === undefined) {
        return notFound(reply, jobId);
      }
      const after = Math.max(integers.after ?? 0, 0);
      const waitSeconds = Math.min(Math.max(integers.wait ?? 0, 0), EVENTS_MAX_WAIT_SECONDS);
      const asked = integers.limit ?? 0;
      const limit = asked > 0 ? Math.min(asked, EVENTS_MAX_LIMIT) : EVENTS_DEFAULT_LIMIT;
      const query = { jobId, after, types: splitList(request.query.types ?? ''), limit };
      let events = await app.store.listJobEvents(query);
      if (events.length === 0 && waitSeconds > 0) {
        if (!waiters.enter()) return goError(reply, 503, 'too many event reads are waiting; retry later');
        // The caller leaving (its connection closing before the answer) ends the wait.
        const left = new AbortController();
        const onClose = () => left.abort();
        reply.raw.once('close', onClose);
        const ended = AbortSignal.any([left.signal, closing.signal]);
        try {
          const deadline = Date.now() + waitSeconds * 1000;
          // Woken by an event above `seen`; one of other types only raises `seen`.
          let seen = after;
          while (events.length === 0) {
            const seq = await waiters.wait(jobId, seen, deadline - Date.now(), ended);
            if (seq === undefined) break;
            events = await app.store.listJobEvents(query);
            seen = Math.max(seen, seq);
          }
        } finally {
          reply.raw.off('close', onClose);
          waiters.leave();
        }
      }
      return sendGoJson(reply, 200, {
        events: events.map(jobEventView),
        next_after: events.reduce((last, event) => Math.max(last, event.seq), after),
      });
    },
  );
};
