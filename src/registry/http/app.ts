import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { RegistryConfig } from '../../shared/config.js';
import type { RegistryStore } from '../../storage/registry-store.js';
import { MeshTopology } from '../current-api/mesh-topology.js';
import { heartbeatRoutes } from '../current-api/routes/heartbeat.js';
import { HealthMonitor } from '../health-monitor.js';
import { replyToInvalidLegacyInput } from '../legacy-api/invalid-input.js';
import { agentRoutes } from '../legacy-api/routes/agents.js';
import { capabilityRoutes } from '../legacy-api/routes/capabilities.js';
import { healthRoutes } from '../legacy-api/routes/health.js';
import { metricsRoutes } from '../legacy-api/routes/metrics.js';
import { rootRoutes } from '../legacy-api/routes/root.js';
import { installAccessLog } from './access-log.js';
import { installBodyParser } from './body-parser.js';
import { installCors } from './cors.js';
import { installDatabaseFreshness } from './database-freshness.js';
import { errorHandler, installNotFoundHandler } from './error-handler.js';
import { installOpenApi } from './openapi.js';
import { RegistryCounters, ResponseCache } from './registry-state.js';
import { RouteTable } from './route-table.js';
import { installValidation } from './validator-compiler.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: RegistryStore;
    counters: RegistryCounters;
    agentsCache: ResponseCache;
    capabilitiesCache: ResponseCache;
    healthMonitor: HealthMonitor;
    topology: MeshTopology;
    config: Readonly<RegistryConfig>;
  }
}

function rawJsonResponse(status: number, reason: string, body: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** Requests Node's parser cannot read (unknown methods, broken framing) get a JSON 400, then close. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return;
  const isTooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  socket.end(
    isTooLarge
      ? rawJsonResponse(
          431,
          'Request Header Fields Too Large',
          '{"detail":"Request header fields too large"}',
        )
      : rawJsonResponse(400, 'Bad Request', '{"detail":"Invalid HTTP request"}'),
  );
}

export interface AppDeps {
  config: Readonly<RegistryConfig>;
  store: RegistryStore;
  logger: Logger;
  /** Where access lines go (stdout in the real process). */
  writeAccessLog?: (text: string) => void;
}

/**
 * Builds the registry app from what it is given. It never listens: `main.ts` does, and tests
 * listen on port 0. Closing the app stops the health monitor; the store belongs to the caller.
 */
export async function buildApp({ config, store, logger, writeAccessLog }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Access lines are ours (uvicorn's format, plugins/access-log.ts), not Fastify's.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    bodyLimit: config.bodyLimitBytes,
    // A request that reached an accepted connection before or while we close is served (with
    // `Connection: close`), not shed with Fastify's own 503 body: in-flight requests finish.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 16_384 },
    clientErrorHandler: answerClientError,
  });
  // Node hands CONNECT requests to this event instead of routing them; answer like any unknown path.
  app.server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.end(rawJsonResponse(404, 'Not Found', '{"detail":"Not Found"}'));
  });

  const routes = RouteTable.install(app);
  installCors(app);
  installBodyParser(app);
  installValidation(app);
  // Each API answers errors of its routes in its own shape (legacy-api/, current-api/); outside
  // them (docs, unknown paths) errors take the Python registry's shape.
  app.setErrorHandler(errorHandler(config.bodyLimitBytes, replyToInvalidLegacyInput));
  installNotFoundHandler(app, routes);
  if (config.isAccessLogEnabled && writeAccessLog) installAccessLog(app, writeAccessLog);

  app.decorate('store', store);
  app.decorate('config', config);
  installDatabaseFreshness(app);
  const topology = new MeshTopology(store);
  app.decorate('topology', topology);
  app.addHook('onClose', async () => topology.close());
  app.decorate('counters', new RegistryCounters());
  app.decorate('agentsCache', new ResponseCache());
  app.decorate('capabilitiesCache', new ResponseCache());
  const monitor = new HealthMonitor({
    store,
    logger,
    intervalMs: config.healthCheckIntervalSeconds * 1000,
    currentTimeoutSeconds: config.defaultTimeoutThresholdSeconds,
    retentionSeconds: config.retentionSeconds,
  });
  app.decorate('healthMonitor', monitor);
  app.addHook('onReady', async () => monitor.start());
  app.addHook('preClose', async () => monitor.stop());

  await installOpenApi(app);
  await app.register(rootRoutes);
  await app.register(healthRoutes);
  await app.register(heartbeatRoutes);
  await app.register(agentRoutes);
  await app.register(capabilityRoutes);
  await app.register(metricsRoutes);
  return app;
}
