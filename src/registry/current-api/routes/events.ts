import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { EVENT_TYPES, type EventType } from '../../../mesh/events.js';
import { sendGoJson } from '../../http/replies.js';
import { useHeartbeatErrors } from '../invalid-heartbeat.js';
import { EventsReply, eventView } from '../views/event-view.js';
import { BindErrorReply, bindInteger, repeatedParameterError } from './query-binding.js';

/** Strings, as sent: the handler binds them as the Go registry does (its errors, its clamping). */
const EventsQuery = Type.Object({
  type: Type.Optional(Type.String({ description: `One of ${EVENT_TYPES.join(', ')}` })),
  agent_id: Type.Optional(Type.String({ description: 'For dependency events, the consumer' })),
  function_name: Type.Optional(Type.String()),
  limit: Type.Optional(Type.String({ description: 'Default 50, at most 500' })),
});

function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * `GET /events`: the event log, newest first, read from the database (so every replica serves
 * every replica's events), written as the Go registry writes JSON. What `meshctl audit` reads.
 */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useHeartbeatErrors(app);
  app.get(
    '/events',
    {
      schema: {
        summary: 'Recent registry events (lifecycle and dependency resolution), newest first',
        tags: ['events'],
        querystring: EventsQuery,
        response: { 200: EventsReply, 400: BindErrorReply },
      },
    },
    async (request, reply) => {
      const repeated = repeatedParameterError(request.url, ['type', 'agent_id', 'function_name', 'limit']);
      if (repeated !== undefined) return sendGoJson(reply, 400, { msg: repeated });
      const { type, agent_id: agentId, function_name: functionName } = request.query;
      const limit = bindInteger('limit', request.query.limit);
      if (typeof limit === 'string') return sendGoJson(reply, 400, { msg: limit });
      // An unknown type matches no event (the Go registry does not check it either).
      if (type !== undefined && type !== '' && !isEventType(type)) {
        return sendGoJson(reply, 200, { count: 0, events: [] });
      }
      const events = await app.store.listEvents({
        type: type === '' ? undefined : type,
        agentId: agentId === '' ? undefined : agentId,
        functionName: functionName === '' ? undefined : functionName,
        limit: Math.min(Math.max(limit ?? 50, 1), 500),
      });
      return sendGoJson(reply, 200, { count: events.length, events: events.map(eventView) });
    },
  );
};
