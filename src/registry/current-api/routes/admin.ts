import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { rotateEvent } from '../../../mesh/events.js';
import { nowMicros } from '../../../shared/clock.js';
import { sendJson } from '../../http/replies.js';
import { useHeartbeatErrors } from '../invalid-heartbeat.js';
import { listTrustedEntities } from '../trusted-entities.js';

const DrainReply = Type.Object({ draining: Type.Boolean(), live_claims: Type.Integer() });
const AdminErrorReply = Type.Object({ error: Type.String() });
const RotateReply = Type.Object({
  affected_agents: Type.Integer(),
  entity_id: Type.String(),
  message: Type.String(),
});
const EntitiesReply = Type.Object({
  entities: Type.Array(Type.Object({ name: Type.String(), subject: Type.String(), expires: Type.String() })),
});

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The operator's routes, as upstream's `meshctl registry drain|resume|status` and
 * `meshctl entity rotate` call them. Served on the main port, or only on `MCP_MESH_ADMIN_PORT`
 * when that is set (main.ts). Drain is registry-wide (in the database): it pauses job claims on
 * every replica; `live_claims` counts the live jobs that have a holder (what a drain waits for).
 */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useHeartbeatErrors(app);
  const tags = ['admin'];
  const drainStatus = async (draining?: boolean) => {
    if (draining !== undefined) await app.store.setDraining(draining);
    const [isDraining, liveClaims] = await Promise.all([app.store.isDraining(), app.store.countLiveClaims()]);
    return { draining: isDraining, live_claims: liveClaims };
  };
  const drainRoute = (method: 'get' | 'post' | 'delete', summary: string, draining?: boolean) =>
    app[method](
      '/admin/drain',
      { schema: { summary, tags, response: { 200: DrainReply, 503: AdminErrorReply } } },
      async (_request, reply) => {
        try {
          return sendJson(reply, 200, await drainStatus(draining));
        } catch (error) {
          return sendJson(reply, 503, {
            error: `failed to update or read the drain state: ${failure(error)}`,
          });
        }
      },
    );
  drainRoute('get', 'Whether job claims are paused, and how many claims are live');
  drainRoute('post', 'Pause new job claims on every replica (drain)', true);
  drainRoute('delete', 'Resume job claims', false);

  app.post(
    '/admin/rotate',
    {
      schema: {
        summary: 'Ask healthy agents (of one entity, or all) to register again: their next HEAD answers 202',
        tags,
        querystring: Type.Object({ entity_id: Type.Optional(Type.String()) }),
        response: { 200: RotateReply, 500: AdminErrorReply },
      },
    },
    async (request, reply) => {
      const entityId = request.query.entity_id ?? '';
      const at = nowMicros();
      const rotations = [];
      for (const agent of app.store.listAgents()) {
        if (agent.status !== 'healthy') continue;
        if (entityId !== '' && agent.current?.entityId !== entityId) continue;
        rotations.push({ id: agent.id, event: rotateEvent(agent, agent.current?.entityId ?? '', at) });
      }
      let rotated: string[];
      try {
        rotated = await app.store.rotateAgents(rotations, at);
      } catch (error) {
        return sendJson(reply, 500, { error: `failed to query agents for rotation: ${failure(error)}` });
      }
      return sendJson(reply, 200, {
        affected_agents: rotated.length,
        entity_id: entityId,
        message: `Rotation triggered for ${entityId === '' ? 'all agents' : `entity '${entityId}'`}`,
      });
    },
  );

  app.get(
    '/admin/entities',
    { schema: { summary: 'The TLS entities this registry trusts', tags, response: { 200: EntitiesReply } } },
    async (_request, reply) =>
      sendJson(reply, 200, { entities: await listTrustedEntities(app.config.trustDir) }),
  );
};
