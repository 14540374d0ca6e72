import { describe, expect, it } from 'vitest';
import { HeartbeatWatch } from '../../src/mesh/heartbeat-watch.js';

const S = 1_000_000;
const settings = { timeoutMicros: 20 * S, probeAfterMicros: 5.5 * S, maxCreditMicros: 1 * S };
const T0 = 1_000_000 * S;

describe('HeartbeatWatch', () => {
  it('has each agent due for a probe, then for its timeout, earliest first', () => {
    const watch = new HeartbeatWatch(settings, T0);
    watch.observe('a', T0, T0, true);
    watch.observe('b', T0 + 2 * S, T0 + 2 * S, true);
    expect(watch.nextDueAt()).toBe(T0 + 5.5 * S);
    expect(watch.takeDue(T0 + 5 * S)).toEqual([]);
    expect(watch.takeDue(T0 + 6 * S)).toEqual([{ id: 'a', heartbeat: T0, kind: 'probe' }]);
    expect(watch.nextDueAt()).toBe(T0 + 7.5 * S);
    expect(watch.takeDue(T0 + 8 * S)).toEqual([{ id: 'b', heartbeat: T0 + 2 * S, kind: 'probe' }]);
    expect(watch.nextDueAt()).toBe(T0 + 20 * S);
    expect(watch.takeDue(T0 + 20 * S).map((d) => [d.id, d.kind])).toEqual([['a', 'timeout']]);
    // A fresh heartbeat puts b at the end of the line again.
    watch.observe('b', T0 + 21 * S, T0 + 21 * S, true);
    expect(watch.takeDue(T0 + 23 * S)).toEqual([]);
    expect(watch.nextDueAt()).toBe(T0 + 26.5 * S);
  });

  it('counts a stored time from another clock as at most the credit old, in either direction', () => {
    const watch = new HeartbeatWatch(settings, T0);
    // Written by a replica an hour ahead, and by one an hour behind: both count as just seen.
    expect(watch.ageOf('ahead', T0 + 3600 * S, T0, -3600 * S)).toBe(0);
    expect(watch.ageOf('behind', T0 - 3600 * S, T0 + 2 * S, 3602 * S)).toBe(1 * S);
    expect(watch.ageOf('behind', T0 - 3600 * S, T0 + 12 * S, 3612 * S)).toBe(11 * S);
  });

  it('gives every agent a fresh timeout after a grace starts (time the registry could not record)', () => {
    const watch = new HeartbeatWatch(settings, T0);
    watch.observe('a', T0, T0, true);
    watch.restartGrace(T0 + 30 * S);
    expect(watch.ageOf('a', T0, T0 + 30 * S)).toBe(0);
    expect(watch.takeDue(T0 + 30 * S)).toEqual([]);
    expect(watch.nextDueAt()).toBe(T0 + 35.5 * S);
    expect(watch.takeDue(T0 + 50 * S).map((d) => d.kind)).toEqual(['probe', 'timeout']);
  });

  it('lets a probe decide quickly at most once per timeout (a flapping agent waits for its timeout)', () => {
    const watch = new HeartbeatWatch(settings, T0);
    expect(watch.mayDecideQuickly('a', T0)).toBe(true);
    watch.noteQuickVerdict('a', T0);
    expect(watch.mayDecideQuickly('a', T0 + 19 * S)).toBe(false);
    expect(watch.mayDecideQuickly('a', T0 + 20 * S)).toBe(true);
  });

  it('does not put unwatched agents in line, and never probes when probes are off', () => {
    const watch = new HeartbeatWatch({ ...settings, probeAfterMicros: 0 }, T0);
    watch.observe('legacy', T0, T0, false);
    watch.observe('a', T0, T0, true);
    expect(watch.takeDue(T0 + 30 * S)).toEqual([{ id: 'a', heartbeat: T0, kind: 'timeout' }]);
    expect(watch.ageOf('legacy', T0, T0 + 30 * S)).toBe(30 * S);
  });
});
