import type { AgentLifecycleChange } from '../registry-store.js';
import type { AgentSnapshot, StoredAgent, StoredDeletion } from './agent-snapshot.js';

/** What a write meant for an agent's life, when its status alone does not say it. */
export type LifecycleMark = 'registered' | 'deregistered';

/**
 * What one op of a write transaction changes; registrations and deregistrations also mark their
 * agents in `marks` (a heartbeat never allocates it).
 */
export type SnapshotEffect = {
  changed: StoredAgent[];
  deleted: StoredDeletion[];
  marks?: Map<string, LifecycleMark>;
};

export type LifecycleListener = (change: AgentLifecycleChange) => void;

type LastChange = { kind: 'changed'; entry: StoredAgent } | { kind: 'deleted'; deletion: StoredDeletion };

/**
 * The changes of one write transaction, collected op by op and handed to the snapshot after the
 * commit. Only an agent's last change in the transaction counts: every change of one transaction
 * has the same revision, so an earlier one (a re-registration followed by a deletion, say) must
 * not be what readers see.
 *
 * While the snapshot holds every commit before this transaction, it also tells a write what its
 * agent looks like at this point of the transaction, so a heartbeat need not read back and parse
 * the agent's document.
 */
export class BatchEffects {
  private readonly last = new Map<string, LastChange>();
  /** The marks of this transaction's ops. */
  private marks: Map<string, LifecycleMark> | undefined;

  constructor(
    private readonly snapshot: AgentSnapshot,
    readonly revision: number,
    /** No other process committed between the snapshot's last revision and this transaction. */
    private readonly isSnapshotCurrent: boolean,
  ) {}

  /** Takes the changes of an op that succeeded (a failed op's changes were rolled back). */
  add(effect: SnapshotEffect): void {
    for (const entry of effect.changed) this.last.set(entry.record.id, { kind: 'changed', entry });
    for (const deletion of effect.deleted) this.last.set(deletion.id, { kind: 'deleted', deletion });
    if (effect.marks !== undefined) {
      this.marks ??= new Map();
      for (const [id, mark] of effect.marks) this.marks.set(id, mark);
    }
  }

  /**
   * The agent as the database has it now, inside this transaction; `undefined` when that is not
   * known without reading its row (deleted, never seen, or another process may have changed it).
   */
  current(id: string): StoredAgent | undefined {
    if (!this.isSnapshotCurrent) return undefined;
    const change = this.last.get(id);
    if (change !== undefined) return change.kind === 'changed' ? change.entry : undefined;
    return this.snapshot.entry(id);
  }

  /**
   * After the commit: readers see the transaction's changes, and `listeners` hear of the
   * registrations, status changes and deletions among them (judged against the snapshot before).
   */
  applyToSnapshot(listeners?: ReadonlySet<LifecycleListener>): void {
    const changed: StoredAgent[] = [];
    const deleted: StoredDeletion[] = [];
    for (const change of this.last.values()) {
      if (change.kind === 'changed') changed.push(change.entry);
      else deleted.push(change.deletion);
    }
    const lifecycle = listeners === undefined || listeners.size === 0 ? [] : this.lifecycleChanges();
    this.snapshot.apply(changed, deleted);
    for (const change of lifecycle) for (const listener of listeners!) listener(change);
  }

  private lifecycleChanges(): AgentLifecycleChange[] {
    const changes: AgentLifecycleChange[] = [];
    for (const [id, change] of this.last) {
      const before = this.snapshot.entry(id);
      if (change.kind === 'deleted') {
        changes.push({ kind: 'removed', id, name: before?.record.name });
        continue;
      }
      const agent = change.entry.record;
      const mark = this.marks?.get(id);
      if (mark === 'deregistered') changes.push({ kind: 'deregistered', agent, from: before?.record.status });
      else if (mark === 'registered') changes.push({ kind: 'registered', agent });
      // A row another process changed since our last pull is judged at the next one, not here.
      else if (
        before !== undefined &&
        before.revision < change.entry.revision &&
        before.record.status !== agent.status
      ) {
        changes.push({ kind: 'status', agent, from: before.record.status });
      }
    }
    return changes;
  }
}
