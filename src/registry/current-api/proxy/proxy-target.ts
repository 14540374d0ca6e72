import type { AgentRecord } from '../../../mesh/agent.js';

/** Where a `/proxy/*target` request goes: an agent's `host:port` as the caller named it, and an MCP path. */
export interface ProxyTarget {
  hostPort: string;
  /** The path on the agent, percent-encoded again segment by segment (never a query). */
  path: string;
}

/** The registered endpoint a target names: dialled as registered, never as the caller wrote it. */
export interface AgentEndpoint {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

/** The Go registry's messages for a target it refuses before looking at agents. */
export const MISSING_PATH = 'Invalid target format: missing path. Expected format: {host}:{port}/mcp/{path}';
export const NOT_AN_MCP_PATH = 'Only /mcp/* paths are allowed for proxying';
export const MALFORMED_TARGET = 'Invalid target format: malformed percent-encoding';

const PREFIX = '/proxy/';

/**
 * Reads the target of `/proxy/<host>:<port>/mcp[/...]` from the raw request URL, as the Go registry
 * does: percent-decoded, split at the first `/`, the query dropped; only `/mcp` and paths under it.
 * Unlike upstream (which forwards `/mcp/../x` to the agent as it came), a `.` or `..` segment is
 * refused too: after normalisation it could leave `/mcp`.
 */
export function parseProxyTarget(rawUrl: string): ProxyTarget | { error: string } {
  const rawPath = rawUrl.split('?', 1)[0]!;
  const rest = rawPath.startsWith(PREFIX) ? rawPath.slice(PREFIX.length) : '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return { error: MALFORMED_TARGET };
  }
  const slash = decoded.indexOf('/');
  if (slash === -1) return { error: MISSING_PATH };
  const path = decoded.slice(slash);
  if (path !== '/mcp' && !path.startsWith('/mcp/')) return { error: NOT_AN_MCP_PATH };
  const segments = path.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) return { error: NOT_AN_MCP_PATH };
  return { hostPort: decoded.slice(0, slash), path: segments.map(encodeURIComponent).join('/') };
}

/** Go's `strconv.Atoi`: optional sign, decimal digits only; undefined when it would not parse. */
function atoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * https for an agent that registered with a TLS entity (upstream's rule, the same as the scheme of
 * its endpoint in `GET /agents` there): such an agent serves TLS.
 */
function schemeOf(agent: AgentRecord): AgentEndpoint['scheme'] {
  return agent.current?.entityId ? 'https' : 'http';
}

/**
 * The agent `host:port` names, among the agents the registry knows (whatever their status), as
 * the Go registry matches it: the port must be the agent's HTTP port, and the host its registered
 * HTTP host (preferred) or else its id or name. Undefined for anything else: the proxy is never an
 * open one. Agents without an HTTP endpoint (stdio, legacy registrations) are never targets.
 */
export function findAgentEndpoint(
  agents: Iterable<AgentRecord>,
  hostPort: string,
): AgentEndpoint | undefined {
  const parts = hostPort.split(':');
  if (parts.length !== 2) return undefined;
  const [host, portText] = parts as [string, string];
  const port = atoi(portText);
  if (port === undefined || port <= 0) return undefined;
  let byIdOrName: AgentRecord | undefined;
  for (const agent of agents) {
    const current = agent.current;
    if (!current || current.httpPort !== port || current.httpHost === '') continue;
    if (current.httpHost === host) return { scheme: schemeOf(agent), host: current.httpHost, port };
    if (!byIdOrName && (agent.id === host || agent.name === host)) byIdOrName = agent;
  }
  if (!byIdOrName?.current) return undefined;
  return { scheme: schemeOf(byIdOrName), host: byIdOrName.current.httpHost, port };
}
