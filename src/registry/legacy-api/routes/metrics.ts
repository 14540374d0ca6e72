import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isoZ, nowMicros } from '../../../shared/clock.js';
import { floatRepr } from '../../../shared/python/python-float.js';
import type { RegistryStore } from '../../../storage/registry-store.js';
import type { RegistryCounters } from '../../http/registry-state.js';
import { sendJsonText, sendText } from '../../http/replies.js';
import { useLegacyErrors } from '../invalid-input.js';
import { MetricsReply } from '../schemas/health.js';

const STATUSES = ['healthy', 'degraded', 'expired', 'offline', 'pending'] as const;

/** The figures of spec §3.5, recomputed on every call. */
export function collectMetrics(store: RegistryStore, counters: RegistryCounters) {
  const byStatus: Record<string, number> = { healthy: 0, degraded: 0, expired: 0, offline: 0, pending: 0 };
  let capabilities = 0;
  const names = new Set<string>();
  for (const agent of store.listAgents()) {
    byStatus[agent.status] = (byStatus[agent.status] ?? 0) + 1;
    capabilities += agent.capabilities.length;
    for (const cap of agent.capabilities) names.add(cap.name);
  }
  return {
    total: store.size,
    byStatus,
    capabilities,
    uniqueCapabilities: names.size,
    uptime: counters.uptimeSeconds(),
  };
}

/**
 * The Prometheus text of spec §4.9, byte for byte: names, HELP, TYPE (the uptime `counter` sic),
 * a blank line between families, Python float text for the uptime. A client library would
 * write the uptime as `60` and cannot produce this exposition, so it is written here.
 */
export function prometheusText(store: RegistryStore, counters: RegistryCounters): string {
  const m = collectMetrics(store, counters);
  const family = (name: string, help: string, type: string, samples: string[]) =>
    [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples].join('\n');
  return `${[
    family('mcp_registry_agents_total', 'Total number of registered agents', 'gauge', [
      `mcp_registry_agents_total ${m.total}`,
    ]),
    family(
      'mcp_registry_agents_by_status',
      'Number of agents by status',
      'gauge',
      STATUSES.map((s) => `mcp_registry_agents_by_status{status="${s}"} ${m.byStatus[s]}`),
    ),
    family('mcp_registry_capabilities_total', 'Total number of capabilities', 'gauge', [
      `mcp_registry_capabilities_total ${m.capabilities}`,
    ]),
    family('mcp_registry_capability_types_unique', 'Number of unique capability types', 'gauge', [
      `mcp_registry_capability_types_unique ${m.uniqueCapabilities}`,
    ]),
    family('mcp_registry_uptime_seconds', 'Registry uptime in seconds', 'counter', [
      `mcp_registry_uptime_seconds ${floatRepr(m.uptime)}`,
    ]),
    family('mcp_registry_heartbeats_processed_total', 'Total heartbeats processed', 'counter', [
      `mcp_registry_heartbeats_processed_total ${counters.heartbeatsProcessed}`,
    ]),
    family('mcp_registry_registrations_processed_total', 'Total registrations processed', 'counter', [
      `mcp_registry_registrations_processed_total ${counters.registrationsProcessed}`,
    ]),
  ].join('\n\n')}\n`;
}

export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  useLegacyErrors(app);
  app.get(
    '/metrics',
    { schema: { summary: 'Registry metrics', tags: ['metrics'], response: { 200: MetricsReply } } },
    async (_request, reply) => {
      const m = collectMetrics(app.store, app.counters);
      const body = [
        `"total_agents":${m.total}`,
        `"healthy_agents":${m.byStatus.healthy}`,
        `"degraded_agents":${m.byStatus.degraded}`,
        `"expired_agents":${m.byStatus.expired}`,
        `"offline_agents":${m.byStatus.offline}`,
        `"pending_agents":${m.byStatus.pending}`,
        `"total_capabilities":${m.capabilities}`,
        `"unique_capability_types":${m.uniqueCapabilities}`,
        `"uptime_seconds":${floatRepr(m.uptime)}`,
        `"heartbeats_processed":${app.counters.heartbeatsProcessed}`,
        `"registrations_processed":${app.counters.registrationsProcessed}`,
        `"last_updated":"${isoZ(nowMicros())}"`,
      ].join(',');
      return sendJsonText(reply, 200, `{${body}}`);
    },
  );

  app.get(
    '/metrics/prometheus',
    { schema: { summary: 'Prometheus metrics', tags: ['metrics'], produces: ['text/plain'] } },
    // The legacy families first, byte for byte, then the registry's prom-client series.
    async (_request, reply) =>
      sendText(
        reply,
        200,
        'text/plain; charset=utf-8',
        `${prometheusText(app.store, app.counters)}\n${await app.metrics.text()}`,
      ),
  );
};
