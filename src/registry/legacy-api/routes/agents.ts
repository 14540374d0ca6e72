import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { registrationEvents, unregisterEvent } from '../../../mesh/events.js';
import { isoOffset, nowMicros } from '../../../shared/clock.js';
import { AgentIdParams, DetailReply, ValidationErrorReply } from '../../http/common-schemas.js';
import { persistOrFail } from '../../http/persist-or-fail.js';
import { sendJson } from '../../http/replies.js';
import {
  EntityMismatchReply,
  refuseForeignEntity,
  replyEntityRefusedByDatabase,
} from '../../trust/entity-ownership.js';
import { useLegacyErrors } from '../invalid-input.js';
import { agentFromRegistration } from '../register-metadata.js';
import { RegisterReply, RegisterRequest } from '../schemas/legacy-agents.js';

export const agentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
  app.post(
    '/agents/register_with_metadata',
    {
      schema: {
        summary: 'Register an agent with its metadata',
        tags: ['agents'],
        body: RegisterRequest,
        response: {
          201: RegisterReply,
          403: EntityMismatchReply,
          422: ValidationErrorReply,
          500: DetailReply,
        },
      },
    },
    async (request, reply) => {
      const now = nowMicros();
      const agent = agentFromRegistration(request.body, now);
      const previous = app.store.getAgent(agent.id);
      // A legacy record has no TLS entity: an agent that has one is written by its full heartbeat only.
      if (
        refuseForeignEntity(request, reply, previous, 'RegisterWithMetadata', { isOwnerRefusedToo: true })
      ) {
        return reply;
      }
      const events = registrationEvents(agent, previous);
      const outcome = await persistOrFail(
        app.store.upsertAgent(agent, { events }),
        'Failed to register agent',
      );
      if ('refused' in outcome) {
        return replyEntityRefusedByDatabase(request, reply, agent.id, 'RegisterWithMetadata');
      }
      const { isNew } = outcome;
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

  app.delete(
    '/agents/:agent_id',
    {
      schema: {
        summary: 'Deregister an agent on graceful shutdown: it stays listed as unhealthy',
        tags: ['agents'],
        params: AgentIdParams,
        response: {
          204: Type.Null({ description: 'Deregistered, or not known' }),
          403: EntityMismatchReply,
          409: DetailReply,
        },
      },
    },
    async (request, reply) => {
      const { agent_id: agentId } = request.params;
      // A conditional change; retried in case a heartbeat changed the agent in between.
      for (let attempt = 0; attempt < 3; attempt++) {
        let agent = app.store.getAgent(agentId);
        // Judged by the database, not by this replica's snapshot (up to 1 s behind): an agent
        // registered through another replica a moment ago, or changed since (the retry).
        if (!agent || attempt > 0) {
          await app.store.ensureFresh(0);
          agent = app.store.getAgent(agentId);
        }
        // Idempotent, as the Go registry answers (registry-api-current.md §1.4): gone is gone.
        if (!agent) return reply.code(204).send(null);
        // Registration trust: only its own entity deregisters an agent (the Go registry lets any caller).
        if (refuseForeignEntity(request, reply, agent, 'UnregisterAgent')) return reply;
        const at = nowMicros();
        // One `unregister` event per goodbye, even from an agent already unhealthy (as upstream).
        const event = unregisterEvent(agent, at);
        if (agent.status === 'unhealthy') {
          if (event) await persistOrFail(app.store.appendEvents([event]), 'Failed to deregister agent');
          return reply.code(204).send(null);
        }
        const change = {
          id: agentId,
          fromStatus: agent.status,
          lastHeartbeat: agent.lastHeartbeat,
          toStatus: 'unhealthy' as const,
          at,
          event,
        };
        const applied = await persistOrFail(
          app.store.applyStatusChanges([change]),
          'Failed to deregister agent',
        );
        if (applied.length > 0) return reply.code(204).send(null);
      }
      return sendJson(reply, 409, { detail: `Agent ${agentId} changed while being deregistered; try again` });
    },
  );
};
