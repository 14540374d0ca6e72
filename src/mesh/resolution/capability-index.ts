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

  /** Replaces everything the index holds for `agentId` with `tools`. */
  upsertAgent(agentId: string, tools: readonly T[]): void {
    this.removeAgent(agentId);
    const own = tools.map((tool): T => ({ ...tool, agentId }));
    for (const tool of own) this.#touch(tool.capability);
    this.#byAgent.set(agentId, own);
    for (const tool of own) {
      let providers = this.#byCapability.get(tool.capability);
      if (providers === undefined) {
        providers = new Set();
        this.#byCapability.set(tool.capability, providers);
      }
      providers.add(tool);
    }
  }

  /** Forgets the agent and its tools; false when it was not indexed. */
  removeAgent(agentId: string): boolean {
    const tools = this.#byAgent.get(agentId);
    if (tools === undefined) return false;
    for (const tool of tools) {
      this.#touch(tool.capability);
      const providers = this.#byCapability.get(tool.capability);
      if (providers === undefined) continue;
      providers.delete(tool);
      if (providers.size === 0) this.#byCapability.delete(tool.capability);
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

  /** Resolves one dependency against the indexed providers of its capability. */
  resolve(dep: DependencySpec, consumerAgentId: string, options: ResolveOptions<T> = {}): T | undefined {
    return resolveDependency(dep, this.candidates(dep.capability), consumerAgentId, options);
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
