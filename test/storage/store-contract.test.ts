import { describe, expect, it } from 'vitest';
import { topologyAtAfterHeartbeat } from '../../src/mesh/status.js';
import { sqlitePathOf } from '../../src/storage/database-url.js';
import { openStore } from '../../src/storage/open-store.js';
import { openPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import type { RegistryStore, UpsertOutcome } from '../../src/storage/registry-store.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { agent } from '../helpers/agent-record.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl, TEST_DIALECT } from '../helpers/test-database.js';

async function withStore(run: (store: RegistryStore, url: string) => Promise<void>): Promise<void> {
  using dir = tempDir();
  const url = await freshDatabaseUrl(dir.path, 'store.db');
  const store = await openStore(url);
  try {
    await run(store, url);
  } finally {
    await store.close();
  }
}

/** The stored agent of a registration that was not refused. */
function written(outcome: UpsertOutcome): Exclude<UpsertOutcome, { refused: string }> {
  if ('refused' in outcome) throw new Error(`registration refused: ${outcome.refused}`);
  return outcome;
}

/** The store of this run's dialect on `url`, pulling other processes' writes only when asked. */
async function openStoreWithoutBackgroundPulls(url: string): Promise<RegistryStore> {
  if (TEST_DIALECT === 'postgres') return openPostgresStore({ url, syncIntervalMs: 0 });
  return openSqliteStore({ path: sqlitePathOf(url), syncIntervalMs: 0 });
}

