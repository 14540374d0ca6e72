/**
 * The wire shapes of the jobs API (MeshJob, `task=True` tools) as the Go registry 3.7.1 defines
 * them (its OpenAPI document): request bodies, whose `title` and formats also tell the binder the
 * Go type each field is read as (`go-json-binding.ts`: its errors name them), and replies, whose
 * keys Go writes in byte order.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { JOB_STATUSES } from '../../../mesh/jobs/job.js';

const Int = (description: string) => Type.Integer({ description });
const Int64 = (description: string) => Type.Integer({ format: 'int64', description });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const FreeObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

export const JobStatusSchema = Type.String({
  title: 'JobStatus',
  description: `One of ${JOB_STATUSES.join(', ')}; completed, failed and cancelled are terminal`,
});

const RecvCursor = Type.Record(Type.String(), Type.Integer({ format: 'int64' }), {
  description: 'Per event filter, the highest event seq the handler has processed',
});

export const CreateJobRequest = Type.Object(
  {
    capability: Type.String({ description: 'Capability the job runs against (required)' }),
    submitted_by: Type.String({ description: 'Instance id of the submitting agent (required)' }),
    submitted_payload: FreeObject('Arguments and headers, kept for retries (required)'),
    owner_instance_id: Type.Optional(
      Type.String({ description: 'Push mode: the replica pinned from the start' }),
    ),
    max_retries: Type.Optional(Int('Retries after the first attempt (default 1)')),
    max_duration: Type.Optional(Int('Per-attempt soft timeout in seconds: the lease a claim gives')),
    total_deadline: Type.Optional(Int('Unix seconds: fails the job when passed')),
  },
  { title: 'CreateJobRequest' },
);
export type CreateJobRequest = Static<typeof CreateJobRequest>;

export const ClaimJobsRequest = Type.Object(
  { capability: Type.String(), instance_id: Type.String() },
  { title: 'ClaimJobsRequest' },
);
export type ClaimJobsRequest = Static<typeof ClaimJobsRequest>;

export const JobDeltaRequest = Type.Object(
  {
    id: Type.String(),
    claim_epoch: Type.Optional(Int64('The epoch of the claim this delta comes from (fencing)')),
    status: Type.Optional(JobStatusSchema),
    progress: Type.Optional(Type.Number({ format: 'float', description: '0.0 to 1.0' })),
    progress_message: Type.Optional(Type.String()),
    result: Type.Optional(FreeObject('Terminal payload on completed')),
    error: Type.Optional(Type.String({ description: 'Failure reason on failed' })),
    recv_cursor: Type.Optional(RecvCursor),
  },
  { title: 'JobDelta' },
);

export const JobBatchRequest = Type.Object(
  { instance_id: Type.String(), deltas: Type.Array(JobDeltaRequest) },
  { title: 'JobBatchRequest' },
);
export type JobBatchRequest = Static<typeof JobBatchRequest>;

export const ReleaseJobRequest = Type.Object(
  {
    instance_id: Type.String(),
    reason: Type.Optional(Type.String()),
    claim_epoch: Type.Optional(Int64('When given, only the holder at this epoch may release')),
  },
  { title: 'ReleaseJobRequest' },
);
export type ReleaseJobRequest = Static<typeof ReleaseJobRequest>;

export const CancelJobRequest = Type.Object(
  { reason: Type.Optional(Type.String()) },
  { title: 'CancelJobRequest' },
);
export type CancelJobRequest = Static<typeof CancelJobRequest>;

export const JobEventPostRequest = Type.Object(
  {
    type: Type.String(),
    payload: Type.Optional(Type.Unknown({ description: 'Any JSON value' })),
    trace_context: Type.Optional(FreeObject('W3C trace context of the sender')),
  },
  { title: 'JobEventPostRequest' },
);
export type JobEventPostRequest = Static<typeof JobEventPostRequest>;

/** Query strings: bound by the handlers as the Go registry binds them (its errors, its defaults). */
export const ListJobsQuery = Type.Object({
  status: Type.Optional(Type.String({ description: 'Comma-separated statuses' })),
  owner_instance_id: Type.Optional(Type.String()),
  capability: Type.Optional(Type.String()),
  submitted_since: Type.Optional(Type.String({ description: 'Unix seconds, inclusive' })),
  limit: Type.Optional(Type.String({ description: '1 to 200, default 50' })),
  cursor: Type.Optional(Type.String({ description: "A previous page's next_cursor" })),
});

