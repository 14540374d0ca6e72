import { Type } from 'typebox';
import type { StoredEvent } from '../../../mesh/events.js';
import { isoNanosZ } from '../../../shared/clock.js';
import { JsonObject } from '../../http/common-schemas.js';

/** One event as the Go registry lists it: optional fields left out when empty. */
export const EventReply = Type.Object({
  agent_id: Type.String(),
  agent_name: Type.Optional(Type.String()),
  data: Type.Optional(JsonObject),
  event_type: Type.String(),
  function_name: Type.Optional(Type.String()),
  timestamp: Type.String({ description: 'RFC 3339, UTC' }),
});

export const EventsReply = Type.Object({ count: Type.Integer(), events: Type.Array(EventReply) });

export function eventView(event: StoredEvent) {
  return {
    agent_id: event.agentId,
    ...(event.agentName === '' ? {} : { agent_name: event.agentName }),
    ...(Object.keys(event.data).length === 0 ? {} : { data: event.data }),
    event_type: event.type,
    ...(event.functionName === '' ? {} : { function_name: event.functionName }),
    timestamp: isoNanosZ(event.at),
  };
}
