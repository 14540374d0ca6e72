/**
 * The registry's event log, in the upstream registry's words (its `GET /events`): what happened to
 * which agent, and when. Lifecycle events come from registrations, status changes, deletions and
 * certificate rotations; `dependency_*` events record resolution decisions. Pure: the kinds, the
 * record and the data each lifecycle event carries.
 */
import type { Micros } from '../shared/clock.js';
import type { AgentRecord, AgentStatus } from './agent.js';
import { sortKeysDeep } from './resolution/resolve-dependency.js';

export const EVENT_TYPES = [
  'register',
  'heartbeat',
  'expire',
  'update',
  'unregister',
  'unhealthy',
  'rotate',
  'dependency_resolved',
  'dependency_unresolved',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** An event to record. Its `data` is written with its keys sorted, as Go writes a map. */
export interface MeshEvent {
  type: EventType;
  agentId: string;
  /** The agent's name when the event happened ('' when not known). */
  agentName: string;
  /** For function-level events (resolution decisions); '' otherwise. */
  functionName: string;
  at: Micros;
  data: Record<string, unknown>;
  /**
   * `data` as stored (`JSON.stringify(sortedData(data))`), when its producer has that text for
   * less than sorting and writing `data` again (resolution-trace.ts's `auditEventText`).
   */
  dataText?: string;
}

/** A recorded event, with its place in the log (newer events have larger ids). */
export interface StoredEvent extends MeshEvent {
  id: number;
}

/** What `GET /events` may ask for; absent filters match everything. */
export interface EventQuery {
  type?: EventType | undefined;
  agentId?: string | undefined;
  functionName?: string | undefined;
  /** At most this many, newest first. */
  limit: number;
}

/** Agents of type `api` are services without tools: the upstream registry logs nothing of theirs. */
function isLogged(agent: Pick<AgentRecord, 'agentType'>): boolean {
  return agent.agentType !== 'api';
}

function agentEvent(
  type: EventType,
  agent: Pick<AgentRecord, 'id' | 'name'>,
  at: Micros,
  data: Record<string, unknown>,
): MeshEvent {
  return { type, agentId: agent.id, agentName: agent.name, functionName: '', at, data };
}

function versionOf(agent: AgentRecord): string {
  return agent.current?.version ?? '';
}

/** RFC 3339 to the second, as the upstream registry writes times inside event data. */
function secondsZ(micros: Micros): string {
  return `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}Z`;
}

/**
 * What a status change is called, and the data it carries: a return to `healthy` is a
 * (re)registration, a fall from `healthy` is `unhealthy`, anything else an `update`.
 */
export function statusChangeEvent(
  agent: AgentRecord,
  from: AgentStatus,
  to: AgentStatus,
  at: Micros,
): MeshEvent | undefined {
  if (from === to || !isLogged(agent)) return undefined;
  let type: EventType = 'update';
  let reason = 'status_transition';
  let description = `Agent status changed from ${from} to ${to}`;
  if (to === 'healthy') {
    type = 'register';
    reason = 'recovery';
    description = 'Agent recovered to healthy status';
  } else if (from === 'healthy') {
    type = 'unhealthy';
    reason = 'health_degradation';
    description = 'Agent became unhealthy';
  }
  return agentEvent(type, agent, at, {
    description,
    detected_at: secondsZ(at),
    new_status: to,
    old_status: from,
    reason,
    source: 'status_change_hook',
    transition_type: `${from}_to_${to}`,
  });
}

/**
 * The events of a registration (a full heartbeat or a legacy `POST /agents`): a new agent
 * registers; one that comes back to `healthy` recovers; a healthy one re-registering logs nothing.
 */
export function registrationEvents(agent: AgentRecord, previous: AgentRecord | undefined): MeshEvent[] {
  if (!isLogged(agent)) return [];
  if (previous === undefined) {
    return [
      agentEvent('register', agent, agent.updatedAt, {
        agent_type: agent.agentType,
        name: agent.name,
        version: versionOf(agent),
      }),
    ];
  }
  const change = statusChangeEvent(agent, previous.status, agent.status, agent.updatedAt);
  return change === undefined ? [] : [change];
}

/** `DELETE /agents/{id}`: the agent said goodbye. */
export function unregisterEvent(agent: AgentRecord, at: Micros): MeshEvent | undefined {
  if (!isLogged(agent)) return undefined;
  return agentEvent('unregister', agent, at, {
    agent_type: agent.agentType,
    name: agent.name,
    reason: 'graceful_shutdown',
    source: 'delete_endpoint',
    version: versionOf(agent),
  });
}

/** `POST /admin/rotate`: the agent is asked to register again with a new certificate. */
export function rotateEvent(agent: AgentRecord, entityId: string, at: Micros): MeshEvent {
  return agentEvent('rotate', agent, at, {
    agent_id: agent.id,
    entity_id: entityId,
    name: agent.name,
    reason: 'cert_rotation',
  });
}

/** The event's data with its keys in Go's order (sorted, at every level), as stored and answered. */
export function sortedData(data: Record<string, unknown>): Record<string, unknown> {
  return sortKeysDeep(data) as Record<string, unknown>;
}
