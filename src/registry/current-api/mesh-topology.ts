import type { AgentRecord, CapabilityRecord } from '../../mesh/agent.js';
import {
  type AvailabilityTool,
  ProviderAvailability,
  requiredDependenciesOf,
} from '../../mesh/resolution/availability.js';
import { CapabilityIndex } from '../../mesh/resolution/capability-index.js';
import {
  type LlmProviderEntry,
  selectLlmProvider,
  toLlmProviderEntry,
} from '../../mesh/resolution/llm-provider.js';
import {
  isOffered,
  type LlmToolCandidate,
  type LlmToolEntry,
  type LlmToolPool,
  selectLlmTools,
} from '../../mesh/resolution/llm-tool-filter.js';
import {
  RequiredEdgeGraph,
  type RequiredEdges,
  requiredCycleMessage,
  requiredEdgesOf,
} from '../../mesh/resolution/required-cycle.js';
import { type AuditTrace, traceResolution } from '../../mesh/resolution/resolution-trace.js';
import {
  type DependencyResolution,
  type DependencySpec,
  toResolution,
} from '../../mesh/resolution/resolve-dependency.js';
import { compareCodePoints } from '../../mesh/resolution/semver-constraint.js';
import { nowMicros } from '../../shared/clock.js';
import type { RegistryStore } from '../../storage/registry-store.js';

/** A tool as the topology indexes it: what resolution needs, and what `llm_tools` lists. */
interface MeshTool extends LlmToolCandidate, AvailabilityTool {
  /**
   * When the agent's tools were last written (its last full heartbeat) and the tool's position
   * among them: the order the Go registry's rows have, which its LLM tool lists follow.
   */
  writtenAt: number;
  position: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dependencySpec(dep: NonNullable<CapabilityRecord['dependencies']>[number]): DependencySpec {
  return {
    capability: dep.capability,
    tags: dep.tags,
    version: dep.version,
    namespace: dep.namespace,
    matchMode: dep.matchMode,
    expectedSchemaHash: dep.expectedSchemaHash,
    expectedSchemaCanonical: dep.expectedSchemaCanonical,
  };
}

function providerTools(agent: AgentRecord): MeshTool[] {
  const writtenAt = agent.current?.fullHeartbeatAt ?? agent.createdAt;
  // Availability is decided per agent and capability, by the agent's first tool with it.
  const requiredByCapability = new Map<string, DependencySpec[]>();
  for (const cap of agent.capabilities) {
    if (!requiredByCapability.has(cap.name)) {
      requiredByCapability.set(cap.name, requiredDependenciesOf(cap.dependencies).map(dependencySpec));
    }
  }
  return agent.capabilities.map((cap: CapabilityRecord, position) => ({
    agentId: agent.id,
    agentName: agent.name,
    namespace: agent.namespace,
    isHealthy: agent.status === 'healthy',
    endpoint: agent.endpoint,
    functionName: cap.functionName ?? cap.name,
    capability: cap.name,
    version: cap.version,
    tags: cap.tags,
    kwargs: cap.kwargs ?? {},
    description: cap.description ?? '',
    inputSchema: isPlainObject(cap.inputSchema) ? cap.inputSchema : undefined,
    outputSchemaHash: cap.outputSchemaHash,
    outputSchemaCanonical: cap.outputSchemaCanonical,
    httpHost: agent.current?.httpHost ?? '',
    httpPort: agent.current?.httpPort ?? 0,
    writtenAt,
    position,
    requiredDependencies: requiredByCapability.get(cap.name) ?? [],
  }));
}

function byWriteOrder(a: MeshTool, b: MeshTool): number {
  return a.writtenAt - b.writtenAt || a.position - b.position;
}

/** The tools LLMs may be given, computed once per heartbeat answer and only as far as asked. */
class OfferedTools implements LlmToolPool {
  #all: MeshTool[] | undefined;
  readonly #byCapability = new Map<string, MeshTool[]>();

  constructor(private readonly index: CapabilityIndex<MeshTool>) {}

  all(): readonly MeshTool[] {
    if (this.#all === undefined) {
      const tools: MeshTool[] = [];
      for (const agentTools of this.index.agentTools()) {
        for (const tool of agentTools) if (isOffered(tool)) tools.push(tool);
      }
      this.#all = tools.sort(byWriteOrder);
    }
    return this.#all;
  }