describe(`the ${TEST_DIALECT} store`, () => {
  it('replaces an agent in place, keeping created_at and its position', async () => {
    await withStore(async (store) => {
      expect(written(await store.upsertAgent(agent('a'))).isNew).toBe(true);
      await store.upsertAgent(agent('b'));
      const replaced = written(
        await store.upsertAgent(agent('a', { createdAt: 9_000_000, name: 'renamed' })),
      );
      expect(replaced.isNew).toBe(false);
      expect(replaced.agent.createdAt).toBe(1_000_000);
      expect([...store.listAgents()].map((a) => a.id)).toEqual(['a', 'b']);
      expect(store.getAgent('a')?.name).toBe('renamed');
    });
  });

  it('answers undefined for a heartbeat of an unknown agent and changes nothing', async () => {
    await withStore(async (store, url) => {
      await store.upsertAgent(agent('known'));
      const known = store.getAgent('known');
      const revision = store.revision;
      expect(await store.recordHeartbeat('nobody', 5, 'healthy')).toBeUndefined();
      await store.sync();
      expect(store.revision).toBe(revision);
      expect([...store.listAgents()]).toEqual([known]);
      // Nor in the database: another process reads exactly the one agent.
      const other = await openStore(url);
      try {
        expect([...other.listAgents()]).toEqual([known]);
      } finally {
        await other.close();
      }
    });
  });

  it('applies a status change only while its conditions still hold', async () => {
    await withStore(async (store) => {
      await store.upsertAgent(agent('a'));
      await store.recordHeartbeat('a', 2_000_000, 'healthy');
      const stale = {
        id: 'a',
        fromStatus: 'healthy' as const,
        lastHeartbeat: 1_000,
        toStatus: 'degraded' as const,
        at: 3,
      };
      expect(await store.applyStatusChanges([stale])).toEqual([]);
      const fresh = { ...stale, lastHeartbeat: 2_000_000 };
      expect(await store.applyStatusChanges([fresh])).toEqual([fresh]);
      expect(store.getAgent('a')?.status).toBe('degraded');
      // Applying it twice (another replica) is harmless.
      expect(await store.applyStatusChanges([fresh])).toEqual([]);
    });
  });

  it('writes a steady heartbeat’s times into the record it holds, and makes a new record for any other change', async () => {
    await withStore(async (store) => {
      await store.upsertAgent(agent('a', { status: 'healthy' }));
      const held = store.getAgent('a')!;
      const revision = store.revision;
      await store.recordHeartbeat('a', 2_000_000, 'healthy');
      // The same object (no new record to survive in the old generation until the next beat) ...
      expect(store.getAgent('a')).toBe(held);
      expect(held).toMatchObject({ lastHeartbeat: 2_000_000, updatedAt: 2_000_000, status: 'healthy' });
      expect(held.resourceVersion).not.toBe(agent('a').resourceVersion);
      // ... and still a change readers see.
      expect(store.revision).toBeGreaterThan(revision);
      await store.recordHeartbeat('a', 3_000_000, 'degraded');
      const degraded = store.getAgent('a')!;
      expect(degraded).not.toBe(held);
      expect(held.status).toBe('healthy');
      expect(degraded).toMatchObject({ status: 'degraded', lastHeartbeat: 3_000_000, topologyAt: 3_000_000 });
    });
  });

  it('moves the topology time as the mesh status rules say, in its SQL as well', async () => {
    await withStore(async (store) => {
      const { agent: registered } = written(await store.upsertAgent(agent('a', { status: 'healthy' })));
      const same = await store.recordHeartbeat('a', 2_000_000, 'healthy');
      expect(same?.topologyAt).toBe(topologyAtAfterHeartbeat(registered, 'healthy', 2_000_000));
      expect(same?.topologyAt).toBe(1_000_000);
      const changed = await store.recordHeartbeat('a', 3_000_000, 'degraded');
      expect(changed?.topologyAt).toBe(topologyAtAfterHeartbeat(same!, 'degraded', 3_000_000));
      expect(changed?.topologyAt).toBe(3_000_000);
      const expire = {
        id: 'a',
        fromStatus: 'degraded',
        lastHeartbeat: 3_000_000,
        toStatus: 'expired',
        at: 4_000_000,
      } as const;
      await store.applyStatusChanges([expire]);
      expect(store.getAgent('a')?.topologyAt).toBe(4_000_000);
    });
  });

  it('group-commits concurrent writes and keeps each result separate', async () => {
    await withStore(async (store) => {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.upsertAgent(agent(`n${i}`))),
      );
      expect(results.every((r) => written(r).isNew)).toBe(true);
      expect(store.size).toBe(200);
    });
  });

  it('shows the last change of each agent when one transaction changes it several times', async () => {
    await withStore(async (store, url) => {
      await store.upsertAgent(agent('kept', { endpoint: 'http://old:1' }));
      await store.upsertAgent(agent('dropped'));
      // Submitted together, so they share one transaction (and one revision).
      const [, beaten, , deleted] = await Promise.all([
        store.upsertAgent(agent('kept', { endpoint: 'http://new:2' })),
        store.recordHeartbeat('kept', 5_000_000, 'healthy'),
        store.upsertAgent(agent('dropped', { endpoint: 'http://gone:3' })),
        store.deleteAgent('dropped'),
      ]);
      expect(deleted).toBe(true);
      expect(beaten).toMatchObject({ endpoint: 'http://new:2', lastHeartbeat: 5_000_000, status: 'healthy' });
      const expected = { endpoint: 'http://new:2', lastHeartbeat: 5_000_000, status: 'healthy' };
      expect(store.getAgent('kept')).toMatchObject(expected);
      expect(store.getAgent('dropped')).toBeUndefined();
      const reopened = await openStore(url);
      try {
        expect(reopened.getAgent('kept')).toMatchObject(expected);
        expect(reopened.getAgent('dropped')).toBeUndefined();
      } finally {
        await reopened.close();
      }
    });
  });

  it('fails only the op the database refuses, and commits and answers the others of its batch', async () => {
    await withStore(async (store, url) => {
      await store.upsertAgent(agent('beating'));
      await store.upsertAgent(agent('leaving'));
      // Submitted together, so they share one batch. NaN is an integer to neither database
      // (SQLite binds it as NULL, which NOT NULL refuses).
      const results = await Promise.allSettled([
        store.upsertAgent(agent('before')),
        store.upsertAgent(agent('refused', { createdAt: Number.NaN })),
        store.recordHeartbeat('beating', 5_000_000, 'healthy'),
        store.deleteAgent('leaving'),
        store.upsertAgent(agent('after')),
      ]);
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect(results[2]).toMatchObject({ value: { id: 'beating', lastHeartbeat: 5_000_000 } });
      expect(results[3]).toMatchObject({ value: true });
      const expected = ['beating', 'before', 'after'];
      expect([...store.listAgents()].map((a) => a.id)).toEqual(expected);
      const other = await openStore(url);
      try {
        expect([...other.listAgents()].map((a) => a.id)).toEqual(expected);
        expect(other.getAgent('beating')).toEqual(store.getAgent('beating'));
      } finally {
        await other.close();
      }
    });
  });

  // With a refused registration in the batch, it runs again the careful way: both paths.
  it.each([
    ['alone', false],
    ['beside an op the database refuses', true],
  ])('deletes, registers again and beats an agent in one batch (%s)', async (_, withRefused) => {
    await withStore(async (store, url) => {
      await store.upsertAgent(agent('phoenix', { endpoint: 'http://old:1' }));
      await store.upsertAgent(agent('other'));
      const refused = withRefused ? [store.upsertAgent(agent('refused', { createdAt: Number.NaN }))] : [];
      const [deleted, registered, beaten, ...rest] = await Promise.allSettled([
        store.deleteAgent('phoenix'),
        store.upsertAgent(agent('phoenix', { endpoint: 'http://new:2' })),
        store.recordHeartbeat('phoenix', 6_000_000, 'healthy'),
        ...refused,
      ]);
      expect(rest.map((result) => result.status)).toEqual(withRefused ? ['rejected'] : []);
      expect(deleted).toEqual({ status: 'fulfilled', value: true });
      expect(registered).toMatchObject({ status: 'fulfilled', value: { isNew: true } });
      const expected = { endpoint: 'http://new:2', lastHeartbeat: 6_000_000, status: 'healthy' };
      expect(beaten).toMatchObject({ status: 'fulfilled', value: expected });
      expect(store.getAgent('phoenix')).toEqual((beaten as PromiseFulfilledResult<unknown>).value);
      // Registered again, it comes after the agents that stayed.
      expect([...store.listAgents()].map((a) => a.id)).toEqual(['other', 'phoenix']);
      const reopened = await openStore(url);
      try {
        expect([...reopened.listAgents()].map((a) => a.id)).toEqual(['other', 'phoenix']);
        expect(reopened.getAgent('phoenix')).toEqual(store.getAgent('phoenix'));
      } finally {
        await reopened.close();
      }
    });
  });

  it('sees writes of another process on the same database after sync', async () => {
    await withStore(async (store, url) => {
      const other = await openStore(url);
      try {
        await other.upsertAgent(agent('from-other'));
        await other.recordHeartbeat('from-other', 7_000_000, 'healthy');
        expect(store.getAgent('from-other')).toBeUndefined();
        await store.sync();
        expect(store.getAgent('from-other')).toMatchObject({ status: 'healthy', lastHeartbeat: 7_000_000 });
        await other.deleteAgent('from-other');
        await store.sync();
        expect(store.getAgent('from-other')).toBeUndefined();
      } finally {
        await other.close();
      }
    });
  });

  it('keeps ids and names with NUL, U+FFFF and lone surrogates exactly, for itself and other processes', async () => {
    await withStore(async (store, url) => {
      const odd = agent('a\u0000b\ud800c\uffff0000', {
        name: 'n\u0000',
        namespace: '\udc00ns',
        labels: { 'k\u0000': 'v\ud800' },
      });
      await store.upsertAgent(odd);
      expect(await store.recordHeartbeat(odd.id, 3_000_000, 'healthy')).toMatchObject({ id: odd.id });
      const other = await openStore(url);
      try {
        expect(other.getAgent(odd.id)).toEqual({
          ...odd,
          status: 'healthy',
          lastHeartbeat: 3_000_000,
          updatedAt: 3_000_000,
          resourceVersion: store.getAgent(odd.id)!.resourceVersion,
          topologyAt: 3_000_000,
        });
        expect(await other.deleteAgent(odd.id)).toBe(true);
        await store.sync();
        expect(store.getAgent(odd.id)).toBeUndefined();
      } finally {
        await other.close();
      }
    });
  });

  it('keeps every field across a reopen', async () => {
    await withStore(async (store, url) => {
      const rich = agent('rich', {
        labels: { env: 'prod' },
        config: { nested: { list: [1, 'two', null] } },
        agentType: 'worker',
        timeoutThreshold: 45,
        evictionThreshold: 90,
        capabilities: [
          {
            name: 'c',
            description: null,
            version: '2.0.0',
            tags: ['x', 'y'],
            category: 'cat',
            stability: 'beta',
          },
        ],
      });
      await store.upsertAgent(rich);
      await store.close();
      const reopened = await openStore(url);
      try {
        expect(reopened.getAgent('rich')).toEqual(rich);
      } finally {
        await reopened.close();
      }
    });
  });
});

