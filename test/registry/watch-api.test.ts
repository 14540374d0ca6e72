/**
 * The watch API's blocking query, Consul style: `GET /agents?index=N&wait=…` answers at once when
 * the registry index is above N, else when it moves past N or the wait runs out, with the index
 * in `X-Mesh-Index`; bad values are refused with the listing's 422; a replica's blocking query
 * returns when another replica writes; closing the registry answers every waiting query at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexWatch, MAX_WATCHES } from '../../src/registry/current-api/index-watch.js';
import { openStore } from '../../src/storage/open-store.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl } from '../helpers/test-database.js';

const indexOf = (response: HttpResponse) => Number(response.headers['x-mesh-index']);
const agentIds = (response: HttpResponse) =>
  (JSON.parse(response.body) as { agents: { id: string }[] }).agents.map((agent) => agent.id);

/** Starts a request and measures how long its answer takes. */
async function timed(request: Promise<HttpResponse>): Promise<{ response: HttpResponse; ms: number }> {
  const started = performance.now();
  const response = await request;
  return { response, ms: performance.now() - started };
}

describe('GET /agents as a blocking query', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.[Symbol.asyncDispose]();
  });

  it('names the index in X-Mesh-Index on every listing, and a write moves it up', async () => {
    const before = await send(registry.baseUrl, { path: '/agents' });
    expect(before.status).toBe(200);
    expect(before.headers['x-mesh-index']).toMatch(/^\d+$/);
    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('first-0a0a0a0a'))).status).toBe(
      200,
    );
    const after = await send(registry.baseUrl, { path: '/agents' });
    expect(indexOf(after)).toBeGreaterThan(indexOf(before));
  });

  it('answers at once when the index is already above the one asked for', async () => {
    const current = indexOf(await send(registry.baseUrl, { path: '/agents' }));
    const { response, ms } = await timed(
      send(registry.baseUrl, { path: `/agents?index=${current - 1}&wait=20s` }),
    );
    expect(response.status).toBe(200);
    expect(indexOf(response)).toBe(current);
    expect(ms).toBeLessThan(5000);
  });

  it('waits for a change after the index, then answers with it', async () => {
    const current = indexOf(await send(registry.baseUrl, { path: '/agents' }));
    const waiting = timed(send(registry.baseUrl, { path: `/agents?index=${current}&wait=20s` }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(registry.app.indexWatch.size).toBe(1);
    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('second-1b1b1b1b'))).status).toBe(
      200,
    );
    const { response, ms } = await waiting;
    expect(response.status).toBe(200);
    expect(indexOf(response)).toBeGreaterThan(current);
    expect(agentIds(response)).toContain('second-1b1b1b1b');
    // Well before the 20 s wait: the write woke it.
    expect(ms).toBeLessThan(10_000);
    expect(registry.app.indexWatch.size).toBe(0);
  });

  it('answers with the same index when the wait runs out with no change', async () => {
    const current = indexOf(await send(registry.baseUrl, { path: '/agents' }));
    const { response, ms } = await timed(
      send(registry.baseUrl, { path: `/agents?index=${current}&wait=700ms` }),
    );
    expect(response.status).toBe(200);
    expect(indexOf(response)).toBe(current);
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(registry.app.indexWatch.size).toBe(0);
  });

  it('refuses bad index and wait values with the listing 422 (pydantic items)', async () => {
    const detail = async (query: string) => {
      const response = await send(registry.baseUrl, { path: `/agents?${query}` });
      expect(response.status).toBe(422);
      return (JSON.parse(response.body) as { detail: unknown }).detail;
    };
    expect(await detail('index=abc')).toEqual([
      {
        type: 'int_parsing',
        loc: ['query', 'index'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: 'abc',
      },
    ]);
    expect(await detail('index=-1')).toEqual([
      {
        type: 'greater_than_equal',
        loc: ['query', 'index'],
        msg: 'Input should be greater than or equal to 0',
        input: '-1',
      },
    ]);
    const badWait = {
      type: 'value_error',
      loc: ['query', 'wait'],
      msg: 'Value error, wait must be a duration such as 500ms, 30s or 5m',
      input: '30',
      ctx: { error: 'wait must be a duration such as 500ms, 30s or 5m' },
    };
    expect(await detail('index=1&wait=30')).toEqual([badWait]);
    expect(await detail('index=1&wait=11m')).toEqual([
      {
        type: 'value_error',
        loc: ['query', 'wait'],
        msg: 'Value error, wait must be at most 10m',
        input: '11m',
        ctx: { error: 'wait must be at most 10m' },
      },
    ]);
    expect(await detail('index=x&wait=30')).toEqual([
      expect.objectContaining({ type: 'int_parsing' }),
      badWait,
    ]);
  });

  it('gives a caller that leaves its place back at once', async () => {
    const current = indexOf(await send(registry.baseUrl, { path: '/agents' }));
    const controller = new AbortController();
    const leaving = fetch(`${registry.baseUrl}/agents?index=${current}&wait=20s`, {
      signal: controller.signal,
    }).catch(() => undefined);
    await expect.poll(() => registry.app.indexWatch.size, { timeout: 5000 }).toBe(1);
    controller.abort();
    await leaving;
    await expect.poll(() => registry.app.indexWatch.size, { timeout: 5000 }).toBe(0);
  });
});

