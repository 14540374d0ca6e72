import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { RegistryConfig } from '../../shared/config.js';
import type { RegistryStore } from '../../storage/registry-store.js';
import { a2aRoutes } from '../current-api/routes/a2a.js';
import { adminRoutes } from '../current-api/routes/admin.js';
import { agentListRoutes } from '../current-api/routes/agent-list.js';
import { eventStreamRoutes } from '../current-api/routes/event-stream.js';
import { eventRoutes } from '../current-api/routes/events.js';
import { heartbeatRoutes } from '../current-api/routes/heartbeat.js';
import { jobRoutes } from '../current-api/routes/jobs.js';
import { proxyRoutes } from '../current-api/routes/proxy.js';
import { schemaRoutes } from '../current-api/routes/schemas.js';
import { traceRoutes } from '../current-api/routes/trace.js';
import { dashboardRoutes } from '../dashboard/dashboard-routes.js';
import { replyToInvalidLegacyInput } from '../legacy-api/invalid-input.js';
import { agentRoutes } from '../legacy-api/routes/agents.js';
import { capabilityRoutes } from '../legacy-api/routes/capabilities.js';
import { healthRoutes } from '../legacy-api/routes/health.js';
import { metricsRoutes } from '../legacy-api/routes/metrics.js';
import { rootRoutes } from '../legacy-api/routes/root.js';
import { registryMetrics } from '../metrics/metrics-plugin.js';
import type { AccessLogSink } from '../registry-output.js';
import { clientIdentity } from '../trust/client-identity.js';
import { openRegistrationTrust } from '../trust/registration-trust.js';
import { accessLog } from './access-log.js';
import { agentLifecycleLog } from './agent-lifecycle-log.js';
import { bodyParser } from './body-parser.js';
import { browserGuard } from './browser-guard.js';
import { applyConnectionLimits } from './connection-limits.js';
import { cors } from './cors.js';
import { databaseFreshness } from './database-freshness.js';
import { errorHandling } from './error-handler.js';
import { hostCheck } from './host-check.js';
import { openApi } from './openapi.js';
import { queryLength } from './query-length.js';
import { registryServices } from './registry-services.js';
import { RouteTable } from './route-table.js';
import { validatorCompiler } from './validator-compiler.js';

function rawJsonResponse(status: number, reason: string, body: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** Requests Node's parser cannot read (unknown methods, broken framing) get a JSON 400, then close. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return;
  // A request that did not arrive within MCP_MESH_REQUEST_TIMEOUT (connection-limits.ts).
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end(rawJsonResponse(408, 'Request Timeout', '{"detail":"Request timed out"}'));
    return;
  }
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
  /** Where access lines go (stdout in text, the logger in JSON, in the real process). */
  accessLog?: AccessLogSink;
}

/**
 * Builds the registry app from what it is given. It never listens: `main.ts` does, and tests
 * listen on port 0. Closing the app stops the health monitor; the store belongs to the caller.
 */
export async function buildApp({
  config,
  store,
  logger,
  accessLog: accessLogSink,
}: AppDeps): Promise<FastifyInstance> {
  // Registration trust (trust/): with TLS on, HTTPS and a trust chain, or no registry at all.
  const trust = openRegistrationTrust(config, {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
  });
  const app = Fastify({
    ...(trust === undefined ? {} : { https: trust.https }),
    loggerInstance: logger as FastifyBaseLogger,
    // Access lines are ours (uvicorn's format, access-log.ts), not Fastify's.
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
  applyConnectionLimits(app.server, config);
  // Node hands CONNECT requests to this event instead of routing them; answer like any unknown path.
  app.server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.end(rawJsonResponse(404, 'Not Found', '{"detail":"Not Found"}'));
  });

  // Ours (app-wide, in the order their hooks run), then the routes, each protocol's plugins
  // encapsulated with its own error shape. Registration order is the order of /openapi.json.
  const routes = RouteTable.install(app);
  await app.register(clientIdentity, { chain: trust?.chain, mode: config.tlsMode });
  await app.register(hostCheck, { config });
  await app.register(cors, { config });
  await app.register(browserGuard, { config });
  await app.register(queryLength);
  await app.register(bodyParser);
  await app.register(validatorCompiler);
  // Errors outside the APIs (docs, unknown paths) take the Python registry's shape.
  await app.register(errorHandling, {
    routes,
    bodyLimit: config.bodyLimitBytes,
    replyToInvalidInput: replyToInvalidLegacyInput,
  });
  if (config.isAccessLogEnabled && accessLogSink) await app.register(accessLog, { sink: accessLogSink });
  await app.register(registryServices, { config, store, logger });
  await app.register(registryMetrics);
  await app.register(agentLifecycleLog, { logger });
  await app.register(databaseFreshness);
  await app.register(openApi);
  await app.register(rootRoutes);
  await app.register(healthRoutes);
  await app.register(heartbeatRoutes);
  await app.register(agentRoutes);
  await app.register(agentListRoutes);
  await app.register(a2aRoutes);
  await app.register(traceRoutes);
  await app.register(proxyRoutes);
  await app.register(eventRoutes);
  await app.register(eventStreamRoutes);
  await app.register(schemaRoutes);
  await app.register(jobRoutes);
  // With an admin port, the admin routes are served there only (admin-app.ts).
  if (config.adminPort === 0) await app.register(adminRoutes);
  await app.register(capabilityRoutes);
  await app.register(metricsRoutes);
  await app.register(dashboardRoutes);
  return app;
}
