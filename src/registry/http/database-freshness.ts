import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';

/**
 * Routes that never read agents: the service document, the docs, the dashboard's files (its page
 * reads agents through the API), and `/health` (which asks the database itself, spec §4.7).
 * Every other route waits, before its handler, until the store's
 * snapshot is at most 1 s old, so no replica answers from another replica's stale data; while
 * the database cannot be reached they answer 503 instead.
 */
const ROUTES_WITHOUT_AGENTS = new Set(['/', '/health', '/openapi.json', '/mcp', '/mcp/*']);

export const databaseFreshness = appWide('database-freshness', async (app: FastifyInstance) => {
  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url;
    if (
      url === undefined ||
      ROUTES_WITHOUT_AGENTS.has(url) ||
      url.startsWith('/docs') ||
      url.startsWith('/ui')
    ) {
      return;
    }
    await app.store.ensureFresh();
  });
});
