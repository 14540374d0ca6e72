/**
 * How old each agent's heartbeat is, judged fairly, and when each current-protocol agent falls due.
 * Pure: the health monitor feeds it what it observes and the time, on one monotonic clock (every
 * `now` here), and how old each heartbeat's stored time says it is.
 *
 * Fair judgment (issue 22):
 * - An age is measured on the judging process's own monotonic clock, from the moment it first saw
 *   the heartbeat, plus what the stored time says had already passed then, at most
 *   `maxCreditMicros` (the delay of a pull from another replica). A heartbeat time written by a
 *   replica whose clock is an hour off, or read back after a clock step and a restart, therefore
 *   counts as at most that old; times are never compared across clocks.
 * - {@link restartGrace} gives every agent a fresh timeout from now: after the registry could not
 *   record heartbeats (its database was away, the process was paused), the time it missed does
 *   not count against anyone. A fresh watch starts with one.
 *
 * Deadlines in order: agents sit in maps kept in the order their heartbeats were seen (a newer
 * heartbeat moves an agent to the end), so the earliest due is at the front and finding what is
 * due costs only the due entries. An agent is first due for a probe (`probeAfterMicros` after its
 * heartbeat, when probes are on), then, if nothing was decided, for its timeout.
 */
import type { Micros } from '../shared/clock.js';

export interface HeartbeatWatchSettings {
  /** A current-protocol agent's timeout. */
  timeoutMicros: number;
  /** When a late agent's endpoint is checked; 0 (or not below the timeout): never. */
  probeAfterMicros: number;
  /** The most a newly seen heartbeat's stored age may count for. */
  maxCreditMicros: number;
}

interface Seen {
  heartbeat: Micros;
  /** When the heartbeat counts from, on the watch's clock. */
  at: Micros;
}

/** An agent whose time has come: to be probed, or judged against its timeout. */
export interface DueAgent {
  id: string;
  /** The heartbeat it is due for (a judgment applies only while it is still the agent's last). */
  heartbeat: Micros;
  kind: 'probe' | 'timeout';
}

export class HeartbeatWatch {
  /** Every agent's last heartbeat as seen, and when it counts from. */
  private readonly seen = new Map<string, Seen>();
  /** Watched agents not yet probed, in the order their heartbeats were seen. */
  private readonly unprobed = new Map<string, Seen>();
  /** Watched agents probed (or never to be), waiting for their timeout; same order. */
  private readonly probed = new Map<string, Seen>();
  /** Agents a probe found gone, and when: a second quick verdict waits a timeout (flapping). */
  private readonly quickVerdicts = new Map<string, Micros>();
  private graceFrom: Micros;

  constructor(
    private readonly settings: HeartbeatWatchSettings,
    now: Micros,
  ) {
    this.graceFrom = now;
  }

  private get probesOn(): boolean {
    const { probeAfterMicros, timeoutMicros } = this.settings;
    return probeAfterMicros > 0 && probeAfterMicros < timeoutMicros;
  }

  /** The agent's heartbeat as seen, noted now if it is new. */
  private record(
    id: string,
    heartbeat: Micros,
    now: Micros,
    storedAge: Micros,
  ): { seen: Seen; isNew: boolean } {
    const known = this.seen.get(id);
    if (known?.heartbeat === heartbeat) return { seen: known, isNew: false };
    const credit = Math.min(Math.max(storedAge, 0), this.settings.maxCreditMicros);
    const seen = { heartbeat, at: now - credit };
    this.seen.set(id, seen);
    return { seen, isNew: true };
  }

  /**
   * Notes an agent's last heartbeat as stored (`heartbeat` identifies it; `storedAge`, how old its
   * stored time says it is). A watched agent (`isWatched`: healthy, of the current protocol) falls
   * due after it; a new heartbeat puts it at the end of the line.
   */
  observe(id: string, heartbeat: Micros, now: Micros, isWatched: boolean, storedAge = 0): void {
    const { seen, isNew } = this.record(id, heartbeat, now, storedAge);
    if (!isWatched || isNew) {
      this.unprobed.delete(id);
      this.probed.delete(id);
    }
    if (isWatched && isNew) (this.probesOn ? this.unprobed : this.probed).set(id, seen);
  }

  /** Forgets an agent that is gone. */
  forget(id: string): void {
    this.seen.delete(id);
    this.unprobed.delete(id);
    this.probed.delete(id);
    this.quickVerdicts.delete(id);
  }

  /** From now, every agent's heartbeat counts as if it had just come. */
  restartGrace(now: Micros): void {
    this.graceFrom = Math.max(this.graceFrom, now);
  }

  /** How long ago the agent's heartbeat came, judged fairly (microseconds). */
  ageOf(id: string, heartbeat: Micros, now: Micros, storedAge = 0): Micros {
    const { seen } = this.record(id, heartbeat, now, storedAge);
    return now - Math.max(seen.at, this.graceFrom);
  }

  /** Whether a probe's refusal may decide now, or the agent must wait for its timeout (flapping). */
  mayDecideQuickly(id: string, now: Micros): boolean {
    const last = this.quickVerdicts.get(id);
    return last === undefined || now - last >= this.settings.timeoutMicros;
  }

  noteQuickVerdict(id: string, now: Micros): void {
    this.quickVerdicts.set(id, now);
  }

  /** When the earliest watched agent falls due, or undefined when none is watched. */
  nextDueAt(): Micros | undefined {
    const { probeAfterMicros, timeoutMicros } = this.settings;
    let due: Micros | undefined;
    const first = (map: Map<string, Seen>, after: Micros) => {
      for (const seen of map.values()) {
        const at = Math.max(seen.at, this.graceFrom) + after;
        due = due === undefined ? at : Math.min(due, at);
        return;
      }
    };
    first(this.unprobed, probeAfterMicros);
    first(this.probed, timeoutMicros);
    return due;
  }

  /**
   * Takes every watched agent due by `now`: those due for a probe move on to wait for their
   * timeout, those past their timeout leave the line (a fresh heartbeat brings them back).
   */
  takeDue(now: Micros): DueAgent[] {
    const { probeAfterMicros, timeoutMicros, maxCreditMicros } = this.settings;
    const due: DueAgent[] = [];
    // Entries are in the order they were seen; credits can put one up to maxCredit before its
    // predecessors, so the scan goes that far past the first entry not yet due.
    const scan = (map: Map<string, Seen>, after: Micros, kind: DueAgent['kind']) => {
      for (const [id, seen] of map) {
        const at = Math.max(seen.at, this.graceFrom) + after;
        if (at > now + maxCreditMicros) break;
        if (at > now) continue;
        map.delete(id);
        if (kind === 'probe') this.probed.set(id, seen);
        due.push({ id, heartbeat: seen.heartbeat, kind });
      }
    };
    if (this.probesOn) scan(this.unprobed, probeAfterMicros, 'probe');
    scan(this.probed, timeoutMicros, 'timeout');
    for (const [id, at] of this.quickVerdicts) if (now - at >= timeoutMicros) this.quickVerdicts.delete(id);
    return due;
  }
}
