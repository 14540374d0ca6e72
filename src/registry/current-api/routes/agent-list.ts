import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AgentRecord } from '../../../mesh/agent.js';
import { LabelSelectorError } from '../../../mesh/matching/label-selector.js';
import { isoOffset, nowMicros } from '../../../shared/clock.js';
import { DetailReply, ValidationErrorReply } from '../../http/common-schemas.js';
import { sendJson, sendJsonText } from '../../http/replies.js';
import {
  type AgentFilter,
  agentFilterKey,
  matchesAgentFilter,
  toAgentFilter,
} from '../../legacy-api/agent-filters.js';
import { useLegacyErrors } from '../../legacy-api/invalid-input.js';
import { AgentsQuery, AgentsReply } from '../../legacy-api/schemas/legacy-agents.js';
import { legacyAgentJson } from '../../legacy-api/views/legacy-agent-view.js';
import { nextTurn, SLICE_MS } from '../mesh-topology.js';
import { currentAgentView } from '../views/current-agent-view.js';
import { INDEX_HEADER, parseWatchQuery, WatchQueryFields } from '../watch-query.js';

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

/** The listing's filters, and the watch API's blocking query (`index`, `wait`). */
const AgentListQuery = Type.Object({ ...AgentsQuery.properties, ...WatchQueryFields });

/** What a blocking query answers while every watch place is taken. */
const TOO_MANY_WATCHES = '{"detail":"Too many blocking queries and event streams are open; retry shortly"}';

export const agentListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
  /**
   * Records are immutable but for their liveness times (agent-snapshot.ts): after a write, a
   * listing renders again only the agents that changed, or all of them when the topology did.
   */
  const views = new WeakMap<AgentRecord, RenderedView>();
  const isRendered = (agent: AgentRecord): boolean => {
    const known = views.get(agent);
    return (
      known !== undefined &&
      known.topologyChanges === app.topology.changeCount &&
      known.updatedAt === agent.updatedAt &&
      known.lastHeartbeat === agent.lastHeartbeat
    );
  };
  const currentAgentJson = (agent: AgentRecord): string => {
    const topologyChanges = app.topology.changeCount;
    if (isRendered(agent)) return views.get(agent)!.json;
    const json = JSON.stringify(currentAgentView(agent, app.topology));
    views.set(agent, {
      topologyChanges,
      updatedAt: agent.updatedAt,
      lastHeartbeat: agent.lastHeartbeat,
      json,
    });
    return json;
  };
  /**
   * The listing's JSON (`[…],"count":N`) for `filter`, from the cache while nothing changed. Else
   * rendered a few milliseconds at a time, other requests served in between (a consumer of 1,000
   * dependencies resolves them again after any topology change), by one request for all those
   * asking the same meanwhile; cached only when nothing changed while it was rendered.
   */
  const rendering = new Map<string, Promise<string>>();
  const listingOf = (filter: AgentFilter): Promise<string> | string => {
    const key = agentFilterKey(filter);
    const revision = app.store.revision;
    const cached = app.agentsCache.get(key, revision);
    if (cached !== undefined) return cached;
    const renderKey = `${revision}:${app.topology.changeCount}:${key}`;
    let pending = rendering.get(renderKey);
    if (pending === undefined) {
      pending = renderListing(filter).then((listing) => {
        if (app.store.revision === revision) app.agentsCache.set(key, revision, listing);
        return listing;
      });
      rendering.set(renderKey, pending);
      void pending.finally(() => rendering.delete(renderKey)).catch(() => {});
    }
    return pending;
  };
  const renderListing = async (filter: AgentFilter): Promise<string> => {
    const parts: string[] = [];
    let sliceStart = performance.now();
    // The agents as they are now: records are replaced, not changed, by writes meanwhile.
    for (const agent of [...app.store.listAgents()]) {
      if (!matchesAgentFilter(agent, filter)) continue;
      if (agent.protocol === 'current') {
        if (!isRendered(agent)) await app.topology.prepareResolutions(agent);
        parts.push(currentAgentJson(agent));
      } else {
        parts.push(legacyAgentJson(agent));
      }
      if (performance.now() - sliceStart < SLICE_MS) continue;
      await nextTurn();
      sliceStart = performance.now();
    }
    return `[${parts.join(',')}],"count":${parts.length}`;
  };

  app.get(
    '/agents',
    {
      schema: {
        summary: 'Discover agents (status defaults to healthy)',
        tags: ['agents'],
        description:
          'With `index`, a blocking query: the answer comes once the registry index (the `X-Mesh-Index` header of every answer) is above it, or when `wait` runs out, whichever is first.',
        querystring: AgentListQuery,
        response: { 200: AgentsReply, 400: DetailReply, 422: ValidationErrorReply, 429: DetailReply },
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
      const watch = parseWatchQuery(request.query);
      if (watch.index !== undefined && app.indexWatch.index <= watch.index) {
        if (!app.indexWatch.enter()) {
          reply.header('retry-after', '1');
          return sendJsonText(reply, 429, TOO_MANY_WATCHES);
        }
        // The caller leaving (its connection closing before the answer) ends the wait.
        const left = new AbortController();
        const onClose = () => left.abort();
        reply.raw.once('close', onClose);
        try {
          await app.indexWatch.waitAbove(watch.index, watch.waitMs, left.signal);
        } finally {
          reply.raw.off('close', onClose);
          app.indexWatch.leave();
        }
        // Still at most 1 s behind the database after the wait (or a 503 when it is gone).
        await app.store.ensureFresh();
      }
      reply.header(INDEX_HEADER, String(app.indexWatch.index));
      const listing = await listingOf(filter);
      return sendJsonText(reply, 200, `{"agents":${listing},"timestamp":"${isoOffset(nowMicros())}"}`);
    },
  );
};
