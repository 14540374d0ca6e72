import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';

const ALLOWED_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';
const ALLOWED_METHOD_SET = new Set(ALLOWED_METHODS.split(', '));

/**
 * CORS exactly as Starlette 0.4x's middleware with allow-all settings and credentials (spec
 * §2.5): preflights answered before routing (200 `OK` or 400 `Disallowed CORS method`), other
 * requests with an Origin get `*` or, when they carry a cookie, the echoed origin and `vary`.
 */
export const cors = appWide('cors', async (app: FastifyInstance) => {
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    const requestedMethod = request.headers['access-control-request-method'];
    if (request.method !== 'OPTIONS' || origin === undefined || requestedMethod === undefined) {
      done();
      return;
    }
    const isAllowed = ALLOWED_METHOD_SET.has(String(requestedMethod));
    reply
      .code(isAllowed ? 200 : 400)
      .header('vary', 'Origin')
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-max-age', '600')
      .header('access-control-allow-credentials', 'true')
      .header('access-control-allow-origin', origin);
    const requestedHeaders = request.headers['access-control-request-headers'];
    if (requestedHeaders !== undefined)
      reply.header('access-control-allow-headers', String(requestedHeaders));
    reply
      .header('content-type', 'text/plain; charset=utf-8')
      .send(isAllowed ? 'OK' : 'Disallowed CORS method');
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const origin = request.headers.origin;
    if (origin === undefined || reply.hasHeader('access-control-allow-methods')) {
      done(null, payload);
      return;
    }
    if (request.headers.cookie === undefined) {
      reply.header('access-control-allow-origin', '*');
    } else {
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    }
    reply.header('access-control-allow-credentials', 'true');
    done(null, payload);
  });
});
