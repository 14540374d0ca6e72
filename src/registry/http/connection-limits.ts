import type { Server } from 'node:http';
import type { RegistryConfig } from '../../shared/config.js';

/** Headers arrive within this, or the request's whole budget when that is shorter. */
const HEADERS_TIMEOUT_MS = 15_000;

/**
 * What one connection may hold of the server: a request (headers and body) arrives within
 * `MCP_MESH_REQUEST_TIMEOUT` seconds or is answered 408 and closed (Node checks at most once a
 * second, so a client trickling a byte every 2 s is cut off on time), headers within 15 s, and
 * at most `MCP_MESH_MAX_CONNECTIONS` connections are open (more are closed at once). Idle
 * keep-alive connections close after Fastify's 72 s. Responses are not bounded here (long-polls
 * and the proxy have their own budgets).
 */
export function applyConnectionLimits(server: Server, config: Readonly<RegistryConfig>): void {
  const requestTimeoutMs = Math.max(1, Math.round(config.requestTimeoutSeconds * 1000));
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(requestTimeoutMs, HEADERS_TIMEOUT_MS);
  // Read when the server starts listening (Node's default is 30 s, too coarse for the budget).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(
    1000,
    Math.max(100, Math.floor(requestTimeoutMs / 2)),
  );
  server.maxConnections = config.maxConnections;
}
