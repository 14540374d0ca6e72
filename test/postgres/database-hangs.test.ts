import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { TEST_PASSWORD } from '../helpers/postgres-server.js';
import { runRegistry, spawnRegistry } from '../helpers/registry-process.js';
import { startStallingProxy } from '../helpers/stalling-proxy.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

// The registry's limits (src/storage/postgres/postgres-store.ts, docs/deploy.md "Failures").
const CONNECT_TIMEOUT_MS = 3000;
const STATEMENT_TIMEOUT_MS = 9_500;
/** The limit for a statement the server never answers (and for any store call). */
const QUERY_TIMEOUT_MS = 10_000;
/** Process start, scheduling on a busy machine. */
const SLACK_MS = 4000;

const register = (baseUrl: string, id: string) =>
  postJson(baseUrl, '/agents/register_with_metadata', { agent_id: id, metadata: {}, timestamp: 't' });

async function timed(request: Promise<HttpResponse>): Promise<{ res: HttpResponse; ms: number }> {
  const started = performance.now();
  const res = await request;
  return { res, ms: performance.now() - started };
}

async function pendingIds(baseUrl: string): Promise<string[]> {
  const res = await send(baseUrl, { path: '/agents?status=pending' });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { agents: Array<{ id: string }> }).agents.map((a) => a.id);
}

/** Polls until `request` answers `status`; fails after `limitMs`. */
async function until(request: () => Promise<HttpResponse>, status: number, limitMs: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const res = await request();
    if (res.status === status) return;
    if (performance.now() - started > limitMs) throw new Error(`still ${res.status} ${res.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectUnavailable(res: HttpResponse): void {
  expect(res.status).toBe(503);
  expect(JSON.parse(res.body).detail).toMatch(
    /^Registry database unavailable \(.+\); the registry reconnects/,
  );
  expect(res.headers['retry-after']).toBe('1');
}

describe('a PostgreSQL database that hangs instead of refusing', () => {
  it('ends the start within the connect timeout when the server accepts and never answers', async () => {
    await using silent = await startStallingProxy(1, { stalled: true });
    const started = performance.now();
    // sslmode=disable: one connection attempt. With the default (prefer) a silent server costs
    // two, TLS then plain text, each within the connect timeout (docs/deploy.md).
    const result = await runRegistry(['--port', '0'], {
      MCP_MESH_DATABASE_URL: `postgresql://mesh:${TEST_PASSWORD}@127.0.0.1:${silent.port}/mesh?sslmode=disable`,
    });
    const elapsed = performance.now() - started;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^❌ Failed to start registry service: Cannot open database postgresql:\/\/mesh:\*\*\*@127\.0\.0\.1:\d+\/mesh\?sslmode=disable: .*timeout/,
    );
    expect(result.stderr).not.toContain(TEST_PASSWORD);
    expect(elapsed).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
  }, 30_000);

  it('answers a write that waits on a lock 503 after the statement timeout, and recovers', async () => {
    const databaseUrl = await createPostgresDatabase(inject('postgresAdminUrl'));
    await using registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: databaseUrl,
      HEALTH_CHECK_INTERVAL: '3600',
    });
    expect((await register(registry.baseUrl, 'before')).status).toBe(201);

    // Another session holds the agents table: the registry's statements wait on it.
    const locker = new Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE mesh_agents IN ACCESS EXCLUSIVE MODE');
      const { res, ms } = await timed(register(registry.baseUrl, 'during'));
      expectUnavailable(res);
      expect(JSON.parse(res.body).detail).toContain('statement timeout');
      expect(ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 100);
      expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SLACK_MS);
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }

    // The lock is gone: writes go through again, and the refused one was not kept.
    expect((await register(registry.baseUrl, 'after')).status).toBe(201);
    expect(await pendingIds(registry.baseUrl)).toEqual(['before', 'after']);
  }, 40_000);

  it('answers 503 within the query timeout while the server stops answering mid-stream, and recovers', async () => {
    const admin = new URL(inject('postgresAdminUrl'));
    const direct = new URL(await createPostgresDatabase(admin.toString()));
    await using proxy = await startStallingProxy(Number(direct.port));
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    await using registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: viaProxy.toString(),
      HEALTH_CHECK_INTERVAL: '3600',
    });
    expect((await register(registry.baseUrl, 'before')).status).toBe(201);

    proxy.stall();
    // Held connections hear nothing and new ones get no answer: every request that needs the
    // database gives up within the client's query timeout instead of hanging.
    const readOnceStale = async () => {
      // Reads are served from the snapshot while it is less than 1 s old; after that they need the database.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      return timed(send(registry.baseUrl, { path: '/agents?status=pending' }));
    };
    const [write, read] = await Promise.all([timed(register(registry.baseUrl, 'during')), readOnceStale()]);
    expectUnavailable(write.res);
    expect(write.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);
    expectUnavailable(read.res);
    expect(read.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);
    // What needs no database still answers at once.
    const root = await timed(send(registry.baseUrl, { path: '/' }));
    expect(root.res.status).toBe(200);
    expect(root.ms).toBeLessThan(1000);

    proxy.resume();
    await until(() => send(registry.baseUrl, { path: '/agents?status=pending' }), 200, 10_000);
    expect((await register(registry.baseUrl, 'after')).status).toBe(201);
    expect(await pendingIds(registry.baseUrl)).toEqual(['before', 'after']);
  }, 60_000);
});
