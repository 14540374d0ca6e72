import type { FastifyInstance } from 'fastify';
import type { RegistryConfig } from '../../shared/config.js';
import { appWide } from './app-wide.js';
import { sendJsonText } from './replies.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Whether the registry listens on loopback only (then a browser reaches it from this machine alone). */
export function isLoopbackBind(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The host name of a `Host` header: lower case, without port or trailing dot. */
function hostName(header: string): string {
  const lower = header.trim().toLowerCase();
  const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * A registry bound to loopback answers loopback host names only (localhost and its subdomains,
 * 127.0.0.1, [::1], any port) and those of `MCP_MESH_ALLOWED_HOSTS`: a page that rebinds its own
 * name to 127.0.0.1 (DNS rebinding) gets 400 `Invalid host header`. Bound to any other address,
 * names are not checked. A request without `Host` (HTTP/1.0) comes from no browser and passes.
 */
export const hostCheck = appWide<{ config: Readonly<RegistryConfig> }>(
  'host-check',
  async (app: FastifyInstance, { config }) => {
    if (!isLoopbackBind(config.host) || config.allowedHosts.includes('*')) return;
    const allowed = new Set([...LOOPBACK_NAMES, ...config.allowedHosts.map(hostName)]);
    // The `Host` values seen and allowed (agents send one or two): one lookup per request.
    const allowedHeaders = new Set<string>();
    app.addHook('onRequest', (request, reply, done) => {
      const header = request.headers.host;
      if (header === undefined || allowedHeaders.has(header)) {
        done();
        return;
      }
      const name = hostName(header);
      if (allowed.has(name) || name.endsWith('.localhost')) {
        if (allowedHeaders.size < 1024) allowedHeaders.add(header);
        done();
        return;
      }
      sendJsonText(reply, 400, '{"detail":"Invalid host header"}');
    });
  },
);
