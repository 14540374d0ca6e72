/**
 * The startup banner of spec §10.3, byte for byte (two spaces after 🏗️, `GET  `, 60 dashes), less
 * the original's `🔗 MCP Endpoint: …/mcp` line: there is no MCP endpoint, `/mcp` answers 404.
 */
export function startupBanner(host: string, port: number): string {
  return `🚀 Starting MCP Mesh Registry Service
📡 Server: http://${host}:${port}
📊 Health monitoring: enabled
🏗️  Architecture: Kubernetes API Server pattern
🔄 Mode: PASSIVE (pull-based)
🌐 REST Endpoints:
   POST /heartbeat - Agent status updates
   POST /agents/register_with_metadata - Agent registration with metadata
   GET  /agents - Service discovery (with fuzzy matching & filtering)
   GET  /capabilities - Capability discovery (with advanced search)
   GET  /health - Health check
   GET  /health/{agent_id} - Agent health status
   GET  /metrics - Registry metrics
   GET  /metrics/prometheus - Prometheus metrics
🚀 Features:
   ✓ Response caching (30s TTL)
   ✓ Fuzzy matching for capabilities
   ✓ Version constraint filtering
   ✓ Pydantic validation schemas
   ✓ Kubernetes-style label selectors
   ✓ Timer-based health monitoring
   ✓ Configurable timeout thresholds per agent type
   ✓ Automatic agent eviction (passive)
   ✓ Prometheus metrics export
${'-'.repeat(60)}
`;
}
