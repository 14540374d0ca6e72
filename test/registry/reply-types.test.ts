/**
 * Replies are typed by their route's response schema: `npm run typecheck` compiles this file, so a
 * `@ts-expect-error` below that stops being an error (a body that no longer has to match its
 * schema) fails the build. At run time the same route answers as every route does: the exact
 * content type of the originals and the body's keys in the order they were set.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { DetailReply } from '../../src/registry/http/common-schemas.js';
import { sendJson, sendJsonAs } from '../../src/registry/http/replies.js';

const Pong = Type.Object({ pong: Type.Boolean(), at: Type.String() });

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/ping/:kind',
    {
      schema: {
        params: Type.Object({ kind: Type.String() }),
        response: { 200: Pong, 404: DetailReply },
      },
    },
    async (request, reply) => {
      if (request.params.kind === 'none') {
        // @ts-expect-error: the 404 of this route is `{ detail: string }`.
        if (request.params.kind.length > 99) return sendJson(reply, 404, { error: 'x' });
        return sendJson(reply, 404, { detail: 'no such kind' });
      }
      if (request.params.kind === 'typo') {
        // @ts-expect-error: `pong` is a boolean in this route's schema.
        return sendJson(reply, 200, { pong: 'yes', at: 'now' });
      }
      if (request.params.kind === 'teapot') {
        // @ts-expect-error: this route documents no 418.
        return sendJson(reply, 418, { detail: 'short and stout' });
      }
      if (request.params.kind === 'handler') {
        // @ts-expect-error: a body sent outside the route's schema is typed by the schema given.
        return sendJsonAs(reply, 400, DetailReply, { message: 'x' });
      }
      return sendJson(reply, 200, { at: 'now', pong: true });
    },
  );
};

describe('replies typed by their schemas', () => {
  it('answers with the exact content type and the keys in the order they were set', async () => {
    const app = Fastify();
    await app.register(routes);
    const ok = await app.inject({ method: 'GET', url: '/ping/any' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json');
    expect(ok.body).toBe('{"at":"now","pong":true}');
    const missing = await app.inject({ method: 'GET', url: '/ping/none' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe('{"detail":"no such kind"}');
    await app.close();
  });
});
