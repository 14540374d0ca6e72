import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LabelSelectorError } from '../../../mesh/matching/label-selector.js';
import { isoOffset, nowMicros } from '../../../shared/clock.js';
import { DetailReply, ValidationErrorReply } from '../../http/common-schemas.js';
import { sendJson, sendJsonText } from '../../http/replies.js';
import { agentFilterKey, matchesAgentFilter, toAgentFilter } from '../../legacy-api/agent-filters.js';
import { useLegacyErrors } from '../../legacy-api/invalid-input.js';
import { AgentsQuery, AgentsReply } from '../../legacy-api/schemas/legacy-agents.js';
import { legacyAgentJson } from '../../legacy-api/views/legacy-agent-view.js';
import { currentAgentView } from '../views/current-agent-view.js';

/**
 * `GET /agents`, the one listing both protocols share: legacy agents in the legacy shape, agents
 * of the current protocol with the fields `meshctl list` reads added (registry-api-current.md §5).
 * It lives with the current protocol, which builds on the legacy one, so legacy-api/ imports
 * nothing from current-api/.
 */
export const agentListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
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
};
