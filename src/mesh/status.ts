/**
 * How an agent's status and its topology time change: the rules themselves, pure. The health
 * monitor, both protocols' handlers and the stores follow them.
 *
 * `topologyAt` is when an agent last changed in a way its consumers must re-resolve for
 * (`HEAD /heartbeat` answers 202 when a provider's topology time is newer than the consumer's last
 * full heartbeat, registry-api-current.md §3):
 * - a registration sets it, unless {@link topologyAtOfRegistration} finds nothing changed;
 * - a heartbeat sets it only when the status changes ({@link topologyAtAfterHeartbeat});
 * - a sweep's status change always sets it to the change's time.
 * The stores apply the last two inside their UPDATE statements (`CASE WHEN status = … THEN
 * topology_at ELSE … END` and `topology_at = $at`), against the row as the database has it; that
 * SQL mirrors these functions, and the store contract suite holds both dialects to them.
 */
import type { Micros } from '../shared/clock.js';
import type { AgentRecord, AgentStatus } from './agent.js';
import type { MeshEvent } from './events.js';

/** A conditional status change made by a health sweep. */
export interface StatusChange {
  id: string;
  /** The change applies only while the agent still has this status... */
  fromStatus: AgentStatus;
  /** ...and its last heartbeat is still this one (so a fresh heartbeat always wins). */
  lastHeartbeat: Micros | null;
  toStatus: AgentStatus;
  at: Micros;
  /** Logged with the change, only if it applies (its `at` should be the change's). */
  event?: MeshEvent | undefined;
}

/**
 * The status a sweep gives an agent now, or undefined to leave it. Legacy agents follow spec
 * registry-api.md §6.3 (strict comparisons; healthy → degraded → expired); current-protocol
 * agents become `unhealthy` after the timeout (registry-api-current.md §4).
 */
export function nextStatus(
  agent: AgentRecord,
  now: number,
  currentTimeoutSeconds: number,
): AgentStatus | undefined {
  if (agent.lastHeartbeat === null) return undefined;
  return statusForAge(agent, (now - agent.lastHeartbeat) / 1e6, currentTimeoutSeconds);
}

/**
 * {@link nextStatus} for an agent whose heartbeat is `age` seconds old as the health monitor
 * judges it (its own clock, without the time it could not record heartbeats: heartbeat-watch.ts).
 */
export function statusForAge(
  agent: AgentRecord,
  age: number,
  currentTimeoutSeconds: number,
): AgentStatus | undefined {
  if (agent.lastHeartbeat === null) return undefined;
  if (agent.protocol === 'current') {
    return agent.status === 'healthy' && age > currentTimeoutSeconds ? 'unhealthy' : undefined;
  }
  if (age > agent.evictionThreshold && agent.status !== 'expired') return 'expired';
  if (age > agent.timeoutThreshold && agent.status === 'healthy') return 'degraded';
  return undefined;
}

/** A heartbeat's topology time: unchanged while the status stays the same, else the heartbeat's. */
export function topologyAtAfterHeartbeat(
  previous: Pick<AgentRecord, 'status' | 'topologyAt'>,
  status: AgentStatus,
  at: Micros,
): Micros {
  return previous.status === status ? previous.topologyAt : at;
}

/**
 * What consumers resolve against: if this changes, the agent's topology changed. A tool's
 * required dependencies decide whether it is available, and its published output schema whether
 * it passes a consumer's schema stage, so they count too.
 */
function topologyFingerprint(agent: Pick<AgentRecord, 'endpoint' | 'capabilities' | 'namespace'>): string {
  return JSON.stringify([
    agent.endpoint,
    agent.namespace,
    agent.capabilities.map((c) => [
      c.name,
      c.functionName,
      c.version,
      c.tags,
      c.kwargs,
      c.outputSchemaHash,
      c.dependencies
        ?.filter((d) => d.required === true)
        .map((d) => [d.capability, d.tags, d.version, d.matchMode, d.expectedSchemaHash]),
    ]),
  ]);
}

/**
 * The topology time of a re-registration (a full current-protocol heartbeat): `previous`, what
 * the store had, keeps its time when it was healthy and nothing consumers resolve against changed;
 * otherwise the new registration's own time counts.
 */
export function topologyAtOfRegistration(agent: AgentRecord, previous: AgentRecord | undefined): Micros {
  const isSameTopology =
    previous !== undefined &&
    previous.status === 'healthy' &&
    topologyFingerprint(previous) === topologyFingerprint(agent);
  return isSameTopology ? previous.topologyAt : agent.topologyAt;
}
