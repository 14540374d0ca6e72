import type { FastifyInstance, FastifyReply } from 'fastify';
import { isoOffset, type Micros } from '../../shared/clock.js';
import { DetailReply } from '../http/common-schemas.js';
import { persistOrFail } from '../http/persist-or-fail.js';
import { sendJsonAs, sendJsonText } from '../http/replies.js';
import type { LegacyHeartbeatRequest } from './schemas/legacy-heartbeat.js';

/**
 * The legacy half of `POST /heartbeat` (spec §4.3): a body without `tools`. The path is shared
 * with the current protocol, whose route (`current-api/routes/heartbeat.ts`) hands these on.
 */
export async function recordLegacyHeartbeat(
  app: FastifyInstance,
  body: LegacyHeartbeatRequest,
  now: Micros,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { agent_id: agentId } = body;
  // PRESERVE (§4.3): the body's status is ignored; a heartbeat always means healthy.
  const agent = await persistOrFail(
    app.store.recordHeartbeat(agentId, now, 'healthy'),
    'Failed to process heartbeat',
  );
  if (!agent) return sendJsonAs(reply, 404, DetailReply, { detail: `Agent ${agentId} not found` });
  app.counters.heartbeatsProcessed += 1;
  return sendJsonText(
    reply,
    200,
    `{"status":"success","timestamp":"${isoOffset(now)}","message":"Heartbeat recorded"}`,
  );
}
