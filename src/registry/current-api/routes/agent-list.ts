import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AgentRecord } from '../../../mesh/agent.js';
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
/** A current-protocol agent's rendered view, and what it was rendered from. */
interface RenderedView {
  topologyChanges: number;
  updatedAt: number;
  lastHeartbeat: number | null;
  json: string;
}

export const agentListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
  /**
   * Records are immutable but for their liveness times (agent-snapshot.ts): after a write, a
   * listing renders again only the agents that changed, or all of them when the topology did.
   */
  const views = new WeakMap<AgentRecord, RenderedView>();
  const currentAgentJson = (agent: AgentRecord): string => {
    const topologyChanges = app.topology.changeCount;
    const known = views.get(agent);
    if (
      known !== undefined &&
      known.topologyChanges === topologyChanges &&
      known.updatedAt === agent.updatedAt &&
      known.lastHeartbeat === agent.lastHeartbeat
    ) {
      return known.json;
    }
    const json = JSON.stringify(currentAgentView(agent, app.topology));
    views.set(agent, {
      topologyChanges,
      updatedAt: agent.updatedAt,
      lastHeartbeat: agent.lastHeartbeat,
      json,
    });
    return json;
  };
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
          parts.push(agent.protocol === 'current' ? currentAgentJson(agent) : legacyAgentJson(agent));
        }
        listing = `[${parts.join(',')}],"count":${parts.length}`;
        app.agentsCache.set(key, revision, listing);
      }
      return sendJsonText(reply, 200, `{"agents":${listing},"timestamp":"${isoOffset(nowMicros())}"}`);
    },
  );
};
