import { isDeepStrictEqual } from 'node:util';
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
  type LlmProviderResolution,
  type LlmToolResolution,
  llmProviderResolutions,
  llmToolResolutions,
} from '../../mesh/resolution/llm-resolutions.js';
import {
  isOffered,
  type LlmToolCandidate,
  type LlmToolEntry,
  type LlmToolPool,
  llmToolEntries,
  selectLlmToolCandidates,
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
    isTls: (agent.current?.entityId ?? '') !== '',
    writtenAt,
    position,
    requiredDependencies: requiredByCapability.get(cap.name) ?? [],
  }));
}

/** Whether two entries of one agent's tools differ in nothing but `writtenAt`. */
function isSameButWrittenAt(tool: MeshTool, indexed: MeshTool | undefined): boolean {
  return indexed !== undefined && isDeepStrictEqual({ ...tool, writtenAt: 0 }, { ...indexed, writtenAt: 0 });
}

function byWriteOrder(a: MeshTool, b: MeshTool): number {
  return a.writtenAt - b.writtenAt || a.position - b.position;
}

/** The tools LLMs may be given, computed once per topology state and only as far as asked. */
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

/** Whether the agent has an `@mesh.llm` function (`llm_filter` or `llm_provider`). */
function isLlmConsumer(agent: AgentRecord): boolean {
  return agent.capabilities.some((cap) => cap.llmFilter !== undefined || cap.llmProvider !== undefined);
}

/** An object with the keys in Go's JSON order (byte order), as Go writes a map. */
function sortedByKey<V>(entries: Map<string, V>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => compareCodePoints(a, b)));
}

/** How long work sliced across turns of the event loop runs before others get their turn. */
export const SLICE_MS = 3;

/** Lets the event loop serve what waits (I/O, timers) before the caller goes on. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Entries a memo keeps at most, every capability together (a bound, never reached in practice). */
const MEMO_LIMIT = 50_000;
/** Candidates the memoised traces list at most, together: a trace among 1,000 providers lists 1,000. */
const TRACE_WEIGHT_LIMIT = 200_000;

/** What a memoised value was computed from: its capability, that capability's state, the whole basis. */
export interface MemoBasis {
  capability: string;
  /** The capability's providers (their version) and, where they matter, the availability verdicts. */
  stamp: string;
  /** The spec and the stamp: equal bases give equal answers. */
  basis: string;
}

/**
 * Values by basis, kept per capability for its current stamp only: when a capability's providers
 * change, what was computed from the old ones is dropped at once (it would never be asked again).
 * So the memo holds the live topology's answers, not the history of every topology before it.
 */
class StampedMemo<V> {
  readonly #partitions = new Map<string, { stamp: string; entries: Map<string, V> }>();
  #size = 0;
  #weight = 0;

  constructor(
    private readonly weightOf: (value: V) => number,
    private readonly weightLimit: number,
  ) {}

