// Stands in for @fastify/static inside the registry's Bun executable, as embedded-static.ts does
// in the Node one: Swagger UI's assets are files that `bun build --compile` embedded
// (scripts/release/bundle.ts writes the module of their paths, `bun-assets.mjs`), read on request.

// @ts-expect-error: written beside the bundle at build time and resolved by Bun (bundle.ts).
import assets from 'mesh:bun-assets';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ASSET_PREFIX, CONTENT_TYPES } from './static-content-types.ts';

interface StaticOptions {
  serve?: boolean;
}

export default async function bunEmbeddedStatic(app: FastifyInstance, options: StaticOptions): Promise<void> {
  if (options.serve === false) return;
  const paths = new Map<string, string>();
  for (const [key, path] of Object.entries(assets as Record<string, string>))
    if (key.startsWith(ASSET_PREFIX)) paths.set(key.slice(ASSET_PREFIX.length), path);
  app.get<{ Params: { '*': string } }>('/*', { schema: { hide: true } }, (request, reply) => {
    const path = paths.get(request.params['*']);
    if (path === undefined) return reply.callNotFound();
    return reply.type(CONTENT_TYPES[extname(path)] ?? 'application/octet-stream').send(readFileSync(path));
  });
}
