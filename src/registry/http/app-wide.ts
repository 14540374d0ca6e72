import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/**
 * Marks a plugin as one whose hooks, handlers and decorations belong to the instance that
 * registers it, so they reach every route (what the `fastify-plugin` package does, without the
 * dependency). The route plugins of legacy-api/ and current-api/ stay encapsulated.
 */
export function appWide<Options extends FastifyPluginOptions>(
  name: string,
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
}
