import type { AgentRecord } from './registry-store.js';

type Listener = (changedIds: readonly string[]) => void;

/**
 * The in-memory copy of the agents table that serves every read. Stores update it after their
 * own commits and after pulling other processes' changes, and bump `revision` each time.
 */
export class AgentSnapshot {
  private readonly agents = new Map<string, AgentRecord>();
  private readonly listeners = new Set<Listener>();
  revision = 0;

  get size(): number {
    return this.agents.size;
  }

  get(id: string): AgentRecord | undefined {
    return this.agents.get(id);
  }

  values(): IterableIterator<AgentRecord> {
    return this.agents.values();
  }

  /** Replaces or adds agents (a replaced agent keeps its position) and removes `deletedIds`. */
  apply(revision: number, changed: readonly AgentRecord[], deletedIds: readonly string[] = []): void {
    for (const agent of changed) this.agents.set(agent.id, agent);
    for (const id of deletedIds) this.agents.delete(id);
    if (revision > this.revision) this.revision = revision;
    const ids =
      deletedIds.length === 0 ? changed.map((a) => a.id) : [...changed.map((a) => a.id), ...deletedIds];
    if (ids.length > 0) for (const listener of this.listeners) listener(ids);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
