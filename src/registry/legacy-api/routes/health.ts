import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isoZ, nowMicros } from '../../../shared/clock.js';
import { floatRepr, formatFixed } from '../../../shared/python/python-float.js';
import { AgentIdParams, DetailReply } from '../../http/common-schemas.js';
import { sendJson, sendJsonText } from '../../http/replies.js';
import { useLegacyErrors } from '../invalid-input.js';
import { AgentHealthReply, HealthReply } from '../schemas/health.js';
import { sharedPing } from '../shared-ping.js';

const HEALTHY = '{"status":"healthy","service":"mcp-mesh-registry"}';

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
  const ping = sharedPing(() => app.store.ping());
  app.get(
    '/health',
    {
      schema: {
        summary: 'Registry health check',
        tags: ['health'],
        response: { 200: HealthReply, 503: DetailReply },
      },
    },
    async (_request, reply) => {
      try {
        await ping();
      } catch (error) {
        return sendJson(reply.header('retry-after', '1'), 503, {
          detail: `Service unhealthy: ${(error as Error).message}`,
        });
      }
      return sendJsonText(reply, 200, HEALTHY);
    },
  );

  // The current SDK probes the registry with HEAD /health (registry-api-current.md §5); the
  // original answered 405 here, which no client relied on.
  app.head(
    '/health',
    { schema: { summary: 'Registry liveness without a body', tags: ['health'] } },
    async (_request, reply) => {
      try {
        await ping();
      } catch {
        return reply.code(503).header('retry-after', '1').send();
      }
      return reply.code(200).header('content-type', 'application/json').send();
    },
  );

  app.get(
    '/health/:agent_id',
    {
      schema: {
        summary: 'Health of one agent',
        tags: ['health'],
        params: AgentIdParams,
        response: { 200: AgentHealthReply, 404: DetailReply },
      },
    },
    async (request, reply) => {
      const { agent_id: agentId } = request.params;
      const agent = app.store.getAgent(agentId);
      if (!agent) return sendJson(reply, 404, { detail: `Agent ${agentId} not found` });
      const last = agent.lastHeartbeat;
      // Spec §3.4: computed live, so it may disagree with the stored status until the next sweep.
      const since = last === null ? null : (nowMicros() - last) / 1e6;
      let message = 'No heartbeat received yet';
      if (since !== null) {
        const x = formatFixed(since, 1);
        if (since > agent.evictionThreshold) message = `Agent expired - no heartbeat for ${x}s`;
        else if (since > agent.timeoutThreshold) message = `Agent degraded - no heartbeat for ${x}s`;
        else message = `Agent healthy - last heartbeat ${x}s ago`;
      }
      const body = JSON.stringify({
        agent_id: agentId,
        status: agent.status,
        last_heartbeat: last === null ? null : isoZ(last),
        next_heartbeat_expected: last === null ? null : isoZ(last + agent.healthInterval * 1e6),
        time_since_heartbeat: since === null ? null : 0.5,
        timeout_threshold: agent.timeoutThreshold,
        eviction_threshold: agent.evictionThreshold,
        is_expired: since !== null && since > agent.evictionThreshold,
        message,
      });
      // JSON.stringify writes 3.0 as 3; the original writes Python floats (§2.2).
      return sendJsonText(
        reply,
        200,
        since === null
          ? body
          : body.replace('"time_since_heartbeat":0.5', `"time_since_heartbeat":${floatRepr(since)}`),
      );
    },
  );
};
