import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AccessLogSink } from '../registry-output.js';
import { appWide } from './app-wide.js';

/**
 * One access line per request. In text, uvicorn's (spec §10.3 step 4):
 * `INFO:     127.0.0.1:54762 - "POST /agents/register_with_metadata HTTP/1.1" 201 Created`,
 * written in batches once per event-loop turn so logging stays cheap under load. In JSON, one
 * `info` line of the logger with the same facts as fields and the time the request took.
 */
export const accessLog = appWide<{ sink: AccessLogSink }>(
  'access-log',
  async (app: FastifyInstance, { sink }) => {
    if ('logger' in sink) {
      const { logger } = sink;
      app.addHook('onResponse', (request, reply, done) => {
        const socket = request.raw.socket;
        const status = reply.statusCode;
        logger.info(
          {
            remote: `${socket.remoteAddress ?? '-'}:${socket.remotePort ?? 0}`,
            method: request.method,
            url: request.url,
            http_version: request.raw.httpVersion,
            status,
            duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
          },
          `${request.method} ${request.url} ${status} ${STATUS_CODES[status] ?? ''}`,
        );
        done();
      });
      return;
    }
    const { write } = sink;
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
