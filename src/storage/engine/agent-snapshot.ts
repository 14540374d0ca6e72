import type { AgentRecord } from '../../mesh/agent.js';

type Listener = (changedIds: readonly string[]) => void;

/** An agent as committed: its record, its first-registration order and the revision of its row. */
export interface StoredAgent {
  record: AgentRecord;
  seq: number;
  revision: number;
  /**
   * Set by a heartbeat: the record it was made from. When that is still the snapshot's record and
   * the heartbeat changed neither status nor topology time, the snapshot copies the new times into
   * the record it has instead of keeping this one (see `apply`).
   */
  heartbeatOf?: AgentRecord;
}

/** A deletion as committed: the revision of its tombstone. */
export interface StoredDeletion {
  id: string;
  revision: number;
}

/**
 * The in-memory copy of the agents table that serves every read. Stores update it after their
 * own commits and after pulling other processes' changes.
 *
 * Both arrive in any order (a pull that started before our own commit can answer after it), so
 * every change carries the revision of its row and only a newer row replaces an older one;
 * deletions are remembered until a later pull has gone past them, so a pull that began before a
 * deletion cannot bring the agent back. Agents stay in first-registration order (`seq`), whichever
 * replica registered them.
 */
export class AgentSnapshot {
  private agents = new Map<string, StoredAgent>();
  private readonly deletions = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private maxSeq = 0;
  /** Increases on every change of the snapshot: callers key caches on it. */
  revision = 0;

  get size(): number {
    return this.agents.size;
  }

  get(id: string): AgentRecord | undefined {
    return this.agents.get(id)?.record;
  }

  /** The agent with its order and the revision of its row. */
  entry(id: string): StoredAgent | undefined {
    return this.agents.get(id);
  }

  *values(): IterableIterator<AgentRecord> {
    for (const entry of this.agents.values()) yield entry.record;
  }

  /** Applies committed rows and deletions; each is ignored unless newer than what is known. */
  apply(changed: readonly StoredAgent[], deleted: readonly StoredDeletion[] = []): void {
    const ids: string[] = [];
    let isOutOfOrder = false;
    for (const entry of changed) {
      const id = entry.record.id;
      const known = this.agents.get(id);
      if (known !== undefined && known.revision >= entry.revision) continue;
      if ((this.deletions.get(id) ?? -1) >= entry.revision) continue;
      if (known !== undefined && isLivenessOnly(known, entry)) {
        patchLiveness(known, entry);
        ids.push(id);
        continue;
      }
      // A new agent before the last one, or a known one that was deleted and registered again
      // (a new seq) since we last saw it: its place changes.
      if (known === undefined ? entry.seq < this.maxSeq : known.seq !== entry.seq) isOutOfOrder = true;
      this.maxSeq = Math.max(this.maxSeq, entry.seq);
      // Kept, the link would hold the agent's previous record as long as this one.
      if (entry.heartbeatOf !== undefined) entry.heartbeatOf = undefined;
      this.agents.set(id, entry);
      ids.push(id);
    }
    for (const { id, revision } of deleted) {
      this.deletions.set(id, Math.max(revision, this.deletions.get(id) ?? -1));
      const known = this.agents.get(id);
      if (known === undefined || known.revision >= revision) continue;
      this.agents.delete(id);
      ids.push(id);
    }
    if (isOutOfOrder) {
      // Restore first-registration order (another replica registered agents we learn about only now).
      this.agents = new Map([...this.agents].sort((a, b) => a[1].seq - b[1].seq));
    }
    if (ids.length === 0) return;
    this.revision += 1;
    for (const listener of this.listeners) listener(ids);
  }

  /**
   * Replaces everything with `entries`, what a database that is not the one pulled from so far
   * holds (a failover, a restore): agents it lacks go, whatever their revisions.
   */
  replaceAll(entries: readonly StoredAgent[]): void {
    const ids = new Set(this.agents.keys());
    const sorted = [...entries].sort((a, b) => a.seq - b.seq);
    this.agents = new Map();
    this.maxSeq = 0;
    for (const entry of sorted) {
      if (entry.heartbeatOf !== undefined) entry.heartbeatOf = undefined;
      this.agents.set(entry.record.id, entry);
      this.maxSeq = Math.max(this.maxSeq, entry.seq);
      ids.add(entry.record.id);
    }
    this.deletions.clear();
    this.revision += 1;
    for (const listener of this.listeners) listener([...ids]);
  }

  /**
   * Forgets deletions at or below `revision` once a pull that started after them has completed:
   * every later pull reads a database that already has them.
   */
  forgetDeletionsUpTo(revision: number): void {
    for (const [id, at] of this.deletions) if (at <= revision) this.deletions.delete(id);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A heartbeat of the record the snapshot holds that changed only its times. */
function isLivenessOnly(known: StoredAgent, entry: StoredAgent): boolean {
  return (
    entry.heartbeatOf === known.record &&
    entry.record.status === known.record.status &&
    entry.record.topologyAt === known.record.topologyAt
  );
}

/**
 * Records are otherwise immutable; these three fields are the exception, written in place so a
 * steady heartbeat leaves no new record to live in the old generation until the next one (at
 * 10,000 agents that garbage paced the major collections behind the scale test's tail). Whatever
 * caches text of a record checks them (`legacyAgentJson`).
 */
function patchLiveness(known: StoredAgent, entry: StoredAgent): void {
  known.record.lastHeartbeat = entry.record.lastHeartbeat;
  known.record.updatedAt = entry.record.updatedAt;
  known.record.resourceVersion = entry.record.resourceVersion;
  known.revision = entry.revision;
}
