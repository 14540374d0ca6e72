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

/**
 * Rendered responses keyed by query, valid while the store's revision is the one they were made
 * at: every state change (registration, heartbeat, health sweep, another replica's write) makes
 * them stale (decision for §13.4, the original only cleared them on registration).
 */
export class ResponseCache {
  private entries = new Map<string, string>();
  private revision = -1;

  get(key: string, revision: number): string | undefined {
    if (revision !== this.revision) {
      this.entries = new Map();
      this.revision = revision;
      return undefined;
    }
    return this.entries.get(key);
  }

  set(key: string, revision: number, value: string): void {
    if (revision !== this.revision) return;
    // Bounded: a client cycling through endless distinct queries cannot grow it without limit.
    if (this.entries.size >= 1000) this.entries.clear();
    this.entries.set(key, value);
  }
}
