/**
 * The event log, the schema catalogue and the drain flag, on this run's dialect: written in the
 * transactions of the agent writes they belong to, read from the database (so every process
 * sharing it serves them), and capped.
 */
import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/mesh/events.js';
import { openStore } from '../../src/storage/open-store.js';
import type { RegistryStore } from '../../src/storage/registry-store.js';
import { agent } from '../helpers/agent-record.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl, TEST_DIALECT } from '../helpers/test-database.js';

async function withStores(run: (store: RegistryStore, other: RegistryStore) => Promise<void>): Promise<void> {
  using dir = tempDir();
  const url = await freshDatabaseUrl(dir.path, 'store.db');
  const store = await openStore(url);
  const other = await openStore(url);
  try {
    await run(store, other);
  } finally {
    await other.close();
    await store.close();
  }
}

function event(
  type: MeshEvent['type'],
  agentId: string,
  at: number,
  extra: Partial<MeshEvent> = {},
): MeshEvent {
  return {
    type,
    agentId,
    agentName: `${agentId}-name`,
    functionName: '',
    at,
    data: { z: 1, a: 'x' },
    ...extra,
  };
}

describe(`the ${TEST_DIALECT} event log`, () => {
  it('writes a registration event with its agent, and every process reads it newest first', async () => {
    await withStores(async (store, other) => {
      await store.upsertAgent(agent('a'), { events: [event('register', 'a', 10)] });
      await store.upsertAgent(agent('b'), { events: [event('register', 'b', 20)] });
      await store.appendEvents([event('dependency_resolved', 'a', 30, { functionName: 'greet' })]);
      const events = await other.listEvents({ limit: 10 });
      expect(events.map((e) => [e.type, e.agentId, e.functionName, e.at])).toEqual([
        ['dependency_resolved', 'a', 'greet', 30],
        ['register', 'b', '', 20],
        ['register', 'a', '', 10],
      ]);
      // Data keys sorted, as the upstream registry writes a map.
      expect(Object.keys(events[0]!.data)).toEqual(['a', 'z']);
      expect(events[0]!.agentName).toBe('a-name');
    });
  });

  it('filters by type, agent and function, and limits', async () => {
    await withStores(async (store) => {
      await store.appendEvents([
        event('register', 'a', 1),
        event('register', 'b', 2),
        event('dependency_resolved', 'a', 3, { functionName: 'f' }),
        event('dependency_unresolved', 'a', 4, { functionName: 'g' }),
      ]);
      const ids = (events: Awaited<ReturnType<RegistryStore['listEvents']>>) => events.map((e) => e.at);
      expect(ids(await store.listEvents({ type: 'register', limit: 10 }))).toEqual([2, 1]);
      expect(ids(await store.listEvents({ agentId: 'a', limit: 10 }))).toEqual([4, 3, 1]);
      expect(ids(await store.listEvents({ functionName: 'f', limit: 10 }))).toEqual([3]);
      expect(ids(await store.listEvents({ agentId: 'a', type: 'register', limit: 10 }))).toEqual([1]);
      expect(ids(await store.listEvents({ limit: 2 }))).toEqual([4, 3]);
    });
  });

  it('logs a status change only if it applied', async () => {
    await withStores(async (store) => {
      await store.upsertAgent(agent('a'));
      await store.recordHeartbeat('a', 2_000_000, 'healthy');
      const change = {
        id: 'a',
        fromStatus: 'healthy' as const,
        lastHeartbeat: 2_000_000,
        toStatus: 'unhealthy' as const,
        at: 3_000_000,
      };
      const stale = { ...change, lastHeartbeat: 1, event: event('unhealthy', 'a', 3_000_000) };
      expect(await store.applyStatusChanges([stale])).toEqual([]);
      expect(await store.listEvents({ limit: 10 })).toEqual([]);
      const fresh = { ...change, event: event('unhealthy', 'a', 3_000_000) };
      expect(await store.applyStatusChanges([fresh])).toHaveLength(1);
      // Applied twice (another replica's sweep): the second neither applies nor logs.
      expect(await store.applyStatusChanges([fresh])).toEqual([]);
      expect((await store.listEvents({ limit: 10 })).map((e) => e.type)).toEqual(['unhealthy']);
    });
  });

  it('logs a deletion only for an agent that exists', async () => {
    await withStores(async (store) => {
      await store.upsertAgent(agent('a'));
      expect(await store.deleteAgent('a', undefined, event('unregister', 'a', 5))).toBe(true);
      expect(await store.deleteAgent('ghost', undefined, event('unregister', 'ghost', 6))).toBe(false);
      expect((await store.listEvents({ limit: 10 })).map((e) => e.agentId)).toEqual(['a']);
    });
  });

  it('rotates healthy agents only: their topology time moves and each gets one rotate event', async () => {
    await withStores(async (store, other) => {
      await store.upsertAgent(agent('up', { status: 'healthy' }));
      await store.upsertAgent(agent('down', { status: 'unhealthy' }));
      const rotated = await store.rotateAgents(
        [
          { id: 'up', event: event('rotate', 'up', 0) },
          { id: 'down', event: event('rotate', 'down', 0) },
        ],
        7_000_000,
      );
      expect(rotated).toEqual(['up']);
      expect(store.getAgent('up')?.topologyAt).toBe(7_000_000);
      const events = await store.listEvents({ limit: 10 });
      expect(events.map((e) => [e.type, e.agentId, e.at])).toEqual([['rotate', 'up', 7_000_000]]);
      await other.sync();
      expect(other.getAgent('up')?.topologyAt).toBe(7_000_000);
    });
  });

  it('keeps the newest events when trimmed', async () => {
    await withStores(async (store) => {
      await store.appendEvents(Array.from({ length: 12 }, (_, i) => event('register', `a${i}`, i)));
      await store.trimEvents(5);
      const events = await store.listEvents({ limit: 100 });
      expect(events.map((e) => e.at)).toEqual([11, 10, 9, 8, 7]);
    });
  });

  it('keeps event data exactly, NUL included', async () => {
    await withStores(async (store) => {
      await store.upsertAgent(agent('a'), {
        events: [event('register', 'a', 1, { data: { nul: '\u0000' } })],
      });
      const [first] = await store.listEvents({ limit: 1 });
      expect(first?.data).toEqual({ nul: '\u0000' });
    });
  });
});

