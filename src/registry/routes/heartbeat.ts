import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isoOffset, nowMicros } from '../../shared/clock.js';
import { sendJson, sendJsonText } from '../plugins/errors.js';
import { DetailReply, ValidationErrorReply } from '../schemas/common.js';
import { LegacyHeartbeatReply, LegacyHeartbeatRequest } from '../schemas/legacy-heartbeat.js';
import { persistOrFail } from './persist-or-fail.js';

export const heartbeatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/heartbeat',
    {
      schema: {
        summary: 'Record a heartbeat',
        tags: ['heartbeat'],
        body: LegacyHeartbeatRequest,
        response: { 200: LegacyHeartbeatReply, 404: DetailReply, 422: ValidationErrorReply },
      },
    },
    async (request, reply) => {
      const { agent_id: agentId } = request.body;
      const now = nowMicros();
      // PRESERVE (§4.3): the body's status is ignored; a heartbeat always means healthy.
      const agent = await persistOrFail(
        app.store.recordHeartbeat(agentId, now, 'healthy'),
        'Failed to process heartbeat',
      );
      if (!agent) return sendJson(reply, 404, { detail: `Agent ${agentId} not found` });
      app.counters.heartbeatsProcessed += 1;
      return sendJsonText(
        reply,
        200,
        `{"status":"success","timestamp":"${isoOffset(now)}","message":"Heartbeat recorded"}`,
      );
    },
  );
};
