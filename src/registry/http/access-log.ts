import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';

/**
 * uvicorn's access line, one per request (spec §10.3 step 4):
 * `INFO:     127.0.0.1:54762 - "POST /agents/register_with_metadata HTTP/1.1" 201 Created`.
 * Lines are written in batches once per event-loop turn so logging stays cheap under load.
 */
export const accessLog = appWide<{ write: (text: string) => void }>(
  'access-log',
  async (app: FastifyInstance, { write }) => {
    let pending: string[] = [];
    const flush = () => {
      const text = pending.join('');
      pending = [];
      write(text);
    };
    app.addHook('onResponse', (request, reply, done) => {
      const socket = request.raw.socket;
      const status = reply.statusCode;
      if (pending.length === 0) setImmediate(flush);
      pending.push(
        `INFO:     ${socket.remoteAddress ?? '-'}:${socket.remotePort ?? 0} - "${request.method} ${request.url} HTTP/${request.raw.httpVersion}" ${status} ${STATUS_CODES[status] ?? ''}\n`,
      );
      done();
    });
    app.addHook('onClose', (_instance, done) => {
      if (pending.length > 0) flush();
      done();
    });
  },
);
