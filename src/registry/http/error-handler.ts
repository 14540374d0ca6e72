import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MeshError } from '../../shared/errors.js';
import { appWide } from './app-wide.js';
import { DetailReply } from './common-schemas.js';
import { sendJsonAs } from './replies.js';
import type { RouteTable } from './route-table.js';
import { RequestValidationError } from './validation/request-validation-error.js';

function pathOf(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q) };
}

/** How one protocol answers a request whose input failed validation (its own error shape). */
export type InvalidInputReply = (
  error: RequestValidationError,
  request: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply;

/**
 * The registry's error handler, given the protocol's reply to invalid input. Each API sets it on
 * the context of its routes (`legacy-api/`, `current-api/`); every other error leaves in the
 * original's shape (`{"detail": ...}`), and bad input never becomes a 500.
 */
export function errorHandler(bodyLimit: number, replyToInvalidInput: InvalidInputReply) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof RequestValidationError) return replyToInvalidInput(error, request, reply);
    if (error instanceof MeshError && error.statusCode !== undefined && error.statusCode < 500) {
      return sendJsonAs(reply, error.statusCode, DetailReply, { detail: error.message });
    }
    const code = (error as FastifyError).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // The client may still be writing: the rest is read and dropped (within the request's time
      // budget, connection-limits.ts) so that it reads this answer instead of a reset connection.
      reply.removeHeader('connection');
      request.raw.resume();
      return sendJsonAs(reply, 413, DetailReply, {
        detail: `Request body is larger than the limit of ${bodyLimit} bytes`,
      });
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return sendJsonAs(reply, status, DetailReply, { detail: error.message });
    }
    if (error instanceof MeshError && error.statusCode === 503) {
      // Temporary (the database is away; the store logs the outage once): say when to come back.
      request.log.debug({ err: error }, 'request answered 503');
      return sendJsonAs(reply.header('retry-after', '1'), 503, DetailReply, { detail: error.message });
    }
    if (error instanceof MeshError && error.statusCode !== undefined) {
      request.log.error({ err: error }, 'request failed');
      return sendJsonAs(reply, error.statusCode, DetailReply, { detail: error.message });
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendJsonAs(reply, 500, DetailReply, { detail: 'Internal Server Error' });
  };
}

/**
 * The app's own error handler (for what no API owns: docs, unknown paths) and the handler of paths
 * no route serves: 405 with `allow` for a known path with another method, 307 to the path with or
 * without its trailing slash when that one is known, else 404 (Starlette, spec §2.3).
 */
export const errorHandling = appWide<{
  routes: RouteTable;
  bodyLimit: number;
  replyToInvalidInput: InvalidInputReply;
}>('error-handling', async (app: FastifyInstance, { routes, bodyLimit, replyToInvalidInput }) => {
  app.setErrorHandler(errorHandler(bodyLimit, replyToInvalidInput));
  app.setNotFoundHandler((request, reply) => {
    const { path, query } = pathOf(request.url);
    const methods = routes.methodsFor(path);
    // A route of this method that found nothing (a missing docs asset under `/docs/static/*`)
    // is a 404; a path served under other methods only is a 405.
    if (methods.includes(request.method)) return sendJsonAs(reply, 404, DetailReply, { detail: 'Not Found' });
    if (methods.length > 0) {
      return sendJsonAs(reply.header('allow', methods.join(', ')), 405, DetailReply, {
        detail: 'Method Not Allowed',
      });
    }
    const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    if (other !== '' && routes.methodsFor(other).length > 0) {
      const host = request.headers.host ?? 'localhost';
      return reply.code(307).header('location', `http://${host}${other}${query}`).send();
    }
    return sendJsonAs(reply, 404, DetailReply, { detail: 'Not Found' });
  });
});
