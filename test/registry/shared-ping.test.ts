import { describe, expect, it } from 'vitest';
import { sharedPing } from '../../src/registry/legacy-api/shared-ping.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('sharedPing', () => {
  it('lets requests of one turn share a check, and checks again on a later turn', async () => {
    let checks = 0;
    const ping = sharedPing(async () => {
      checks += 1;
    });
    await Promise.all([ping(), ping(), ping()]);
    expect(checks).toBe(1);
    await nextTurn();
    await ping();
    expect(checks).toBe(2);
  });

  it('shares a check in flight, then starts a new one once it settled', async () => {
    let release: () => void = () => {};
    let checks = 0;
    const ping = sharedPing(() => {
      checks += 1;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const first = ping();
    await nextTurn();
    const second = ping();
    expect(second).toBe(first);
    release();
    await Promise.all([first, second]);
    await nextTurn();
    void ping();
    expect(checks).toBe(2);
    release();
  });

  it('fails every request that shared a failed check, and recovers on the next turn', async () => {
    let isDown = true;
    const ping = sharedPing(async () => {
      if (isDown) throw new Error('database unavailable');
    });
    const results = await Promise.allSettled([ping(), ping()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    isDown = false;
    await nextTurn();
    await expect(ping()).resolves.toBeUndefined();
  });
});
