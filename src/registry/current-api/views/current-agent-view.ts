import type { AgentRecord, LlmProviderRequest } from '../../../mesh/agent.js';
import { sortKeysDeep } from '../../../mesh/resolution/resolve-dependency.js';
import { compareCodePoints } from '../../../mesh/resolution/semver-constraint.js';
import { isoNanosZ } from '../../../shared/clock.js';
import { legacyAgentView, legacyCapabilityView } from '../../legacy-api/views/legacy-agent-view.js';
import type { MeshTopology } from '../mesh-topology.js';

/**
 * A tool's `llm_filter` as the Go registry lists it: read back into its typed LLMToolFilter, so
 * only `filter` (null when absent), `filter_mode` and `inject_param` remain, in that order, and a
 * filter that does not fit those types (or is empty) is not listed at all.
 */
function llmFilterView(spec: Record<string, unknown> | undefined) {
  if (spec === undefined || Object.keys(spec).length === 0) return {};
  const { filter, filter_mode: mode, inject_param: inject } = spec;
  if (filter != null && !Array.isArray(filter)) return {};
  if ((mode != null && typeof mode !== 'string') || (inject != null && typeof inject !== 'string')) return {};
  return {
    llm_filter: {
      filter: filter == null ? null : sortKeysDeep(filter),
      ...(typeof mode === 'string' ? { filter_mode: mode } : {}),
      ...(typeof inject === 'string' ? { inject_param: inject } : {}),
    },
  };
}

/** A tool's `llm_provider` as the Go registry lists it (its LLMProvider's field order). */
function llmProviderView(spec: LlmProviderRequest) {
  return {
    capability: spec.capability,
    ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }),
    ...(spec.tags === undefined ? {} : { tags: spec.tags }),
    ...(spec.version === undefined ? {} : { version: spec.version }),
  };
}

/** `available`, and when it is false, `unavailable_reason` (the Go registry's CapabilityInfo). */
function availabilityView(reason: string) {
  return reason === '' ? { available: true } : { available: false, unavailable_reason: reason };
}

/**
 * A current-protocol agent in `GET /agents`: the legacy object's keys first (so legacy clients
 * read it as they read any agent), then the fields of the current AgentInfo that `meshctl list`
 * reads (registry-api-current.md §5).
 */
export function currentAgentView(agent: AgentRecord, topology: MeshTopology) {
  const resolutions = topology.resolveFor(agent);
  // Own keys only: a tool named `constructor` or `toString` is no property of every object.
  const resolutionsOf = (name: string | undefined) =>
    name !== undefined && Object.hasOwn(resolutions, name) ? resolutions[name]! : [];
  // The list shape meshctl reads: one entry per dependency, with the consumer's function name.
  const dependencyResolutions = agent.capabilities.flatMap((cap) =>
    resolutionsOf(cap.functionName).map((r, i) => {
      const tags = (cap.dependencies?.[i]?.tags ?? []).flat();
      // The Go registry leaves out what is empty (an unresolved entry names no provider).
      return {
        capability: r.capability,
        ...(r.endpoint === '' ? {} : { endpoint: r.endpoint }),
        function_name: cap.functionName,
        ...(r.function_name === '' ? {} : { mcp_tool: r.function_name }),
        ...(r.agent_id === '' ? {} : { provider_agent_id: r.agent_id }),
        status: r.status,
        ...(tags.length === 0 ? {} : { tags }),
      };
    }),
  );
  // In the Go registry's order: its rows come back by status (its index), then as written.
  dependencyResolutions.sort((a, b) => compareCodePoints(a.status, b.status));
  const llm = topology.llmResolutionsFor(agent);
  const details = agent.current;
  return {
    ...legacyAgentView(agent),
    capabilities: agent.capabilities.map((cap, position) => ({
      ...legacyCapabilityView(cap),
      function_name: cap.functionName ?? cap.name,
      // Healthy and every required dependency resolving, as the Go registry derives it.
      ...availabilityView(topology.unavailableReason(agent, position)),
      // An `@mesh.llm` tool's specs, as the Go registry lists them (keys in its order).
      ...llmFilterView(cap.llmFilter),
      ...(cap.llmProvider === undefined ? {} : { llm_provider: llmProviderView(cap.llmProvider) }),
    })),
    runtime: details?.runtime ?? 'python',
    description: details?.description ?? '',
    a2a_producer: details?.a2aProducer ?? false,
    a2a_consumer: details?.a2aConsumer ?? false,
    total_dependencies: dependencyResolutions.length,
    dependencies_resolved: dependencyResolutions.filter((r) => r.status === 'available').length,
    dependency_resolutions: dependencyResolutions.length === 0 ? null : dependencyResolutions,
    llm_tool_resolutions: llm.tools,
    llm_provider_resolutions: llm.providers,
    ...(details?.entityId ? { entity_id: details.entityId } : {}),
    last_seen: agent.lastHeartbeat === null ? null : isoNanosZ(agent.lastHeartbeat),
    version: details?.version ?? '1.0.0',
  };
}
