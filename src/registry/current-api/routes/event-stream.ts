import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { DetailReply } from '../../http/common-schemas.js';
import { sendJsonText } from '../../http/replies.js';
import { INDEX_HEADER } from '../watch-query.js';

/** Changes closer together than this reach a stream as one message (the latest index). */
export const STREAM_MIN_GAP_MS = 250;
/** A comment line this often keeps proxies and browsers from closing a quiet stream. */
export const STREAM_KEEPALIVE_MS = 15_000;
/** A client this far behind is dropped (it reconnects and reads the current state). */
const STREAM_MAX_BUFFERED_BYTES = 64 * 1024;
/** How long a browser waits before reconnecting a dropped stream. */
const RECONNECT_MS = 2000;

const TOO_MANY_WATCHES = '{"detail":"Too many blocking queries and event streams are open; retry shortly"}';

function indexMessage(index: number): string {
  return `id: ${index}\nevent: index\ndata: {"index":${index}}\n\n`;
}

/**
 * `GET /events/stream`: the watch API as server-sent events (what the dashboard at `/ui` listens
 * to). The first message names the registry index; another follows whenever it moves (a write on
 * any replica), at most one per {@link STREAM_MIN_GAP_MS}. Each message's `id` is the index, so a
 * browser that reconnects sends it back as `Last-Event-ID`; the first message always carries the
 * current index, and the client compares. Streams count against the same bound as blocking queries.
 */
/** A plain plugin: its answer is a stream, which no reply schema types. */
export const eventStreamRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/events/stream',
    {
      schema: {
        summary: 'Server-sent events: the registry index now and whenever it moves (the watch API)',
        tags: ['events'],
        produces: ['text/event-stream'],
        response: { 429: DetailReply },
      },
    },
    async (_request, reply) => {
      const watch = app.indexWatch;
      if (!watch.enter()) {
        reply.header('retry-after', '1');
        return sendJsonText(reply, 429, TOO_MANY_WATCHES);
      }
      const stream = new PassThrough();
      let sent = watch.index;
      let timer: NodeJS.Timeout | undefined;
      const write = (text: string) => {
        if (stream.writableLength > STREAM_MAX_BUFFERED_BYTES) {
          end();
          return;
        }
        stream.write(text);
      };
      const flush = () => {
        timer = undefined;
        if (watch.index === sent) return;
        sent = watch.index;
        write(indexMessage(sent));
      };
      const unsubscribe = watch.subscribe(() => {
        timer ??= setTimeout(flush, STREAM_MIN_GAP_MS);
      });
      const keepalive = setInterval(() => write(': keep-alive\n\n'), STREAM_KEEPALIVE_MS);
      let isEnded = false;
      function end() {
        if (isEnded) return;
        isEnded = true;
        unsubscribe();
        clearTimeout(timer);
        clearInterval(keepalive);
        watch.closed.removeEventListener('abort', end);
        watch.leave();
        stream.end();
      }
      watch.closed.addEventListener('abort', end);
      reply.raw.once('close', end);
      stream.write(`retry: ${RECONNECT_MS}\n${indexMessage(sent)}`);
      return reply
        .header('content-type', 'text/event-stream')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no')
        .header(INDEX_HEADER, String(sent))
        .send(stream);
    },
  );
};