  /** Values kept, and their weight. */
  get size(): { entries: number; weight: number } {
    return { entries: this.#size, weight: this.#weight };
  }

  get(at: MemoBasis, compute: () => V): V {
    let partition = this.#partitions.get(at.capability);
    if (partition?.stamp !== at.stamp) {
      if (partition !== undefined) this.forget(partition.entries);
      partition = { stamp: at.stamp, entries: new Map() };
      this.#partitions.set(at.capability, partition);
    }
    const known = partition.entries.get(at.basis);
    if (known !== undefined) return known;
    const value = compute();
    const weight = this.weightOf(value);
    if (this.#size >= MEMO_LIMIT || this.#weight + weight > this.weightLimit) this.clear();
    // (clear() dropped the partition too: start it again.)
    let current = this.#partitions.get(at.capability);
    if (current === undefined) {
      current = { stamp: at.stamp, entries: new Map() };
      this.#partitions.set(at.capability, current);
    }
    current.entries.set(at.basis, value);
    this.#size += 1;
    this.#weight += weight;
    return value;
  }

  private forget(entries: Map<string, V>): void {
    for (const value of entries.values()) this.#weight -= this.weightOf(value);
    this.#size -= entries.size;
  }

  private clear(): void {
    this.#partitions.clear();
    this.#size = 0;
    this.#weight = 0;
  }
}

/** Candidates a trace lists, kept and evicted, over its stages. */
function traceWeight(trace: AuditTrace): number {
  let weight = 1;
  for (const stage of trace.stages) weight += stage.kept.length + (stage.evicted?.length ?? 0);
  return weight;
}

/** Resolutions and traces by their basis (MeshTopology.basisOf). */
class ResolutionMemo {
  readonly #resolutions = new StampedMemo<DependencyResolution>(() => 1, MEMO_LIMIT);
  readonly #traces = new StampedMemo<AuditTrace>(traceWeight, TRACE_WEIGHT_LIMIT);

  resolution(at: MemoBasis, compute: () => DependencyResolution): DependencyResolution {
    return this.#resolutions.get(at, compute);
  }

  trace(at: MemoBasis, compute: () => AuditTrace): AuditTrace {
    return this.#traces.get(at, compute);
  }

  get size() {
    return { resolutions: this.#resolutions.size.entries, traces: this.#traces.size };
  }
}

export class MeshTopology {
  private readonly index = new CapabilityIndex<MeshTool>();
  /** Which providers are available (their required chains resolve); cleared on every change. */
  private readonly availability = new ProviderAvailability<MeshTool>(
    (capability) => this.index.candidates(capability),
    (dep) => this.index.candidatesFor(dep),
  );
  /** Every agent's required edges, for refusing a registration that closes a cycle. */
  private readonly requiredEdges = new RequiredEdgeGraph();
  /** Required edges of registrations being written (admitted, not yet stored). */
  private readonly admitted = new Set<{ agentId: string; edges: RequiredEdges }>();
  /** The capability list each indexed agent had: an unchanged list only needs its health updated. */
  private readonly indexed = new Map<string, readonly CapabilityRecord[]>();
  /** Counts the availability verdicts' resets: a trace that asked for one is stale after a reset. */
  private availabilityGeneration = 0;
  /** The last trace of each dependency position, and what it was computed from. */
  private readonly traces = new Map<string, { basis: string; trace: AuditTrace }>();
  /**
   * Resolutions and traces by what they are computed from (the spec, its capability's providers
   * and, where they matter, the availability verdicts), shared by every position that asks the
   * same: a heartbeat repeating one dependency 1,000 times resolves and traces it once.
   */
  private readonly memo = new ResolutionMemo();
  /** Per capability: whether a provider has required dependencies, as of the capability's version. */
  private readonly requiringProviders = new Map<string, { version: number; has: boolean }>();
  /** Counts the changes to what views derive from the topology (providers, their health). */
  private changes = 0;
  /** When this process last saw an agent disappear (deletions carry no time of their own). */
  private lastRemovalAt = 0;
  /** The tools LLMs may be given as the index stands; dropped on every change. */
  private offered: OfferedTools | undefined;
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

  /**
   * Changes whenever a provider is added, replaced or removed or changes health: what an agent's
   * view derives from the topology (its resolutions, availability, LLM tools) holds until then.
   */
  get changeCount(): number {
    return this.changes;
  }

  private reindex(id: string): void {
    this.offered = undefined;
    const agent = this.store.getAgent(id);
    if (agent === undefined) {
      if (this.index.removeAgent(id)) {
        this.changes += 1;
        this.lastRemovalAt = nowMicros();
        this.availability.clear();
        this.availabilityGeneration += 1;
      }
      this.indexed.delete(id);
      this.requiredEdges.removeAgent(id);
      for (const key of this.traces.keys())
        if (key.startsWith(`${JSON.stringify(id)},`)) this.traces.delete(key);
      return;
    }
    if (this.indexed.get(id) === agent.capabilities) {
      const isHealthy = agent.status === 'healthy';
      if (this.index.toolsOf(id).some((tool) => tool.isHealthy !== isHealthy)) {
        this.changes += 1;
        this.availability.clear();
        this.availabilityGeneration += 1;
      }
      this.index.setHealthy(id, isHealthy);
      return;
    }
    // A provider's full heartbeat that repeats its tools gives new records that differ from the
    // indexed ones only in when they were written (the LLM tool order follows it, so views are
    // still recomputed): resolutions, traces and availability verdicts derived from them hold.
    const tools = providerTools(agent);
    const indexed = this.index.toolsOf(id);
    const sameForResolution =
      indexed.length === tools.length && tools.every((tool, i) => isSameButWrittenAt(tool, indexed[i]));
    this.changes += 1;
    this.index.upsertAgent(id, tools, { sameForResolution });
    this.indexed.set(id, agent.capabilities);
    if (sameForResolution) return;
    this.requiredEdges.setAgent(id, requiredEdgesOf(agent.capabilities));
    this.availability.clear();
    this.availabilityGeneration += 1;
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

  /**
   * What a resolution or trace of `spec` is computed from: the spec, the version of its
   * capability's providers and, when one of them has required dependencies, the availability
   * verdicts' generation.
   */
  private basisOf(spec: DependencySpec): MemoBasis {
    const version = this.index.versionOf(spec.capability);
    let known = this.requiringProviders.get(spec.capability);
    if (known?.version !== version) {
      let has = false;
      for (const tool of this.index.candidates(spec.capability)) {
        if (tool.requiredDependencies.length > 0) {
          has = true;
          break;
        }
      }
      known = { version, has };
      this.requiringProviders.set(spec.capability, known);
    }
    const stamp = `${version}/${known.has ? this.availabilityGeneration : -1}`;
    return { capability: spec.capability, stamp, basis: `${stamp}/${JSON.stringify(spec)}` };
  }

  /** What the memo holds: resolutions, and traces with the candidates they list (their weight). */
  memoSize(): { resolutions: number; traces: { entries: number; weight: number } } {
    return this.memo.size;
  }

  /**
   * Computes the agent's resolutions that are not memoised yet, a few milliseconds at a time with
   * other requests served in between, so that {@link resolveFor} and the listing's view then find
   * them: a consumer of 1,000 dependencies among 1,000 providers, after the topology changed,
   * would otherwise resolve them all in one turn of the event loop.
   */
  async prepareResolutions(agent: AgentRecord, sliceMs = SLICE_MS): Promise<void> {
    let sliceStart = performance.now();
    for (const cap of agent.capabilities) {
      if (cap.functionName === undefined) continue;
      for (const dep of cap.dependencies ?? []) {
        const spec = dependencySpec(dep);
        this.memo.resolution(this.basisOf(spec), () =>
          toResolution(this.availability.resolve(spec, agent.id), spec),
        );
        if (performance.now() - sliceStart < sliceMs) continue;
        await nextTurn();
        sliceStart = performance.now();
      }
    }
  }

  /** `dependencies_resolved` for the agent: one entry per declared dependency, in order. */
  resolveFor(agent: AgentRecord): Record<string, DependencyResolution[]> {
    const resolved = new Map<string, DependencyResolution[]>();
    for (const cap of agent.capabilities) {
      const deps = cap.dependencies;
      if (!deps || deps.length === 0 || cap.functionName === undefined) continue;
      resolved.set(
        cap.functionName,
        deps.map((dep) => {
          const spec = dependencySpec(dep);
          // The consumer does not matter (upstream excludes neither it nor other namespaces).
          return this.memo.resolution(this.basisOf(spec), () =>
            toResolution(this.availability.resolve(spec, agent.id), spec),
          );
        }),
      );
    }
    // fromEntries, so that a tool named `__proto__` stays a key of its own.
    return Object.fromEntries(resolved);
  }

  /**
   * The audit trace of each of the agent's dependency positions (resolution-trace.ts): the same
   * resolution as {@link resolveFor}, stage by stage, for the `dependency_*` events.
   */
  tracesFor(agent: AgentRecord): { functionName: string; depIndex: number; trace: AuditTrace }[] {
    return this.dependencyPositions(agent).map((position) => ({
      ...position,
      trace: this.traceOf(agent, position),
    }));
  }

  /** The agent's dependency positions (function, index in its `dependencies`), in order. */
  dependencyPositions(agent: AgentRecord): { functionName: string; depIndex: number }[] {
    const positions: { functionName: string; depIndex: number }[] = [];
    for (const cap of agent.capabilities) {
      const { functionName } = cap;
      if (!cap.dependencies || functionName === undefined) continue;
      for (const depIndex of cap.dependencies.keys()) positions.push({ functionName, depIndex });
    }
    return positions;
  }

  /** The audit trace of one dependency position of the agent ({@link tracesFor}). */
  traceOf(agent: AgentRecord, position: { functionName: string; depIndex: number }): AuditTrace {
    const { functionName, depIndex } = position;
    const cap = agent.capabilities.find((c) => c.functionName === functionName);
    const dep = cap?.dependencies?.[depIndex];
    const spec = dep === undefined ? { capability: '' } : dependencySpec(dep);
    // A trace depends on the spec, the providers of its capability and, when one of them has
    // required dependencies, on the availability verdicts: kept until one of those changes,
    // so a consumer's repeated full heartbeats do not trace the same resolution again.
    const at = this.basisOf(spec);
    const key = `${JSON.stringify(agent.id)},${JSON.stringify([functionName, depIndex])}`;
    let known = this.traces.get(key);
    if (known?.basis !== at.basis) {
      const shared = this.memo.trace(at, () => {
        const options = {
          unavailableReason: (tool: MeshTool) => this.availability.unavailableReason(tool) || undefined,
          statusOf: (tool: MeshTool) => this.store.getAgent(tool.agentId)?.status ?? 'unknown',
        };
        return traceResolution(agent.id, depIndex, spec, this.index.candidates(spec.capability), options)
          .trace;
      });
      known = { basis: at.basis, trace: { ...shared, consumer: agent.id, dep_index: depIndex } };
      this.traces.set(key, known);
    }
    return known.trace;
  }

  private offeredTools(): OfferedTools {
    this.offered ??= new OfferedTools(this.index);
    return this.offered;
  }

  /**
   * The tools each of the agent's functions with an `llm_filter` that has a `filter` array gives
   * its LLM (llm-tool-filter.ts), by function name (the last such tool of a name decides, as the
   * Go registry's map does).
   */
  private llmToolChoices(agent: AgentRecord): Map<string, LlmToolCandidate[]> {
    const pool = this.offeredTools();
    const choices = new Map<string, LlmToolCandidate[]>();
    for (const cap of agent.capabilities) {
      if (cap.llmFilter === undefined || cap.functionName === undefined) continue;
      const selected = selectLlmToolCandidates(cap.llmFilter, pool, agent.id);
      if (selected !== undefined) choices.set(cap.functionName, selected);
    }
    return choices;
  }

  /** The provider each of the agent's functions with an `llm_provider` resolves to (llm-provider.ts). */
  private llmProviderChoices(agent: AgentRecord): Map<string, LlmToolCandidate> {
    const pool = this.offeredTools();
    const choices = new Map<string, LlmToolCandidate>();
    for (const cap of agent.capabilities) {
      if (cap.llmProvider === undefined || cap.functionName === undefined) continue;
      const { capability } = cap.llmProvider;
      const chosen = selectLlmProvider(cap.llmProvider, capability === '' ? [] : pool.of(capability));
      if (chosen !== undefined) choices.set(cap.functionName, chosen);
    }
    return choices;
  }

  /**
   * `llm_tools` for the agent: for each function with an `llm_filter` that has a `filter` array,
   * the tools its LLM gets, keyed by function name in Go's key order.
   */
  llmToolsFor(agent: AgentRecord): Record<string, LlmToolEntry[]> {
    const tools = new Map<string, LlmToolEntry[]>();
    for (const [functionName, selected] of this.llmToolChoices(agent)) {
      tools.set(functionName, llmToolEntries(selected));
    }
    return sortedByKey(tools);
  }

  /**
   * `llm_providers` for the agent: for each function with an `llm_provider` that resolves, the
   * provider; undefined when none resolves (the key is then left out).
   */
  llmProvidersFor(agent: AgentRecord): Record<string, LlmProviderEntry> | undefined {
    const providers = new Map<string, LlmProviderEntry>();
    for (const [functionName, chosen] of this.llmProviderChoices(agent)) {
      providers.set(functionName, toLlmProviderEntry(chosen));
    }
    return providers.size === 0 ? undefined : sortedByKey(providers);
  }

  /**
   * `llm_tool_resolutions` and `llm_provider_resolutions` of the agent in `GET /agents`
   * (llm-resolutions.ts), from the same choices as {@link llmToolsFor} and
   * {@link llmProvidersFor}; null when there are none, as the Go registry lists no rows. Agents
   * without an `@mesh.llm` function cost one look at their tools.
   */
  llmResolutionsFor(agent: AgentRecord): {
    tools: LlmToolResolution[] | null;
    providers: LlmProviderResolution[] | null;
  } {
    if (!isLlmConsumer(agent)) return { tools: null, providers: null };
    const toolChoices = this.llmToolChoices(agent);
    const providerChoices = this.llmProviderChoices(agent);
    const tools = llmToolResolutions(
      agent.capabilities.flatMap((cap) =>
        cap.llmFilter === undefined || cap.functionName === undefined
          ? []
          : [
              {
                functionName: cap.functionName,
                llmFilter: cap.llmFilter,
                selected: toolChoices.get(cap.functionName),
              },
            ],
      ),
    );
    const providers = llmProviderResolutions(
      agent.capabilities.flatMap((cap) =>
        cap.llmProvider === undefined || cap.functionName === undefined
          ? []
          : [
              {
                functionName: cap.functionName,
                spec: cap.llmProvider,
                chosen: providerChoices.get(cap.functionName),
              },
            ],
      ),
    );
    return { tools: tools.length === 0 ? null : tools, providers: providers.length === 0 ? null : providers };
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
    if (isLlmConsumer(agent)) {
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
