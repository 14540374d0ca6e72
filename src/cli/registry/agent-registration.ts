/**
 * Which registry entry is the agent a tracked process runs (cli.md §6.5, §14 item 1).
 *
 * The original matched only `name == file stem` with `health_status == "healthy"`, which no real
 * registry ever answered. This predicate keeps that rule first and adds what real agents send:
 * - `status` when there is no `health_status` (every registry we serve, and the Go one);
 * - names and ids compared without case and with `_` = `-` (the legacy registry normalises
 *   `hello_world` to `hello-world`; SDK ids are `<name>-<8 hex>`);
 * - the endpoint port: an SDK agent's name comes from its decorator, not its file, so the entry whose
 *   endpoint port the process itself listens on is that process's registration.
 */

/** A registry `GET /agents` entry, as far as the CLI reads it. */
export type RegistryAgent = Record<string, unknown>;

export function healthOf(entry: RegistryAgent): string {
  const health = entry.health_status ?? entry.status;
  return typeof health === 'string' ? health : 'unknown';
}

/** The identity entries are keyed by, as in the original: `agent_id`, else `name` (else our `id`). */
export function identityOf(entry: RegistryAgent): string | undefined {
  for (const key of ['agent_id', 'name', 'id']) {
    const value = entry[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

const normalise = (name: string) => name.toLowerCase().replaceAll('_', '-');

function portOf(endpoint: unknown): number | undefined {
  if (typeof endpoint !== 'string') return undefined;
  try {
    const url = new URL(endpoint);
    const port = Number(url.port);
    return url.port === '' || !Number.isInteger(port) ? undefined : port;
  } catch {
    return undefined;
  }
}

function namesMatch(entry: RegistryAgent, agentName: string): boolean {
  const wanted = normalise(agentName);
  for (const key of ['name', 'agent_id', 'id']) {
    const value = entry[key];
    if (typeof value !== 'string') continue;
    const candidate = normalise(value);
    const suffix = candidate.startsWith(`${wanted}-`) ? candidate.slice(wanted.length + 1) : undefined;
    if (candidate === wanted || (suffix !== undefined && /^[0-9a-f]{8}$/.test(suffix))) return true;
  }
  return false;
}

export interface TrackedAgentIdentity {
  name: string;
  /** TCP ports the agent's process listens on, when known. */
  listeningPorts?: readonly number[];
}

/**
 * The registry entry of a tracked agent, preferring a healthy one (a restarted agent may leave
 * its previous, unhealthy registration behind). Undefined when none matches.
 */
export function findRegistration(
  entries: readonly RegistryAgent[],
  agent: TrackedAgentIdentity,
): RegistryAgent | undefined {
  const ports = new Set(agent.listeningPorts ?? []);
  const matches = entries.filter((entry) => {
    if (entry.name === agent.name || namesMatch(entry, agent.name)) return true;
    const port = portOf(entry.endpoint);
    return port !== undefined && ports.has(port);
  });
  return matches.find((entry) => healthOf(entry) === 'healthy') ?? matches[0];
}

/** Registered means: a matching entry that is healthy (§6.5). */
export function isRegisteredHealthy(entries: readonly RegistryAgent[], agent: TrackedAgentIdentity): boolean {
  const entry = findRegistration(entries, agent);
  return entry !== undefined && healthOf(entry) === 'healthy';
}
