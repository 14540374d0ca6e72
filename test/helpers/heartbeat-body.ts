/**
 * The body of a current-protocol full heartbeat (`POST /heartbeat` with `tools`), as the SDK sends
 * it, for tests that send the same agents to ours and to the Go registry: the agent's name is its
 * id without the last `-suffix`; one tool `tell_time` of capability `time_service`. `extra`
 * replaces top-level fields.
 */
export function heartbeatBody(id: string, extra: Record<string, unknown> = {}) {
  return {
    agent_id: id,
    name: id.replace(/-\w+$/, ''),
    agent_type: 'mcp_agent',
    version: '1.0.0',
    http_host: '127.0.0.1',
    http_port: 9555,
    namespace: 'default',
    runtime: 'python',
    tools: [{ function_name: 'tell_time', capability: 'time_service', version: '1.0.0', tags: ['system'] }],
    ...extra,
  };
}
