import type { FastifyInstance } from 'fastify';
import type { RegistryConfig } from '../../shared/config.js';
import { appWide } from './app-wide.js';

const ALLOWED_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';
const ALLOWED_METHOD_SET = new Set(ALLOWED_METHODS.split(', '));

/** Whether `MCP_MESH_CORS_ORIGIN` grants this origin (`*` grants every one). */
export function isGrantedOrigin(origin: string, corsOrigins: readonly string[]): boolean {
  return corsOrigins.includes('*') || corsOrigins.includes(origin.replace(/\/+$/, ''));
}

/**
 * CORS for the origins of `MCP_MESH_CORS_ORIGIN` only (none by default), as Starlette's
 * middleware answers with an origin list: a preflight from a granted origin is answered before
 * routing (200 `OK`, or 400 `Disallowed CORS method`), one from any other origin 400
 * `Disallowed CORS origin` without CORS headers; other requests from a granted origin get it
 * echoed with credentials (`*` without credentials when every origin is granted).
 */
export const cors = appWide<{ config: Readonly<RegistryConfig> }>(
  'cors',
  async (app: FastifyInstance, { config }) => {
    const isWildcard = config.corsOrigins.includes('*');
    app.addHook('onRequest', (request, reply, done) => {
      const origin = request.headers.origin;
      const requestedMethod = request.headers['access-control-request-method'];
      if (request.method !== 'OPTIONS' || origin === undefined || requestedMethod === undefined) {
        done();
        return;
      }
      reply.header('content-type', 'text/plain; charset=utf-8').header('vary', 'Origin');
      if (!isGrantedOrigin(origin, config.corsOrigins)) {
        reply.code(400).send('Disallowed CORS origin');
        return;
      }
      const isAllowed = ALLOWED_METHOD_SET.has(String(requestedMethod));
      reply
        .code(isAllowed ? 200 : 400)
        .header('access-control-allow-methods', ALLOWED_METHODS)
        .header('access-control-max-age', '600');
      if (isWildcard) reply.header('access-control-allow-origin', '*');
      else
        reply
          .header('access-control-allow-credentials', 'true')
          .header('access-control-allow-origin', origin);
      const requestedHeaders = request.headers['access-control-request-headers'];
      if (requestedHeaders !== undefined)
        reply.header('access-control-allow-headers', String(requestedHeaders));
      reply.send(isAllowed ? 'OK' : 'Disallowed CORS method');
    });

    app.addHook('onSend', (request, reply, payload, done) => {
      const origin = request.headers.origin;
      if (
        origin === undefined ||
        reply.hasHeader('access-control-allow-methods') ||
        !isGrantedOrigin(origin, config.corsOrigins)
      ) {
        done(null, payload);
        return;
      }
      if (isWildcard) reply.header('access-control-allow-origin', '*');
      else {
        reply
          .header('access-control-allow-origin', origin)
          .header('vary', 'Origin')
          .header('access-control-allow-credentials', 'true');
      }
      done(null, payload);
    });
  },
);