describe('the health sweep claim', () => {
  it('goes to one process per period, whoever asks', async () => {
    await withStore(async (store, url) => {
      const other = await openStore(url);
      try {
        const gap = 400_000;
        expect(await store.claimHealthSweep(gap)).toBe(true);
        expect(await other.claimHealthSweep(gap)).toBe(false);
        expect(await store.claimHealthSweep(gap)).toBe(false);
        await new Promise((r) => setTimeout(r, 450));
        expect(await other.claimHealthSweep(gap)).toBe(true);
        expect(await store.claimHealthSweep(gap)).toBe(false);
      } finally {
        await other.close();
      }
    });
  });
});

describe('the snapshot across processes', () => {
  it('keeps first-registration order and never lets an older row replace a newer one', async () => {
    await withStore(async (store, url) => {
      const other = await openStore(url);
      try {
        await store.upsertAgent(agent('first'));
        await other.upsertAgent(agent('second'));
        // Our own write lands after the other process's one we have not pulled yet.
        await store.upsertAgent(agent('third'));
        await store.recordHeartbeat('first', 9_000_000, 'healthy');
        await store.sync();
        expect([...store.listAgents()].map((a) => a.id)).toEqual(['first', 'second', 'third']);
        await other.sync();
        expect([...other.listAgents()].map((a) => a.id)).toEqual(['first', 'second', 'third']);
        expect(other.getAgent('first')).toMatchObject({ status: 'healthy', lastHeartbeat: 9_000_000 });
        // A write of the other process after ours, then ours again: each side ends on the newest.
        await other.recordHeartbeat('third', 10_000_000, 'healthy');
        await store.deleteAgent('second');
        await Promise.all([store.sync(), other.sync()]);
        for (const s of [store, other]) {
          expect([...s.listAgents()].map((a) => [a.id, a.lastHeartbeat])).toEqual([
            ['first', 9_000_000],
            ['third', 10_000_000],
          ]);
        }
      } finally {
        await other.close();
      }
    });
  });

  it('never answers a heartbeat with a document another process replaced, even before a pull', async () => {
    await withStore(async (store, url) => {
      const other = await openStore(url);
      try {
        await store.upsertAgent(agent('shared', { endpoint: 'http://old:1' }));
        await other.sync();
        await other.upsertAgent(agent('shared', { endpoint: 'http://new:2' }));
        // No pull in between: the heartbeat's own transaction must not trust the stale copy.
        const beaten = await store.recordHeartbeat('shared', 8_000_000, 'healthy');
        expect(beaten).toMatchObject({
          endpoint: 'http://new:2',
          lastHeartbeat: 8_000_000,
          status: 'healthy',
        });
        expect(store.getAgent('shared')).toMatchObject({
          endpoint: 'http://new:2',
          lastHeartbeat: 8_000_000,
        });
        await store.sync();
        expect(store.getAgent('shared')).toMatchObject({
          endpoint: 'http://new:2',
          lastHeartbeat: 8_000_000,
        });
      } finally {
        await other.close();
      }
    });
  });

  it("refuses, in the database, a registration of another entity's agent that a stale replica does not know of yet", async () => {
    await withStore(async (store, url) => {
      // A replica that has not pulled the owner's first registration yet (no background pulls).
      const stale = await openStoreWithoutBackgroundPulls(url);
      try {
        const owned = (entityId: string | undefined, endpoint: string) =>
          agent('owned', {
            endpoint,
            current: {
              runtime: 'python',
              version: '1.0.0',
              description: '',
              httpHost: 'agent',
              httpPort: 1,
              a2aProducer: false,
              a2aConsumer: false,
              fullHeartbeatAt: 1,
              ...(entityId === undefined ? {} : { entityId }),
            },
          });
        const registered = (id: string, at: number) => ({
          type: 'register' as const,
          agentId: id,
          agentName: id,
          functionName: '',
          at,
          data: { note: `registration at ${at}` },
        });
        written(
          await store.upsertAgent(owned('alpha', 'http://alpha:1'), { events: [registered('owned', 1)] }),
        );
        expect(stale.getAgent('owned')).toBeUndefined();
        // Another entity, then a caller without one: refused, nothing written, not even their events.
        for (const [entity, at] of [
          ['beta', 2],
          [undefined, 3],
        ] as const) {
          const outcome = await stale.upsertAgent(owned(entity, 'http://thief:9'), {
            events: [registered('owned', at)],
          });
          expect(outcome).toEqual({ refused: 'entity_mismatch' });
        }
        // The owner itself, through the stale replica: written.
        expect(written(await stale.upsertAgent(owned('alpha', 'http://alpha:2'))).isNew).toBe(false);
        await store.sync();
        expect(store.getAgent('owned')).toMatchObject({
          endpoint: 'http://alpha:2',
          current: { entityId: 'alpha' },
        });
        const events = await store.listEvents({ agentId: 'owned', limit: 10 });
        expect(events.map((e) => e.at)).toEqual([1]);
      } finally {
        await stale.close();
      }
    });
  });

  it('answers ensureFresh at once while the snapshot is under 1 s old, and pulls once it is older', async () => {
    await withStore(async (store, url) => {
      // A reader without background pulls: only ensureFresh can bring it another process's writes.
      const reader = await openStoreWithoutBackgroundPulls(url);
      try {
        await store.upsertAgent(agent('written-elsewhere'));
        // Loaded just now, so no pull: the write made since is not seen yet.
        await reader.ensureFresh();
        expect(reader.getAgent('written-elsewhere')).toBeUndefined();
        await new Promise((r) => setTimeout(r, 1100));
        await reader.ensureFresh();
        expect(reader.getAgent('written-elsewhere')).toMatchObject({ id: 'written-elsewhere' });
      } finally {
        await reader.close();
      }
    });
  });
});

describe('conditional deletion', () => {
  it('deletes only while the agent still has the given status and update time', async () => {
    await withStore(async (store) => {
      await store.upsertAgent(agent('gone', { status: 'unhealthy', updatedAt: 5 }));
      expect(await store.deleteAgent('gone', { status: 'unhealthy', updatedAt: 4 })).toBe(false);
      expect(await store.deleteAgent('gone', { status: 'healthy', updatedAt: 5 })).toBe(false);
      expect(store.getAgent('gone')).toBeDefined();
      expect(await store.deleteAgent('gone', { status: 'unhealthy', updatedAt: 5 })).toBe(true);
      expect(store.getAgent('gone')).toBeUndefined();
    });
  });
});
