import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendJson } from '../../http/replies.js';
import { useHeartbeatErrors } from '../invalid-heartbeat.js';
import { A2aSurfaceReply, a2aSurfaceView } from '../views/a2a-surface-view.js';

export const A2aAgentsReply = Type.Object({ surfaces: Type.Array(A2aSurfaceReply) });

/**
 * `GET /a2a/agents`: where outside A2A clients find the skills of `a2a` agents, healthy or not,
 * every surface of every such agent in one list (the Go registry's discovery endpoint).
 */
export const a2aRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useHeartbeatErrors(app);
  app.get(
    '/a2a/agents',
    {
      schema: {
        summary: "Every A2A surface of the mesh's a2a agents, with public URLs when a prefix is configured",
        tags: ['a2a'],
        response: { 200: A2aAgentsReply },
      },
    },
    async (_request, reply) => {
      const prefix = app.config.publicUrlPrefix;
      const surfaces = [];
      for (const agent of app.store.listAgents()) {
        if (agent.agentType !== 'a2a') continue;
        for (const surface of agent.current?.a2aSurfaces ?? [])
          surfaces.push(a2aSurfaceView(surface, prefix));
      }
      return sendJson(reply, 200, { surfaces });
    },
  );
};
