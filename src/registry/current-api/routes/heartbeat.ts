import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AgentRecord } from '../../../mesh/agent.js';
import { type MeshEvent, registrationEvents } from '../../../mesh/events.js';
import { TRACE_TEXT_STEPS } from '../../../mesh/resolution/resolution-trace.js';
import { isoNanosZ, nowMicros } from '../../../shared/clock.js';
import { AgentIdParams, DetailReply, ValidationErrorReply } from '../../http/common-schemas.js';
import { persistOrFail } from '../../http/persist-or-fail.js';
import { sendJson } from '../../http/replies.js';
import { DISPATCH_KEY } from '../../http/validator-compiler.js';
import { recordLegacyHeartbeat } from '../../legacy-api/legacy-heartbeat.js';
import { LegacyHeartbeatReply, LegacyHeartbeatRequest } from '../../legacy-api/schemas/legacy-heartbeat.js';
import {
  EntityMismatchReply,
  refuseForeignEntity,
  replyEntityRefusedByDatabase,
} from '../../trust/entity-ownership.js';
import { agentFromHeartbeat } from '../agent-from-heartbeat.js';
import { useHeartbeatErrors } from '../invalid-heartbeat.js';
import { KnownSchemaHashes } from '../known-schema-hashes.js';
import { nextTurn, SLICE_MS } from '../mesh-topology.js';
import { PendingJobCounts } from '../pending-jobs.js';
import type { HistoryLoads } from '../resolution-audit.js';
import {
  CURRENT_HEARTBEAT_KEY,
  CurrentErrorReply,
  CurrentHeartbeatRefusal,
  CurrentHeartbeatReply,
  CurrentHeartbeatRequest,
} from '../schemas/current-heartbeat.js';
import { a2aSurfaceView } from '../views/a2a-surface-view.js';

/** One path, two protocols: a body with `tools` is the current protocol (registry-api-current.md §6). */
const HeartbeatBody = Type.Union([CurrentHeartbeatRequest, LegacyHeartbeatRequest], {
  [DISPATCH_KEY]: CURRENT_HEARTBEAT_KEY,
});

/** The Go registry answers an `a2a` agent that sent `surfaces` with them stamped with public URLs. */
function surfacesOf(agent: AgentRecord, sent: unknown[] | null | undefined, prefix: string) {
  if (agent.agentType !== 'a2a' || !sent || sent.length === 0) return {};
  return { surfaces: (agent.current?.a2aSurfaces ?? []).map((s) => a2aSurfaceView(s, prefix)) };
}

/** The audit events' text written in one commit, at most (about; one event may pass it). */
const AUDIT_WRITE_BYTES = 256 * 1024;

/**
 * Logs the resolution audit of a full heartbeat (`dependency_*` events, resolution-audit.ts). Its
 * failure does not fail the heartbeat, whose registration is already stored. One position at a
 * time, in slices of a few milliseconds with other requests served in between: judging a
 * dependency among 1,000 providers, the first time after a change, takes milliseconds.
 */
async function logResolutions(app: FastifyInstance, log: FastifyBaseLogger, agent: AgentRecord, now: number) {
  try {
    const loads: HistoryLoads = new Map();
    let events: MeshEvent[] = [];
    let sliceStart = performance.now();
    let pendingBytes = 0;
    // Written a few hundred KB at a time: a trace among 1,000 providers is about 100 KB, and a
    // commit of megabytes would be a long turn of its own.
    const pause = async () => {
      if (performance.now() - sliceStart < SLICE_MS && pendingBytes < AUDIT_WRITE_BYTES) return;
      if (events.length > 0) await app.store.appendEvents(events);
      events = [];
      pendingBytes = 0;
      await nextTurn();
      sliceStart = performance.now();
    };
    for (const position of app.topology.dependencyPositions(agent)) {
      const trace = app.topology.traceOf(agent, position);
      for (const step of TRACE_TEXT_STEPS) {
        await pause();
        step(trace);
      }
      await pause();
      for (const event of await app.resolutionAudit.eventsFor(agent, [{ ...position, trace }], now, loads)) {
        events.push(event);
        pendingBytes += event.dataText?.length ?? 0;
      }
    }
    if (events.length > 0) await app.store.appendEvents(events);
  } catch (error) {
    log.error({ err: error }, 'resolution audit not logged');
  }
}

