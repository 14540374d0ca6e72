import type { FastifyInstance } from 'fastify';
import { sendJson, sendJsonText } from '../../http/replies.js';
import { useLegacyErrors } from '../invalid-input.js';

/** The constant service document of `GET /` (spec §4.1). */
export const SERVICE_DOCUMENT = {
  service: 'MCP Mesh Registry Service',
  version: '1.0.0',
  endpoints: {
    heartbeat: 'POST /heartbeat - Agent status updates',
    register_agent: 'POST /agents/register_with_metadata - Agent registration with metadata',
    agents: 'GET /agents - Service discovery with advanced filtering',
    capabilities: 'GET /capabilities - Capability discovery with search',
    health: 'GET /health - Health check',
    agent_health: 'GET /health/{agent_id} - Agent health status',
    metrics: 'GET /metrics - Registry metrics',
    prometheus: 'GET /metrics/prometheus - Prometheus metrics',
    mcp: '/mcp - MCP protocol endpoint',
  },
  features: {
    caching: 'Response caching with 30s TTL',
    fuzzy_matching: 'Fuzzy string matching for capability search',
    version_constraints: 'Semantic version constraint filtering',
    validation: 'Pydantic validation schemas for all inputs',
    label_selectors: 'Kubernetes-style label filtering',
    health_monitoring: 'Timer-based passive health monitoring',
    configurable_timeouts: 'Per-agent-type timeout thresholds',
    automatic_eviction: 'Passive agent eviction on timeout',
    prometheus_metrics: 'Prometheus metrics export',
  },
  architecture: 'Kubernetes API Server pattern (PASSIVE pull-based)',
  description: 'Enhanced service registry for MCP agent mesh with advanced discovery capabilities',
};

const body = JSON.stringify(SERVICE_DOCUMENT);

export async function rootRoutes(app: FastifyInstance): Promise<void> {
  useLegacyErrors(app);
  app.get('/', { schema: { summary: 'Service document', tags: ['registry'] } }, (_request, reply) =>
    sendJsonText(reply, 200, body),
  );
  // Decision for §13.9: no MCP endpoint yet, so a clean JSON 404 instead of a redirect to a 500.
  const notFound = (_request: unknown, reply: Parameters<typeof sendJson>[0]) =>
    sendJson(reply, 404, { detail: 'Not Found' });
  app.all('/mcp', { schema: { hide: true } }, notFound);
  app.all('/mcp/*', { schema: { hide: true } }, notFound);
}
