import type { AgentSnapshot, StoredAgent, StoredDeletion } from './agent-snapshot.js';

/** What one op of a write transaction changes. */
export type SnapshotEffect = { changed: StoredAgent[]; deleted: StoredDeletion[] };

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

  /** After the commit: readers see the transaction's changes. */
  applyToSnapshot(): void {
    const changed: StoredAgent[] = [];
    const deleted: StoredDeletion[] = [];
    for (const change of this.last.values()) {
      if (change.kind === 'changed') changed.push(change.entry);
      else deleted.push(change.deletion);
    }
    this.snapshot.apply(changed, deleted);
  }
}
