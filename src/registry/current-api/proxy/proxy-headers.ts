import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { PROXY_TIMEOUT_CAP_SECONDS } from '../../../shared/config.js';

/**
 * The request headers upstream always passes on when they came (content type and accept, trace,
 * time budget, job identity); `MCP_MESH_PROPAGATE_HEADERS` adds to them. Nothing else goes to the
 * agent: not the caller's credentials, cookies or session headers.
 */
const ALWAYS_FORWARDED = [
  'content-type',
  'accept',
  'x-trace-id',
  'x-parent-span',
  'x-mesh-timeout',
  'x-mesh-job-id',
  'x-mesh-calling-job-id',
  'x-mesh-calling-claim-epoch',
] as const;

/** Headers of one connection, never of the exchange (RFC 9110 §7.6.1), plus the body's framing. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** The hop-by-hop headers of a message: the fixed ones and those its `Connection` header names. */
function hopByHop(headers: IncomingHttpHeaders): Set<string> {
  const named = headers.connection;
  if (!named) return HOP_BY_HOP;
  const set = new Set(HOP_BY_HOP);
  for (const name of named.split(',')) set.add(name.trim().toLowerCase());
  return set;
}

function matchesPattern(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/**
 * What the proxy sends the agent: the fixed headers that came (non-empty), then every other header
 * a propagate pattern matches (all its values), never a hop-by-hop one.
 */
export function forwardedRequestHeaders(
  distinct: NodeJS.Dict<string[]>,
  headers: IncomingHttpHeaders,
  propagate: readonly string[],
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of ALWAYS_FORWARDED) {
    const value = distinct[name]?.[0];
    if (value) out[name] = value;
  }
  if (propagate.length === 0) return out;
  const skip = hopByHop(headers);
  for (const [name, values] of Object.entries(distinct)) {
    if (!values || name in out || skip.has(name)) continue;
    if ((ALWAYS_FORWARDED as readonly string[]).includes(name)) continue;
    if (propagate.some((pattern) => matchesPattern(name, pattern))) out[name] = values;
  }
  return out;
}

/**
 * The agent's answer headers the caller gets: all of them, every value (cookies stay separate),
 * except hop-by-hop ones and the length (the body is streamed and may be cut at the deadline).
 */
export function relayedResponseHeaders(
  distinct: NodeJS.Dict<string[]>,
  headers: IncomingHttpHeaders,
): Record<string, string | string[]> {
  const skip = hopByHop(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(distinct)) {
    if (!values || skip.has(name)) continue;
    out[name] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/**
 * The call's time budget in seconds: the caller's `X-Mesh-Timeout` when it is a positive integer
 * (Go's `Atoi`: a sign and leading zeros allowed), capped at 600, else the configured default.
 */
export function budgetSeconds(meshTimeout: string | undefined, fallback: number): number {
  if (meshTimeout === undefined || !/^[+-]?\d+$/.test(meshTimeout)) return fallback;
  const seconds = Number(meshTimeout);
  // Beyond a 64-bit integer Atoi fails, and upstream falls back as well.
  if (seconds <= 0 || seconds > Number.MAX_SAFE_INTEGER * 1024) return fallback;
  return Math.min(seconds, PROXY_TIMEOUT_CAP_SECONDS);
}

/** Whether a content type is SSE (`text/event-stream`, any case, parameters ignored). */
export function isEventStream(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase() === 'text/event-stream';
}
