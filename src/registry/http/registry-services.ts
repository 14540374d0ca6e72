import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RegistryConfig } from '../../shared/config.js';
import type { RegistryStore } from '../../storage/registry-store.js';
import { IndexWatch } from '../current-api/index-watch.js';
import { MeshTopology } from '../current-api/mesh-topology.js';
import { ResolutionAudit } from '../current-api/resolution-audit.js';
import { HealthMonitor } from '../health-monitor.js';
import { appWide } from './app-wide.js';
import { RegistryCounters, ResponseCache } from './registry-state.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: RegistryStore;
    counters: RegistryCounters;
    agentsCache: ResponseCache;
    capabilitiesCache: ResponseCache;
    healthMonitor: HealthMonitor;
    topology: MeshTopology;
    /** Blocking queries and event streams wait here for the store's index (the watch API). */
    indexWatch: IndexWatch;
    resolutionAudit: ResolutionAudit;
    config: Readonly<RegistryConfig>;
  }
}

export interface RegistryServicesOptions {
  config: Readonly<RegistryConfig>;
  store: RegistryStore;
  logger: Logger;
}

/**
 * What the routes use besides the request: the store and config they are given, the topology
 * (closed with the app), the counters and response caches, and the health monitor (started
 * when the app is ready, stopped before it closes). The store belongs to the caller.
 */
export const registryServices = appWide<RegistryServicesOptions>(
  'registry-services',
  async (app: FastifyInstance, { config, store, logger }) => {
    app.decorate('store', store);
    app.decorate('config', config);
    const topology = new MeshTopology(store);
    app.decorate('topology', topology);
    app.decorate('resolutionAudit', new ResolutionAudit(store));
    app.addHook('onClose', async () => topology.close());
    const indexWatch = new IndexWatch(store);
    app.decorate('indexWatch', indexWatch);
    // Closing answers every blocking query at once and ends every event stream.
    app.addHook('preClose', async () => indexWatch.close());
    app.decorate('counters', new RegistryCounters());
    app.decorate('agentsCache', new ResponseCache());
    app.decorate('capabilitiesCache', new ResponseCache());
    const monitor = new HealthMonitor({
      store,
      logger,
      intervalMs: config.healthCheckIntervalSeconds * 1000,
      currentTimeoutSeconds: config.defaultTimeoutThresholdSeconds,
      probeAfterSeconds: config.heartbeatProbeAfterSeconds,
      retentionSeconds: config.retentionSeconds,
      eventMaxRows: config.eventMaxRows,
    });
    app.decorate('healthMonitor', monitor);
    app.addHook('onReady', async () => monitor.start());
    app.addHook('preClose', async () => monitor.stop());
  },
);
