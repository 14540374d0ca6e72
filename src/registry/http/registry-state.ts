import { nowMicros } from '../../shared/clock.js';

/**
 * What one registry process counts since it started (spec §3.5, §8): in memory only, reset by a
 * restart exactly like the original's counters.
 */
export class RegistryCounters {
  readonly startedAt = nowMicros();
  heartbeatsProcessed = 0;
  registrationsProcessed = 0;

  uptimeSeconds(): number {
    return (nowMicros() - this.startedAt) / 1e6;
  }
}

/** What the rendered responses of one cache may hold at most (UTF-16 code units × 2). */
export const RESPONSE_CACHE_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * Rendered responses keyed by query, valid while the store's revision is the one they were made
 * at: every state change (registration, heartbeat, health sweep, another replica's write) makes
 * them stale (decision for §13.4, the original only cleared them on registration). Bounded by
 * bytes, the oldest dropped first: a client cycling through distinct queries over large agents
 * cannot grow it past its budget (by count alone, 1,000 listings of 2 MB were 2 GB).
 */
export class ResponseCache {
  private entries = new Map<string, string>();
  private revision = -1;
  private bytes = 0;

  constructor(private readonly budgetBytes = RESPONSE_CACHE_BUDGET_BYTES) {}

  /** What the cached responses take, as counted against the budget. */
  get sizeBytes(): number {
    return this.bytes;
  }

  get(key: string, revision: number): string | undefined {
    if (revision !== this.revision) {
      this.entries = new Map();
      this.bytes = 0;
      this.revision = revision;
      return undefined;
    }
    return this.entries.get(key);
  }

  set(key: string, revision: number, value: string): void {
    if (revision !== this.revision) return;
    const size = (key.length + value.length) * 2;
    if (size > this.budgetBytes) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.bytes -= (key.length + previous.length) * 2;
    }
    for (const [oldKey, oldValue] of this.entries) {
      if (this.bytes + size <= this.budgetBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= (oldKey.length + oldValue.length) * 2;
    }
    this.entries.set(key, value);
    this.bytes += size;
  }
}