describe(`the ${TEST_DIALECT} schema catalogue and drain flag`, () => {
  it('keeps a schema once per hash, as first received, for every process', async () => {
    await withStores(async (store, other) => {
      const first = {
        hash: 'sha256:aa',
        canonical: '{"type":"object"}',
        runtimeOrigin: 'python',
        createdAt: 1,
      };
      await store.upsertAgent(agent('a'), { schemas: [first] });
      await store.upsertAgent(agent('b'), {
        schemas: [
          { ...first, canonical: '{"type":"string"}', runtimeOrigin: 'java', createdAt: 2 },
          { hash: 'sha256:bb', canonical: '{}', runtimeOrigin: 'python', createdAt: 3 },
        ],
      });
      expect(await other.getSchema('sha256:aa')).toEqual(first);
      expect(await other.getSchema('sha256:zz')).toBeUndefined();
      expect((await other.listSchemas(10)).map((s) => s.hash)).toEqual(['sha256:bb', 'sha256:aa']);
      expect((await other.listSchemas(1)).map((s) => s.hash)).toEqual(['sha256:bb']);
    });
  });

  it('shares the drain flag between processes', async () => {
    await withStores(async (store, other) => {
      expect(await other.isDraining()).toBe(false);
      await store.setDraining(true);
      expect(await other.isDraining()).toBe(true);
      await other.setDraining(false);
      expect(await store.isDraining()).toBe(false);
    });
  });
});
