import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { adminRoutes } from '../current-api/routes/admin.js';
import { replyToInvalidLegacyInput } from '../legacy-api/invalid-input.js';
import type { AppDeps } from './app.js';
import { browserGuard } from './browser-guard.js';
import { applyConnectionLimits } from './connection-limits.js';
import { cors } from './cors.js';
import { errorHandling } from './error-handler.js';
import { hostCheck } from './host-check.js';
import { RouteTable } from './route-table.js';
import { validatorCompiler } from './validator-compiler.js';

/**
 * The admin listener's app (`MCP_MESH_ADMIN_PORT` above 0): only the `/admin/*` routes, over the
 * registry's store. Meant for a port that only operators reach; like the main app, it never
 * listens by itself.
 */
export async function buildAdminApp({ config, store, logger }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    bodyLimit: config.bodyLimitBytes,
    // As on the main port: a request that arrives while we close is served, never answered with
    // Fastify's own 503 body (not the registry's `detail` shape).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  applyConnectionLimits(app.server, config);
  const routes = RouteTable.install(app);
  // What guards the main port from web pages guards this one too (browser-guard.ts, host-check.ts).
  await app.register(hostCheck, { config });
  await app.register(cors, { config });
  await app.register(browserGuard, { config });
  app.decorate('store', store);
  app.decorate('config', config);
  await app.register(validatorCompiler);
  await app.register(errorHandling, {
    routes,
    bodyLimit: config.bodyLimitBytes,
    replyToInvalidInput: replyToInvalidLegacyInput,
  });
  await app.register(adminRoutes);
  return app;
}