  of(capability: string): readonly MeshTool[] {
    let tools = this.#byCapability.get(capability);
    if (tools === undefined) {
      tools = [...this.index.candidates(capability)].filter(isOffered).sort(byWriteOrder);
      this.#byCapability.set(capability, tools);
    }
    return tools;
  }
}

/** An object with the keys in Go's JSON order (byte order), as Go writes a map. */
function sortedByKey<V>(entries: Map<string, V>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => compareCodePoints(a, b)));
}

/**
 * Who provides what, kept in step with the store (its own writes and other replicas'), so a
 * dependency is resolved among the providers of its capability only. Legacy capabilities and
 * current tools share one catalogue (registry-api-current.md §6).
 */
export class MeshTopology {
  private readonly index = new CapabilityIndex<MeshTool>();
  /** Which providers are available (their required chains resolve); cleared on every change. */
  private readonly availability = new ProviderAvailability<MeshTool>((capability) =>
    this.index.candidates(capability),
  );
  /** Every agent's required edges, for refusing a registration that closes a cycle. */
  private readonly requiredEdges = new RequiredEdgeGraph();
  /** Required edges of registrations being written (admitted, not yet stored). */
  private readonly admitted = new Set<{ agentId: string; edges: RequiredEdges }>();
  /** The capability list each indexed agent had: an unchanged list only needs its health updated. */
  private readonly indexed = new Map<string, readonly CapabilityRecord[]>();
  /** When this process last saw an agent disappear (deletions carry no time of their own). */
  private lastRemovalAt = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: RegistryStore) {
    for (const agent of store.listAgents()) this.reindex(agent.id);
    this.unsubscribe = store.onChange((ids) => {
      for (const id of ids) this.reindex(id);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  private reindex(id: string): void {
    const agent = this.store.getAgent(id);
    if (agent === undefined) {
      if (this.index.removeAgent(id)) {
        this.lastRemovalAt = nowMicros();
        this.availability.clear();
      }
      this.indexed.delete(id);
      this.requiredEdges.removeAgent(id);
      return;
    }
    if (this.indexed.get(id) === agent.capabilities) {
      const isHealthy = agent.status === 'healthy';
      if (this.index.toolsOf(id).some((tool) => tool.isHealthy !== isHealthy)) this.availability.clear();
      this.index.setHealthy(id, isHealthy);
      return;
    }
    this.index.upsertAgent(id, providerTools(agent));
    this.indexed.set(id, agent.capabilities);
    this.requiredEdges.setAgent(id, requiredEdgesOf(agent.capabilities));
    this.availability.clear();
  }

  /**
   * Admits a registration (full heartbeat) unless its required dependencies would close a cycle
   * of required edges (required-cycle.ts): then `refusal` is the answer's message and nothing may
   * be written. An admitted registration's edges count for other registrations' checks until
   * `release` (call it once the write is done, stored or failed).
   */
  admitRegistration(agent: AgentRecord): { refusal?: string; release: () => void } {
    const edges = requiredEdgesOf(agent.capabilities);
    if (edges.size === 0) return { release: () => {} };
    const others: RequiredEdges[] = [];
    for (const entry of this.admitted) if (entry.agentId !== agent.id) others.push(entry.edges);
    const cycle = this.requiredEdges.cycleWith(agent.id, edges, others);
    if (cycle !== undefined) return { refusal: requiredCycleMessage(cycle), release: () => {} };
    const entry = { agentId: agent.id, edges };
    this.admitted.add(entry);
    return { release: () => this.admitted.delete(entry) };
  }

  /**
   * '' when the agent's capability at `position` is available, else why not, as `GET /agents`
   * lists it: `agent unhealthy`, or the first required dependency that does not resolve.
   */
  unavailableReason(agent: AgentRecord, position: number): string {
    if (agent.status !== 'healthy') return 'agent unhealthy';
    const tool =
      this.indexed.get(agent.id) === agent.capabilities
        ? this.index.toolsOf(agent.id)[position]
        : providerTools(agent)[position];
    return tool === undefined ? '' : this.availability.unavailableReason(tool);
  }

  /** `dependencies_resolved` for the agent: one entry per declared dependency, in order. */
  resolveFor(agent: AgentRecord): Record<string, DependencyResolution[]> {
    const resolved: Record<string, DependencyResolution[]> = {};
    for (const cap of agent.capabilities) {
      const deps = cap.dependencies;
      if (!deps || deps.length === 0 || cap.functionName === undefined) continue;
      resolved[cap.functionName] = deps.map((dep) => {
        const spec = dependencySpec(dep);
        return toResolution(this.availability.resolve(spec, agent.id), spec);
      });
    }
    return resolved;
  }

  /**
   * The audit trace of each of the agent's dependency positions (resolution-trace.ts): the same
   * resolution as {@link resolveFor}, stage by stage, for the `dependency_*` events.
   */
  tracesFor(agent: AgentRecord): { functionName: string; depIndex: number; trace: AuditTrace }[] {
    const traces: { functionName: string; depIndex: number; trace: AuditTrace }[] = [];
    const options = {
      unavailableReason: (tool: MeshTool) => this.availability.unavailableReason(tool) || undefined,
      statusOf: (tool: MeshTool) => this.store.getAgent(tool.agentId)?.status ?? 'unknown',
    };
    for (const cap of agent.capabilities) {
      const { functionName } = cap;
      if (!cap.dependencies || functionName === undefined) continue;
      for (const [depIndex, dep] of cap.dependencies.entries()) {
        const spec = dependencySpec(dep);
        const candidates = this.index.candidates(spec.capability);
        traces.push({
          functionName,
          depIndex,
          trace: traceResolution(agent.id, depIndex, spec, candidates, options).trace,
        });
      }
    }
    return traces;
  }

  /**
   * `llm_tools` for the agent: for each function with an `llm_filter` that has a `filter` array,
   * the tools its LLM gets (llm-tool-filter.ts), keyed by function name in Go's key order.
   */
  llmToolsFor(agent: AgentRecord): Record<string, LlmToolEntry[]> {
    const pool = new OfferedTools(this.index);
    const tools = new Map<string, LlmToolEntry[]>();
    for (const cap of agent.capabilities) {
      if (cap.llmFilter === undefined || cap.functionName === undefined) continue;
      const selected = selectLlmTools(cap.llmFilter, pool, agent.id);
      if (selected !== undefined) tools.set(cap.functionName, selected);
    }
    return sortedByKey(tools);
  }

  /**
   * `llm_providers` for the agent: for each function with an `llm_provider` that resolves, the
   * provider (llm-provider.ts); undefined when none resolves (the key is then left out).
   */
  llmProvidersFor(agent: AgentRecord): Record<string, LlmProviderEntry> | undefined {
    const pool = new OfferedTools(this.index);
    const providers = new Map<string, LlmProviderEntry>();
    for (const cap of agent.capabilities) {
      if (cap.llmProvider === undefined || cap.functionName === undefined) continue;
      const { capability } = cap.llmProvider;
      const chosen = selectLlmProvider(cap.llmProvider, capability === '' ? [] : pool.of(capability));
      if (chosen !== undefined) providers.set(cap.functionName, toLlmProviderEntry(chosen));
    }
    return providers.size === 0 ? undefined : sortedByKey(providers);
  }

  /**
   * Whether anything the agent depends on changed since its last full heartbeat: a provider of
   * one of its dependency capabilities (or of their required dependencies, transitively)
   * registered, changed, changed status or disappeared, or,
   * for an agent with `llm_filter` or `llm_provider`, any agent offering a tool with an input
   * schema did (the Go registry answers 202 after any registration or status change).
   */
  hasChangedSince(agent: AgentRecord, since: number): boolean {
    if (this.lastRemovalAt > since) return true;
    // The providers of its dependencies, and those of their required dependencies, transitively:
    // a change down a required chain changes which providers are available.
    const capabilities = new Set(agent.dependencies);
    for (const name of capabilities) {
      for (const tool of this.index.candidates(name)) {
        const provider = this.store.getAgent(tool.agentId);
        if (provider && provider.topologyAt > since) return true;
        for (const dep of tool.requiredDependencies) capabilities.add(dep.capability);
      }
    }
    // An `@mesh.llm` agent's tools and provider can come from any agent that offers a tool.
    if (agent.capabilities.some((cap) => cap.llmFilter !== undefined || cap.llmProvider !== undefined)) {
      for (const tools of this.index.agentTools()) {
        const offering = tools.find((tool) => tool.inputSchema !== undefined);
        if (offering === undefined || offering.agentId === agent.id) continue;
        const provider = this.store.getAgent(offering.agentId);
        if (provider && provider.topologyAt > since) return true;
      }
    }
    return false;
  }
}