export const ListJobEventsQuery = Type.Object({
  after: Type.Optional(Type.String({ description: 'Events with a larger seq' })),
  types: Type.Optional(Type.String({ description: 'Comma-separated event types' })),
  wait: Type.Optional(Type.String({ description: 'Long-poll seconds, at most 60' })),
  limit: Type.Optional(Type.String({ description: 'Default 100, at most 500' })),
  instance_id: Type.Optional(Type.String({ description: 'With claim_epoch: an executor read' })),
  claim_epoch: Type.Optional(Type.String()),
});

export const JobIdParams = Type.Object({ job_id: Type.String() });

export const JobReply = Type.Object({
  attempt_count: Type.Integer(),
  capability: Type.String(),
  claim_epoch: Type.Integer(),
  error: Nullable(Type.String()),
  id: Type.String(),
  last_heartbeat_at: Nullable(Type.Integer()),
  lease_expires_at: Nullable(Type.Integer()),
  max_duration: Nullable(Type.Integer()),
  max_retries: Type.Integer(),
  owner_instance_id: Nullable(Type.String()),
  progress: Nullable(Type.Number()),
  progress_message: Nullable(Type.String()),
  recv_cursor: Nullable(RecvCursor),
  result: Nullable(FreeObject('Terminal payload')),
  status: JobStatusSchema,
  submitted_at: Type.Integer(),
  submitted_by: Type.String(),
  submitted_payload: Nullable(FreeObject('As submitted')),
  total_deadline: Nullable(Type.Integer()),
});
export type JobReply = Static<typeof JobReply>;

export const CreateJobReply = Type.Object({
  id: Type.String(),
  owner_instance_id: Nullable(Type.String()),
  status: JobStatusSchema,
});

export const JobsListReply = Type.Object({
  jobs: Type.Array(JobReply),
  next_cursor: Nullable(Type.String()),
});

export const ClaimedJobReply = Type.Object({
  attempt_count: Type.Integer(),
  claim_epoch: Type.Integer(),
  id: Type.String(),
  lease_expires_at: Nullable(Type.Integer()),
  max_duration: Nullable(Type.Integer()),
  recv_cursor: Nullable(RecvCursor),
  submitted_payload: Nullable(FreeObject('As submitted')),
});

export const ClaimJobsReply = Type.Object({ claimed: Type.Array(ClaimedJobReply) });

export const JobBatchReply = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(
    Type.Object({
      id: Type.String(),
      reason: Type.String({
        description: 'not_owner, claim_superseded, already_terminal, invalid_status or not_found',
      }),
    }),
  ),
});

export const ReleaseJobReply = Type.Object({ attempt_count: Type.Integer(), status: JobStatusSchema });

export const CancelJobReply = Type.Object({
  forwarded_to_instance_id: Nullable(Type.String()),
  status: JobStatusSchema,
});

export const ReclaimJobReply = Type.Object({
  claim_epoch: Type.Integer(),
  previous_owner_instance_id: Nullable(Type.String()),
  status: JobStatusSchema,
});

export const JobEventReply = Type.Object({
  created_at: Type.Integer(),
  job_id: Type.String(),
  payload: Type.Unknown({ description: 'Any JSON value, null when none was sent' }),
  posted_by: Nullable(Type.String()),
  seq: Type.Integer(),
  trace_context: Nullable(FreeObject('W3C trace context')),
  type: Type.String(),
});

export const JobEventListReply = Type.Object({
  events: Type.Array(JobEventReply),
  next_after: Type.Integer(),
});

export const JobEventPostReply = Type.Object({
  created_at: Type.Integer(),
  job_id: Type.String(),
  seq: Type.Integer(),
});
