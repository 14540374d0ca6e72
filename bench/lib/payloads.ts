import { AGENT_PORT_VARIABLE } from './agent-sink.ts';

/**
 * The request bodies every server under test receives: providers and a consumer of the current
 * protocol (the SDK's full heartbeat), the legacy heartbeat and the legacy registration.
 */

/** A provider of the current protocol: one tool, capability `cap_{i % 100}`, tags and a version. */
export function provider(i: number, id = `provider-${i}`) {
  const sink = Number(process.env[AGENT_PORT_VARIABLE]);
  return {
    agent_id: id,
    name: id,
    agent_type: 'mcp_agent',
    version: '1.0.0',
    http_host: '127.0.0.1',
    // The agent sink's port when the bench started one (agent-sink.ts), else a port of its own.
    http_port: sink > 0 ? sink : 20_000 + (i % 40_000),
    namespace: 'default',
    status: 'healthy',
    runtime: 'python',
    tools: [
      {
        function_name: `tool_${i}`,
        capability: `cap_${i % 100}`,
        version: `1.${i % 10}.0`,
        tags: ['system', i % 2 === 0 ? 'even' : 'odd'],
        kwargs: { function_name: `tool_${i}` },
      },
    ],
  };
}

export const CONSUMER_ID = 'bench-consumer';

/**
 * The consumer's full heartbeat: one tool with 3 dependencies (plain tags, a `+preferred` tag with
 * a version constraint, an excluded `-tag`), all resolving among the providers.
 */
export function consumerBody(): string {
  const sink = Number(process.env[AGENT_PORT_VARIABLE]);
  return JSON.stringify({
    agent_id: CONSUMER_ID,
    name: CONSUMER_ID,
    agent_type: 'mcp_agent',
    version: '1.0.0',
    http_host: '127.0.0.1',
    http_port: sink > 0 ? sink : 19_999,
    namespace: 'default',
    status: 'healthy',
    runtime: 'python',
    tools: [
      {
        function_name: 'consume',
        capability: 'consumer_service',
        version: '1.0.0',
        dependencies: [
          { capability: 'cap_7', tags: ['system'] },
          { capability: 'cap_42', tags: ['+even'], version: '>=1.2.0' },
          { capability: 'cap_98', tags: ['system', '-odd'] },
        ],
      },
    ],
  });
}

/** The legacy SDK's heartbeat (registry-api.md §4.3). */
export function legacyHeartbeatBody(agentId: string): string {
  return JSON.stringify({ agent_id: agentId, status: 'healthy', metadata: { uptime: 12.5 } });
}

/**
 * A new agent per request: autocannon replaces `[<id>]` with a unique id (`idReplacement`), so
 * every request is a registration, not an update.
 */
export function currentRegistrationTemplate(): string {
  return JSON.stringify(provider(1, 'reg-[<id>]'));
}

/** The legacy `POST /agents/register_with_metadata` body, a new agent per request. */
export const legacyRegistrationTemplate = JSON.stringify({
  agent_id: 'legacy-[<id>]',
  metadata: {
    name: 'legacy-agent',
    version: '1.0.0',
    description: 'File operations agent',
    capabilities: [
      { name: 'read_file', version: '1.0.0', tags: ['filesystem', 'io'] },
      { name: 'write_file', version: '1.0.0', tags: ['filesystem', 'io'] },
    ],
    dependencies: ['auth_service'],
    health_interval: 30,
    endpoint: 'http://127.0.0.1:9001/mcp',
    tags: ['filesystem', 'io'],
  },
  timestamp: '2026-01-01T10:00:00.000000',
});
