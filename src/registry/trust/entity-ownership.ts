/**
 * Registration trust's one rule (upstream's checkEntityOwnership): an agent registered by a
 * verified TLS entity is that entity's. Any other caller — another entity, or one without a
 * certificate — that registers it again, heartbeats it or deregisters it is refused with 403.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AgentRecord } from '../../mesh/agent.js';
import { isoNanosZ, nowMicros } from '../../shared/clock.js';
import { sendJsonAs } from '../http/replies.js';

/** Upstream's answer, the same whoever the owner is (the owner is named only in the log). */
export const ENTITY_MISMATCH = 'entity_id mismatch: agent owned by another entity';

/** The 403 body, the Go registry's ErrorResponse. */
export const EntityMismatchReply = Type.Object(
  { error: Type.Literal(ENTITY_MISMATCH), timestamp: Type.String() },
  { description: 'The agent belongs to another TLS entity (registration trust)' },
);

/** Whether `agent` belongs to an entity other than the caller's. */
export function isOwnedByAnother(agent: AgentRecord | undefined, callerEntity: string): boolean {
  const owner = agent?.current?.entityId;
  return owner !== undefined && owner !== '' && owner !== callerEntity;
}

/**
 * Answers 403 `{"error": "entity_id mismatch: …", "timestamp": …}` and logs who was refused when
 * the caller may not write `agent`; otherwise answers nothing and returns false.
 */
export function refuseForeignEntity(
  request: FastifyRequest,
  reply: FastifyReply,
  agent: AgentRecord | undefined,
  operation: string,
  options: { isOwnerRefusedToo?: boolean } = {},
): boolean {
  const isRefused = options.isOwnerRefusedToo
    ? (agent?.current?.entityId ?? '') !== ''
    : isOwnedByAnother(agent, request.clientEntity);
  if (!isRefused) return false;
  request.log.warn(
    `entity_id mismatch in ${operation}: agent "${agent!.id}" owned by "${agent!.current!.entityId}", rejected request from "${request.clientEntity}"`,
  );
  sendJsonAs(reply, 403, EntityMismatchReply, { error: ENTITY_MISMATCH, timestamp: isoNanosZ(nowMicros()) });
  return true;
}

/**
 * The same answer for a registration the database refused: another entity's registration of the
 * agent committed first, through a replica whose write this one had not seen yet.
 */
export function replyEntityRefusedByDatabase(
  request: FastifyRequest,
  reply: FastifyReply,
  agentId: string,
  operation: string,
): FastifyReply {
  request.log.warn(
    `entity_id mismatch in ${operation}: agent "${agentId}" owned by another entity in the database, rejected request from "${request.clientEntity}"`,
  );
  return sendJsonAs(reply, 403, EntityMismatchReply, {
    error: ENTITY_MISMATCH,
    timestamp: isoNanosZ(nowMicros()),
  });
}
