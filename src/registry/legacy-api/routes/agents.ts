import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LabelSelectorError } from '../../../mesh/matching/label-selector.js';
import { isoOffset, nowMicros } from '../../../shared/clock.js';
import { currentAgentView } from '../../current-api/views/current-agent-view.js';
import { AgentIdParams, DetailReply, ValidationErrorReply } from '../../http/common-schemas.js';
import { persistOrFail } from '../../http/persist-or-fail.js';
import { sendJson, sendJsonText } from '../../http/replies.js';
import { agentFilterKey, matchesAgentFilter, toAgentFilter } from '../agent-filters.js';
import { useLegacyErrors } from '../invalid-input.js';
import { agentFromRegistration } from '../register-metadata.js';
import { AgentsQuery, AgentsReply, RegisterReply, RegisterRequest } from '../schemas/legacy-agents.js';
import { legacyAgentJson } from '../views/legacy-agent-view.js';

export const agentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
  app.post(
    '/agents/register_with_metadata',
    {
      schema: {
        summary: 'Register an agent with its metadata',
        tags: ['agents'],
        body: RegisterRequest,
        response: { 201: RegisterReply, 422: ValidationErrorReply, 500: DetailReply },
      },
    },
    async (request, reply) => {
      const now = nowMicros();
      const agent = agentFromRegistration(request.body, now);
      const { isNew } = await persistOrFail(app.store.upsertAgent(agent), 'Failed to register agent');
      if (isNew) app.counters.registrationsProcessed += 1;
      return sendJson(reply, 201, {
        status: 'success',
        agent_id: request.body.agent_id,
        resource_version: agent.resourceVersion,
        timestamp: isoOffset(now),
        message: 'Agent registered successfully',
      });
    },
  );

  app.get(
    '/agents',
    {
      schema: {
        summary: 'Discover agents (status defaults to healthy)',
        tags: ['agents'],
        querystring: AgentsQuery,
        response: { 200: AgentsReply, 400: DetailReply, 422: ValidationErrorReply },
      },
    },
    async (request, reply) => {
      let filter: ReturnType<typeof toAgentFilter>;
      try {
        filter = toAgentFilter(request.query);
      } catch (error) {
        // Decision for §13.2: the 400 the original meant to send, not its plain-text 500.
        if (error instanceof LabelSelectorError) return sendJson(reply, 400, { detail: error.message });
        throw error;
      }
      const key = agentFilterKey(filter);
      const revision = app.store.revision;
      let listing = app.agentsCache.get(key, revision);
      if (listing === undefined) {
        const parts: string[] = [];
        for (const agent of app.store.listAgents()) {
          if (!matchesAgentFilter(agent, filter)) continue;
          parts.push(
            agent.protocol === 'current'
              ? JSON.stringify(currentAgentView(agent, app.topology))
              : legacyAgentJson(agent),
          );
        }
        listing = `[${parts.join(',')}],"count":${parts.length}`;
        app.agentsCache.set(key, revision, listing);
      }
      return sendJsonText(reply, 200, `{"agents":${listing},"timestamp":"${isoOffset(nowMicros())}"}`);
    },
  );

  app.delete(
    '/agents/:agent_id',
    {
      schema: {
        summary: 'Deregister an agent on graceful shutdown: it stays listed as unhealthy',
        tags: ['agents'],
        params: AgentIdParams,
        response: { 204: Type.Null({ description: 'Deregistered' }), 404: DetailReply, 409: DetailReply },
      },
    },
    async (request, reply) => {
      const { agent_id: agentId } = request.params;
      // A conditional change; retried in case a heartbeat changed the agent in between.
      for (let attempt = 0; attempt < 3; attempt++) {
        const agent = app.store.getAgent(agentId);
        if (!agent) return sendJson(reply, 404, { detail: `Agent ${agentId} not found` });
        if (agent.status === 'unhealthy') return reply.code(204).send(null);
        const change = {
          id: agentId,
          fromStatus: agent.status,
          lastHeartbeat: agent.lastHeartbeat,
          toStatus: 'unhealthy' as const,
          at: nowMicros(),
        };
        const applied = await persistOrFail(
          app.store.applyStatusChanges([change]),
          'Failed to deregister agent',
        );
        if (applied.length > 0) return reply.code(204).send(null);
      }
      return sendJson(reply, 409, { detail: `Agent ${agentId} changed while being deregistered; try again` });
    },
  );
};
