import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isoOffset, nowMicros } from '../../shared/clock.js';
import { agentFilterKey, matchesAgentFilter, toAgentFilter } from '../legacy/agent-filters.js';
import { agentFromRegistration } from '../legacy/register-metadata.js';
import { LabelSelectorError } from '../matching/label-selector.js';
import { sendJson, sendJsonText } from '../plugins/errors.js';
import { DetailReply, ValidationErrorReply } from '../schemas/common.js';
import { AgentsQuery, AgentsReply, RegisterReply, RegisterRequest } from '../schemas/legacy-agents.js';
import { legacyAgentJson } from '../views/legacy-agent-view.js';
import { persistOrFail } from './persist-or-fail.js';

export const agentRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
          if (matchesAgentFilter(agent, filter)) parts.push(legacyAgentJson(agent));
        }
        listing = `[${parts.join(',')}],"count":${parts.length}`;
        app.agentsCache.set(key, revision, listing);
      }
      return sendJsonText(reply, 200, `{"agents":${listing},"timestamp":"${isoOffset(nowMicros())}"}`);
    },
  );
};