export const heartbeatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useHeartbeatErrors(app);
  const knownSchemas = new KnownSchemaHashes();
  app.post(
    '/heartbeat',
    {
      schema: {
        summary:
          'Heartbeat: legacy (agent_id, status, metadata) or the full agent of the current protocol (with tools)',
        tags: ['heartbeat'],
        body: HeartbeatBody,
        response: {
          200: Type.Union([CurrentHeartbeatReply, CurrentHeartbeatRefusal, LegacyHeartbeatReply]),
          400: CurrentErrorReply,
          403: EntityMismatchReply,
          404: DetailReply,
          422: ValidationErrorReply,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const now = nowMicros();
      // Registration trust: full and legacy heartbeats alike come from the agent's own entity.
      const previous = app.store.getAgent(body.agent_id);
      if (refuseForeignEntity(request, reply, previous, 'UpdateHeartbeat')) return reply;
      if ('tools' in body) {
        const agent = agentFromHeartbeat(
          body,
          now,
          app.config.defaultTimeoutThresholdSeconds,
          previous,
          request.clientEntity,
        );
        // A required dependency cycle is refused as the Go registry does: 200, status "error".
        const admission = app.topology.admitRegistration(agent);
        if (admission.refusal !== undefined) {
          return sendJson(reply, 200, {
            agent_id: body.agent_id,
            message: admission.refusal,
            status: 'error',
            timestamp: isoNanosZ(now),
          });
        }
        const events = registrationEvents(agent, previous);
        const schemas = knownSchemas.entriesToStore(agent, now);
        const outcome = await persistOrFail(
          app.store.upsertAgent(agent, { events, schemas }),
          'Failed to process heartbeat',
        ).finally(admission.release);
        if ('refused' in outcome)
          return replyEntityRefusedByDatabase(request, reply, agent.id, 'UpdateHeartbeat');
        const { agent: stored, isNew } = outcome;
        knownSchemas.remember(schemas);
        if (isNew) app.counters.registrationsProcessed += 1;
        app.counters.heartbeatsProcessed += 1;
        await logResolutions(app, request.log, stored, now);
        await app.topology.prepareResolutions(stored);
        const llmProviders = app.topology.llmProvidersFor(stored);
        return sendJson(reply, 200, {
          agent_id: stored.id,
          dependencies_resolved: app.topology.resolveFor(stored),
          ...(llmProviders === undefined ? {} : { llm_providers: llmProviders }),
          llm_tools: app.topology.llmToolsFor(stored),
          message:
            isNew || previous?.status !== 'healthy'
              ? 'Agent registered via heartbeat'
              : 'Agent updated via heartbeat',
          status: 'success',
          ...surfacesOf(stored, body.surfaces, app.config.publicUrlPrefix),
          timestamp: isoNanosZ(now),
        });
      }
      return recordLegacyHeartbeat(app, body, now, reply);
    },
  );

  const pendingJobs = new PendingJobCounts(app.store);
  app.head(
    '/heartbeat/:agent_id',
    {
      schema: {
        summary:
          'Lightweight heartbeat: 200 unchanged, 202 topology changed (send a full heartbeat), 410 unknown or unhealthy',
        tags: ['heartbeat'],
        params: AgentIdParams,
      },
    },
    async (request, reply) => {
      const { agent_id: agentId } = request.params;
      const known = app.store.getAgent(agentId);
      // An unhealthy agent must re-register with its full payload (registry-api-current.md §4).
      if (!known || known.status === 'unhealthy') return reply.code(410).send();
      // Only its own entity keeps an agent alive (the Go registry does not check HEAD).
      if (refuseForeignEntity(request, reply, known, 'FastHeartbeatCheck')) return reply;
      const now = nowMicros();
      let agent: Awaited<ReturnType<typeof app.store.recordHeartbeat>>;
      try {
        agent = await app.store.recordHeartbeat(agentId, now, 'healthy');
      } catch (error) {
        // 503 tells the SDK to back off and retry (registry-api-current.md §1).
        request.log.error({ err: error }, 'heartbeat not recorded');
        return reply.code(503).header('retry-after', '1').send();
      }
      if (!agent) return reply.code(410).send();
      app.counters.heartbeatsProcessed += 1;
      const since = agent.current?.fullHeartbeatAt ?? agent.createdAt;
      // Its own topology time moves past its last full heartbeat only when it is asked to
      // register again (a certificate rotation, /admin/rotate).
      const mustRegister = agent.topologyAt > since || app.topology.hasChangedSince(agent, since);
      const pending = await pendingJobs.forAgent(agent);
      if (pending > 0) reply.header('x-mesh-pending-jobs', String(pending));
      return reply.code(mustRegister ? 202 : 200).send();
    },
  );
};
