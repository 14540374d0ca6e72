import type { AgentRecord, CapabilityRecord } from '../../mesh/agent.js';
import { CapabilityIndex } from '../../mesh/resolution/capability-index.js';
import {
  type DependencyResolution,
  type ProviderTool,
  toResolution,
} from '../../mesh/resolution/resolve-dependency.js';
import { nowMicros } from '../../shared/clock.js';
import type { RegistryStore } from '../../storage/registry-store.js';

function providerTools(agent: AgentRecord): ProviderTool[] {
  return agent.capabilities.map((cap: CapabilityRecord) => ({
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
  }));
}

/**
 * Who provides what, kept in step with the store (its own writes and other replicas'), so a
 * dependency is resolved among the providers of its capability only. Legacy capabilities and
 * current tools share one catalogue (registry-api-current.md §6).
 */
export class MeshTopology {
  private readonly index = new CapabilityIndex();
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
      if (this.index.removeAgent(id)) this.lastRemovalAt = nowMicros();
      this.indexed.delete(id);
      return;
    }
    if (this.indexed.get(id) === agent.capabilities) {
      this.index.setHealthy(id, agent.status === 'healthy');
      return;
    }
    this.index.upsertAgent(id, providerTools(agent));
    this.indexed.set(id, agent.capabilities);
  }

  /** `dependencies_resolved` for the agent: one entry per declared dependency, in order. */
  resolveFor(agent: AgentRecord): Record<string, DependencyResolution[]> {
    const resolved: Record<string, DependencyResolution[]> = {};
    for (const cap of agent.capabilities) {
      const deps = cap.dependencies;
      if (!deps || deps.length === 0 || cap.functionName === undefined) continue;
      resolved[cap.functionName] = deps.map((dep) => {
        const spec = {
          capability: dep.capability,
          tags: dep.tags,
          version: dep.version,
          namespace: dep.namespace,
        };
        return toResolution(this.index.resolve(spec, agent.id), spec);
      });
    }
    return resolved;
  }

  /**
   * Whether anything the agent depends on changed since its last full heartbeat: a provider of
   * one of its dependency capabilities registered, changed, changed status or disappeared.
   */
  hasChangedSince(agent: AgentRecord, since: number): boolean {
    if (this.lastRemovalAt > since) return true;
    for (const name of agent.dependencies) {
      for (const tool of this.index.candidates(name)) {
        const provider = this.store.getAgent(tool.agentId);
        if (provider && provider.topologyAt > since) return true;
      }
    }
    return false;
  }
}
