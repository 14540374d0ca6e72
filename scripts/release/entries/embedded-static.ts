// Stands in for @fastify/static inside the registry's single executable. @fastify/swagger-ui
// serves its assets from a folder beside its own source file, which a single executable does not
// have; the bundle embeds those files as SEA assets (`swagger-ui/<name>`) and this plugin serves
// them from memory on the same routes. Only the options swagger-ui passes are supported.
import { extname } from 'node:path';
import { getAsset, getAssetKeys } from 'node:sea';
import type { FastifyInstance } from 'fastify';
import { ASSET_PREFIX, CONTENT_TYPES } from './static-content-types.ts';

interface StaticOptions {
  serve?: boolean;
}

export default async function embeddedStatic(app: FastifyInstance, options: StaticOptions): Promise<void> {
  if (options.serve === false) return;
  const names = new Set(
    getAssetKeys()
      .filter((key) => key.startsWith(ASSET_PREFIX))
      .map((key) => key.slice(ASSET_PREFIX.length)),
  );
  // Registered with swagger-ui's `prefix` option and without fastify-plugin, so this route is
  // `<routePrefix>/static/*`, the one @fastify/static would have added.
  app.get<{ Params: { '*': string } }>('/*', { schema: { hide: true } }, (request, reply) => {
    const name = request.params['*'];
    if (!names.has(name)) return reply.callNotFound();
    return reply
      .type(CONTENT_TYPES[extname(name)] ?? 'application/octet-stream')
      .send(Buffer.from(getAsset(`${ASSET_PREFIX}${name}`)));
  });
}