describe('the bound on open watches', () => {
  it('answers 429 past MAX_WATCHES open at once (blocking queries and streams alike), and frees them', async () => {
    await using registry = await startRegistry();
    const current = indexOf(await send(registry.baseUrl, { path: '/agents' }));
    const waiting = Array.from({ length: MAX_WATCHES }, () =>
      send(registry.baseUrl, { path: `/agents?index=${current}&wait=60s` }),
    );
    await expect
      .poll(() => registry.app.indexWatch.size, { timeout: 20_000, interval: 100 })
      .toBe(MAX_WATCHES);
    const refused = await send(registry.baseUrl, { path: `/agents?index=${current}&wait=60s` });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body)).toEqual({
      detail: 'Too many blocking queries and event streams are open; retry shortly',
    });
    expect((await send(registry.baseUrl, { path: '/events/stream' })).status).toBe(429);
    // A plain listing is no watch: still served.
    expect((await send(registry.baseUrl, { path: '/agents' })).status).toBe(200);
    // One write answers every waiting query, and their places are free again.
    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('crowd-4e4e4e4e'))).status).toBe(
      200,
    );
    const answers = await Promise.all(waiting);
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200]));
    expect(registry.app.indexWatch.size).toBe(0);
  });
});

describe('blocking queries on closing and across replicas', () => {
  it('answers a waiting query at once when the registry closes', async () => {
    await using registry = await startRegistry();
    const current = indexOf(await send(registry.baseUrl, { path: '/agents' }));
    const waiting = timed(send(registry.baseUrl, { path: `/agents?index=${current}&wait=60s` }));
    await expect.poll(() => registry.app.indexWatch.size, { timeout: 5000 }).toBe(1);
    const closed = registry.app.close();
    const { response, ms } = await waiting;
    await closed;
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(20_000);
  });

  it("returns on one replica when another replica writes, with the writer's index", async () => {
    await using first = await startRegistry();
    await using second = await startRegistry({ databaseUrl: first.databaseUrl });
    const current = indexOf(await send(second.baseUrl, { path: '/agents' }));
    const waiting = timed(send(second.baseUrl, { path: `/agents?index=${current}&wait=30s` }));
    await expect.poll(() => second.app.indexWatch.size, { timeout: 5000 }).toBe(1);
    const written = await postJson(first.baseUrl, '/heartbeat', heartbeatBody('remote-2c2c2c2c'));
    expect(written.status).toBe(200);
    const { response, ms } = await waiting;
    expect(agentIds(response)).toContain('remote-2c2c2c2c');
    // The replicas share one index: the database revision.
    const firstIndex = indexOf(await send(first.baseUrl, { path: '/agents' }));
    expect(indexOf(response)).toBe(firstIndex);
    expect(ms).toBeLessThan(15_000);
  });
});

describe('IndexWatch', () => {
  it('holds at most its capacity of watches, and none once they end', async () => {
    const dir = tempDir('mesh-watch-');
    const store = await openStore(await freshDatabaseUrl(dir.path));
    try {
      const watch = new IndexWatch(store, 2);
      expect([watch.enter(), watch.enter(), watch.enter()]).toEqual([true, true, false]);
      watch.leave();
      expect(watch.enter()).toBe(true);
      watch.leave();
      watch.leave();
      expect(watch.size).toBe(0);
      // A wait that ran out leaves nothing behind; closing ends a wait and refuses new places.
      expect(await watch.waitAbove(store.index, 50, new AbortController().signal)).toBe(store.index);
      const pending = watch.waitAbove(store.index, 60_000, new AbortController().signal);
      watch.close();
      expect(await pending).toBe(store.index);
      expect(watch.enter()).toBe(false);
    } finally {
      await store.close();
      dir[Symbol.dispose]();
    }
  });
});
