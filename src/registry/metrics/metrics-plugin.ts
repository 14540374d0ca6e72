import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import { appWide } from '../http/app-wide.js';
import { RegistryMetrics } from './registry-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: RegistryMetrics;
  }
}

/**
 * The registry's prom-client series (`app.metrics`, written out by `/metrics/prometheus` after
 * the legacy families), and the hooks that time every answered request. Registered after
 * `registry-services` (it reads the store and the topology) and before the routes.
 *
 * Each route gets its own `onResponse` hook holding its pattern and its series, so timing a
 * request reads no route options (Fastify builds a new object on every `request.routeOptions`).
 */
export const registryMetrics = appWide('registry-metrics', async (app: FastifyInstance) => {
  const metrics = new RegistryMetrics(app.store, app.topology);
  app.decorate('metrics', metrics);
  const latency = metrics.latency;
  app.addHook('onRoute', (route) => {
    const series = latency.route(route.url);
    const observe: onResponseHookHandler = (request, reply, done) => {
      series.observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    const own = route.onResponse;
    route.onResponse = own === undefined ? [observe] : [...(Array.isArray(own) ? own : [own]), observe];
  });
  // A path no route matches counts as one series, whatever its URL.
  const unmatched = latency.route(undefined);
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched.observe(request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
});
