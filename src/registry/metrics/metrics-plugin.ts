import type { FastifyInstance } from 'fastify';
import { appWide } from '../http/app-wide.js';
import { RegistryMetrics } from './registry-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: RegistryMetrics;
  }
}

/**
 * The registry's prom-client series (`app.metrics`, written out by `/metrics/prometheus` after
 * the legacy families), and the hook that times every answered request. Registered after
 * `registry-services` (it reads the store and the topology) and before the routes.
 */
export const registryMetrics = appWide('registry-metrics', async (app: FastifyInstance) => {
  const metrics = new RegistryMetrics(app.store, app.topology);
  app.decorate('metrics', metrics);
  const latency = metrics.latency;
  app.addHook('onResponse', (request, reply, done) => {
    // A path no route matches counts as one series, whatever its URL.
    const route = request.is404 ? undefined : request.routeOptions.url;
    latency.observe(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
});
