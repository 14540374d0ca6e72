import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isoOffset, nowMicros } from '../../../shared/clock.js';
import { DetailReply, ValidationErrorReply } from '../../http/common-schemas.js';
import { sendJson, sendJsonText } from '../../http/replies.js';
import {
  agentMatchesSearch,
  capabilityMatchesSearch,
  capabilitySearchKey,
  toCapabilitySearch,
} from '../capability-search.js';
import { useLegacyErrors } from '../invalid-input.js';
import { CapabilitiesQuery, CapabilitiesReply } from '../schemas/legacy-agents.js';
import { capabilitySearchItemJson } from '../views/legacy-agent-view.js';

export const capabilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
  app.get(
    '/capabilities',
    {
      schema: {
        summary: 'Search capabilities (agent_status defaults to healthy; empty means any)',
        tags: ['capabilities'],
        querystring: CapabilitiesQuery,
        response: { 200: CapabilitiesReply, 404: DetailReply, 422: ValidationErrorReply },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const send = (listing: string) =>
        sendJsonText(reply, 200, `{"capabilities":${listing},"timestamp":"${isoOffset(nowMicros())}"}`);

      if (query.agent_id) {
        // Legacy mode (§4.6.2): one agent, exact name, every other parameter ignored, no cache.
        const agent = app.store.getAgent(query.agent_id);
        if (!agent) return sendJson(reply, 404, { detail: `Agent ${query.agent_id} not found` });
        const items = agent.capabilities
          .filter((cap) => !query.name || cap.name === query.name)
          .map((cap) => capabilitySearchItemJson(agent, cap));
        return send(`[${items.join(',')}],"count":${items.length}`);
      }

      const search = toCapabilitySearch(query);
      const key = capabilitySearchKey(search);
      const revision = app.store.revision;
      let listing = app.capabilitiesCache.get(key, revision);
      if (listing === undefined) {
        const items: string[] = [];
        for (const agent of app.store.listAgents()) {
          if (!agentMatchesSearch(agent, search)) continue;
          for (const cap of agent.capabilities) {
            if (capabilityMatchesSearch(cap, search)) items.push(capabilitySearchItemJson(agent, cap));
          }
        }
        listing = `[${items.join(',')}],"count":${items.length}`;
        app.capabilitiesCache.set(key, revision, listing);
      }
      return send(listing);
    },
  );
};
