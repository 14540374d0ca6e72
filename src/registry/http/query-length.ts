import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';
import { sendJsonText } from './replies.js';
import { REQUEST_LIMITS } from './request-limits.js';

const TOO_LONG = JSON.stringify({
  detail: `Query string is longer than ${REQUEST_LIMITS.queryLength} characters`,
});

/** A query string over the limit (request-limits.ts) is answered 414 before anything parses it. */
export const queryLength = appWide('query-length', async (app: FastifyInstance) => {
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    if (url.length > REQUEST_LIMITS.queryLength) {
      const start = url.indexOf('?');
      if (start !== -1 && url.length - start - 1 > REQUEST_LIMITS.queryLength) {
        sendJsonText(reply, 414, TOO_LONG);
        return;
      }
    }
    done();
  });
});
