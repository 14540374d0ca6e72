import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { postJson, send } from '../helpers/http-request.js';
import { runPg, startPostgres } from '../helpers/postgres-server.js';
import { startRegistry } from '../helpers/registry-app.js';
import { startStallingProxy } from '../helpers/stalling-proxy.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

// A failover to a copy that lags (an asynchronous standby promoted, a restore): the copy is a
// pg_basebackup of the test cluster, started on the same port once the cluster is stopped. The
// replicas must follow the database, not their memory of it.

const register = (baseUrl: string, id: string) =>
  postJson(baseUrl, '/agents/register_with_metadata', {
    agent_id: id,
    metadata: { name: id, capabilities: [{ name: `cap_${id}`, version: '1.0.0' }] },
    timestamp: 't',
  });

async function listedIds(baseUrl: string): Promise<string[] | undefined> {
  const res = await send(baseUrl, { path: '/agents?status=pending' });
  if (res.status !== 200) return undefined;
  return (JSON.parse(res.body) as { agents: { id: string }[] }).agents.map((agent) => agent.id).sort();
}

/** Milliseconds until `check` holds, polled every 50 ms; fails after `limitMs`. */
async function msUntil(check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check().catch(() => false)) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The promise is 2 s after the failover and 1 s between replicas; the rest is a busy machine's. */
const SLACK_MS = 1500;

describe('PostgreSQL fails over to a copy that lags', () => {
  it('every replica lists what the new database holds within 2 s, and writes flow between them', async () => {
    await using server = await startPostgres();
    const databaseUrl = await createPostgresDatabase(server.adminUrl);
    await using a = await startRegistry({ databaseUrl, env: { HEALTH_CHECK_INTERVAL: '3600' } });
    await using b = await startRegistry({ databaseUrl, env: { HEALTH_CHECK_INTERVAL: '3600' } });
    for (const id of ['kept-1', 'kept-2']) expect((await register(a.baseUrl, id)).status).toBe(201);

    // The copy: everything so far.
    const copy = join(server.dir, 'copy');
    runPg(
      'pg_basebackup',
      [
        '-D',
        copy,
        '-h',
        server.dir,
        '-p',
        String(server.port),
        '-U',
        'postgres',
        '-X',
        'stream',
        '-c',
        'fast',
      ],
      server.dir,
    );

    // Written after the copy was taken: the failover loses them (an asynchronous standby's lag).
    for (const id of ['lost-1', 'lost-2', 'lost-3']) expect((await register(a.baseUrl, id)).status).toBe(201);
    for (const id of ['lost-4', 'lost-5']) expect((await register(b.baseUrl, id)).status).toBe(201);
    const before = ['kept-1', 'kept-2', 'lost-1', 'lost-2', 'lost-3', 'lost-4', 'lost-5'];
    for (const replica of [a, b]) {
      await msUntil(
        async () => JSON.stringify(await listedIds(replica.baseUrl)) === JSON.stringify(before),
        5000,
      );
    }

    server.stop();
    const options = `-p ${server.port} -k ${server.dir} -c listen_addresses='127.0.0.1' -c fsync=off`;
    runPg(
      'pg_ctl',
      ['-D', copy, '-l', join(server.dir, 'copy.log'), '-o', options, '-w', 'start'],
      server.dir,
    );
    try {
      const holds = ['kept-1', 'kept-2'];
      const msA = await msUntil(
        async () => JSON.stringify(await listedIds(a.baseUrl)) === JSON.stringify(holds),
        10_000,
      );
      const msB = await msUntil(
        async () => JSON.stringify(await listedIds(b.baseUrl)) === JSON.stringify(holds),
        10_000,
      );
      expect(Math.max(msA, msB)).toBeLessThan(2000 + SLACK_MS);
      // An agent the database lost is gone everywhere: its heartbeat is not a 404 beside a listing.
      expect((await send(a.baseUrl, { path: '/health/lost-1' })).status).toBe(404);

      // Writes through either replica show on the other within 1 s, though the new database's
      // revisions are below those the replicas saw before.
      expect((await register(a.baseUrl, 'new-a')).status).toBe(201);
      const toB = await msUntil(async () => (await listedIds(b.baseUrl))?.includes('new-a') === true, 5000);
      expect(toB).toBeLessThan(1000 + SLACK_MS);
      expect((await register(b.baseUrl, 'new-b')).status).toBe(201);
      const toA = await msUntil(async () => (await listedIds(a.baseUrl))?.includes('new-b') === true, 5000);
      expect(toA).toBeLessThan(1000 + SLACK_MS);
      expect(await listedIds(a.baseUrl)).toEqual(['kept-1', 'kept-2', 'new-a', 'new-b']);
      expect(await listedIds(b.baseUrl)).toEqual(['kept-1', 'kept-2', 'new-a', 'new-b']);
      expect(readFileSync(join(server.dir, 'copy.log'), 'utf8')).toContain('ready to accept connections');
    } finally {
      await Promise.resolve(a[Symbol.asyncDispose]()).catch(() => {});
      await Promise.resolve(b[Symbol.asyncDispose]()).catch(() => {});
      runPg('pg_ctl', ['-D', copy, '-m', 'fast', '-w', 'stop'], server.dir);
    }
  }, 120_000);
});

describe('PostgreSQL comes back after the connection was lost', () => {
  it('reloads what the database holds, not only what changed since the revision seen before', async () => {
    const direct = new URL(await createPostgresDatabase(inject('postgresAdminUrl')));
    await using proxy = await startStallingProxy(Number(direct.port));
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    await using registry = await startRegistry({
      databaseUrl: viaProxy.toString(),
      env: { HEALTH_CHECK_INTERVAL: '3600' },
    });
    for (const id of ['kept', 'restored-away'])
      expect((await register(registry.baseUrl, id)).status).toBe(201);

    proxy.stall();
    // Until the replica has given up on the database (its pulls fail)...
    await msUntil(
      async () => (await send(registry.baseUrl, { path: '/agents?status=pending' })).status === 503,
      20_000,
    );
    // ...the database is put back to an older state behind its back, revision and all (a restore
    // into the same server: no new incarnation, no tombstone, no new revision).
    const admin = new Client({ connectionString: direct.toString() });
    await admin.connect();
    try {
      await admin.query(`DELETE FROM mesh_agents WHERE id = 'restored-away'`);
    } finally {
      await admin.end();
    }
    proxy.resume();

    const ms = await msUntil(
      async () => JSON.stringify(await listedIds(registry.baseUrl)) === '["kept"]',
      10_000,
    );
    expect(ms).toBeLessThan(2000 + SLACK_MS);
  }, 60_000);
});
