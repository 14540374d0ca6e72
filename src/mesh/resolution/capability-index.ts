/**
 * In-memory index from capability name to the tools that provide it, so resolving a dependency
 * only looks at the providers of that capability (upstream does the same with an indexed query),
 * never at every registered agent.
 *
 * The index owns its entries: `upsertAgent` stores shallow copies of the given tools (with
 * `agentId` forced to the agent's), so later changes to the caller's objects do not leak in, and
 * `setHealthy` flips the copies' `isHealthy` in O(tools of that agent). `candidates` yields those
 * entries live; treat them as read-only. Pure data structure: no I/O, no timers.
 */

import {
  type DependencySpec,
  type ProviderTool,
  type ResolveOptions,
  resolveDependency,
} from './resolve-dependency.js';

const NO_TOOLS: readonly never[] = Object.freeze([]);

/**
 * `T` lets a caller keep more per tool than resolution needs (e.g. what `llm_tools` lists); the
 * extra fields are copied with the rest.
 */
export class CapabilityIndex<T extends ProviderTool = ProviderTool> {
  /** capability → its providers, in insertion order (one agent's tools in declaration order). */
  readonly #byCapability = new Map<string, Set<T>>();
  readonly #byAgent = new Map<string, T[]>();
  /** Per capability, a count of the changes to its providers (what {@link versionOf} answers). */
  readonly #versions = new Map<string, number>();
  /** capability → tag → its providers with that tag, in the order of {@link candidates}. */
  readonly #byCapabilityTag = new Map<string, Map<string, Set<T>>>();

  /**
   * Changes whenever a provider of `capability` is added, replaced, removed or changes health, so
   * a caller can keep what it derived from the providers until then. (A change between two
   * statuses that are both not healthy does not count.)
   */
  versionOf(capability: string): number {
    return this.#versions.get(capability) ?? 0;
  }

  #touch(capability: string): void {
    this.#versions.set(capability, (this.#versions.get(capability) ?? 0) + 1);
  }

  /**
   * Replaces everything the index holds for `agentId` with `tools`. `sameForResolution` says the
   * tools differ from the indexed ones in nothing a resolution reads (a provider's identical full
   * heartbeat): the entries are replaced and move to the end as any upsert's do, but no
   * capability's {@link versionOf} changes, so what callers derived from them still holds.
   */
  upsertAgent(agentId: string, tools: readonly T[], { sameForResolution = false } = {}): void {
    this.#remove(agentId, !sameForResolution);
    const own = tools.map((tool): T => ({ ...tool, agentId }));
    if (!sameForResolution) for (const tool of own) this.#touch(tool.capability);
    this.#byAgent.set(agentId, own);
    for (const tool of own) {
      let providers = this.#byCapability.get(tool.capability);
      if (providers === undefined) {
        providers = new Set();
        this.#byCapability.set(tool.capability, providers);
      }
      providers.add(tool);
      let byTag = this.#byCapabilityTag.get(tool.capability);
      if (byTag === undefined) {
        byTag = new Map();
        this.#byCapabilityTag.set(tool.capability, byTag);
      }
      for (const tag of tool.tags) {
        let tagged = byTag.get(tag);
        if (tagged === undefined) {
          tagged = new Set();
          byTag.set(tag, tagged);
        }
        tagged.add(tool);
      }
    }
  }

  /** Forgets the agent and its tools; false when it was not indexed. */
  removeAgent(agentId: string): boolean {
    return this.#remove(agentId, true);
  }

  #remove(agentId: string, isChange: boolean): boolean {
    const tools = this.#byAgent.get(agentId);
    if (tools === undefined) return false;
    for (const tool of tools) {
      if (isChange) this.#touch(tool.capability);
      const providers = this.#byCapability.get(tool.capability);
      if (providers === undefined) continue;
      providers.delete(tool);
      if (providers.size === 0) this.#byCapability.delete(tool.capability);
      const byTag = this.#byCapabilityTag.get(tool.capability);
      for (const tag of tool.tags) {
        const tagged = byTag?.get(tag);
        tagged?.delete(tool);
        if (tagged?.size === 0) byTag?.delete(tag);
      }
      if (byTag?.size === 0) this.#byCapabilityTag.delete(tool.capability);
    }
    this.#byAgent.delete(agentId);
    return true;
  }

  /** Marks every tool of the agent healthy or not; false when the agent is not indexed. */
  setHealthy(agentId: string, isHealthy: boolean): boolean {
    const tools = this.#byAgent.get(agentId);
    if (tools === undefined) return false;
    for (const tool of tools) {
      if (tool.isHealthy === isHealthy) continue;
      tool.isHealthy = isHealthy;
      this.#touch(tool.capability);
    }
    return true;
  }

  /** The tools providing `capability` (exact name), healthy or not. */
  candidates(capability: string): Iterable<T> {
    return this.#byCapability.get(capability) ?? NO_TOOLS;
  }

  /**
   * The providers of `dep.capability` that can match its tags: those carrying its rarest required
   * tag (a plain one: `+`, `-` and OR groups do not narrow), else all of them. In the order of
   * {@link candidates}, so resolving among them chooses what resolving among all would: a
   * dependency costs what its matching providers cost, not what the capability's do.
   */
  candidatesFor(dep: DependencySpec): Iterable<T> {
    const all = this.#byCapability.get(dep.capability);
    if (all === undefined) return NO_TOOLS;
    let narrowest: Set<T> = all;
    for (const tag of dep.tags ?? []) {
      if (typeof tag !== 'string' || tag === '' || tag[0] === '+' || tag[0] === '-') continue;
      const tagged = this.#byCapabilityTag.get(dep.capability)?.get(tag);
      if (tagged === undefined) return NO_TOOLS;
      if (tagged.size < narrowest.size) narrowest = tagged;
    }
    return narrowest;
  }

  /** Resolves one dependency against the indexed providers of its capability. */
  resolve(dep: DependencySpec, consumerAgentId: string, options: ResolveOptions<T> = {}): T | undefined {
    return resolveDependency(dep, this.candidatesFor(dep), consumerAgentId, options);
  }

  hasAgent(agentId: string): boolean {
    return this.#byAgent.has(agentId);
  }

  /** The indexed tools of one agent, in the order they were given. */
  toolsOf(agentId: string): readonly T[] {
    return this.#byAgent.get(agentId) ?? NO_TOOLS;
  }

  /** The indexed agents' tools, agent by agent. */
  agentTools(): Iterable<readonly T[]> {
    return this.#byAgent.values();
  }

  get agentCount(): number {
    return this.#byAgent.size;
  }
}
