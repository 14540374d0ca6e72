import type { AgentRecord } from '../../../mesh/agent.js';
import { isoNanosZ } from '../../../shared/clock.js';
import { legacyAgentView, legacyCapabilityView } from '../../legacy-api/views/legacy-agent-view.js';
import type { MeshTopology } from '../mesh-topology.js';

/**
 * A current-protocol agent in `GET /agents`: the legacy object's keys first (so legacy clients
 * read it as they read any agent), then the fields of the current AgentInfo that `meshctl list`
 * reads (registry-api-current.md §5).
 */
export function currentAgentView(agent: AgentRecord, topology: MeshTopology) {
  const resolutions = topology.resolveFor(agent);
  // The list shape meshctl reads: one entry per dependency, with the consumer's function name.
  const dependencyResolutions = agent.capabilities.flatMap((cap) =>
    (resolutions[cap.functionName ?? ''] ?? []).map((r, i) => ({
      capability: r.capability,
      endpoint: r.endpoint,
      function_name: cap.functionName,
      mcp_tool: r.function_name,
      provider_agent_id: r.agent_id,
      status: r.status,
      tags: (cap.dependencies?.[i]?.tags ?? []).flat(),
    })),
  );
  const details = agent.current;
  const isAvailable = agent.status === 'healthy';
  return {
    ...legacyAgentView(agent),
    capabilities: agent.capabilities.map((cap) => ({
      ...legacyCapabilityView(cap),
      function_name: cap.functionName ?? cap.name,
      available: isAvailable,
    })),
    runtime: details?.runtime ?? 'python',
    description: details?.description ?? '',
    a2a_producer: details?.a2aProducer ?? false,
    a2a_consumer: details?.a2aConsumer ?? false,
    total_dependencies: dependencyResolutions.length,
    dependencies_resolved: dependencyResolutions.filter((r) => r.status === 'available').length,
    dependency_resolutions: dependencyResolutions.length === 0 ? null : dependencyResolutions,
    llm_tool_resolutions: null,
    llm_provider_resolutions: null,
    last_seen: agent.lastHeartbeat === null ? null : isoNanosZ(agent.lastHeartbeat),
    version: details?.version ?? '1.0.0',
  };
}
