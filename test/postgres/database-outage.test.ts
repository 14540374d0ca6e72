import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { type PostgresServer, startPostgres, TEST_PASSWORD } from '../helpers/postgres-server.js';
import { type RegistryProcess, runRegistry, spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

// This test stops its database, so it has a cluster of its own, not the run's shared one.
let server: PostgresServer;
let databaseUrl: string;
beforeAll(async () => {
  server = await startPostgres();
  databaseUrl = await createPostgresDatabase(server.adminUrl);
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

const register = (baseUrl: string, id: string) =>
  postJson(baseUrl, '/agents/register_with_metadata', { agent_id: id, metadata: {}, timestamp: 't' });

/** Polls `request` every 50 ms until `isDone` holds; fails after `limitMs`. */
async function until(
  request: () => Promise<HttpResponse>,
  isDone: (res: HttpResponse) => boolean,
  limitMs: number,
): Promise<HttpResponse> {
  const started = Date.now();
  for (;;) {
    const res = await request();
    if (isDone(res)) return res;
    if (Date.now() - started > limitMs) throw new Error(`last answer ${res.status} ${res.body}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('losing the PostgreSQL database', () => {
  let registry: RegistryProcess;
  afterAll(async () => {
    await registry?.[Symbol.asyncDispose]();
  });

  it('answers 503 with a clear message while it is away, and recovers by itself when it returns', async () => {
    registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: databaseUrl,
      HEALTH_CHECK_INTERVAL: '0.5',
    });
    const url = registry.baseUrl;
    expect((await register(url, 'before')).status).toBe(201);
    expect((await postJson(url, '/heartbeat', { agent_id: 'before' })).status).toBe(200);

    server.stop();
    // Within about a second (the staleness limit) every read and write answers 503.
    const first = await until(
      () => send(url, { path: '/agents' }),
      (res) => res.status === 503,
      3000,
    );
    expect(JSON.parse(first.body).detail).toMatch(
      /^Registry database unavailable \(.+\); the registry reconnects/,
    );
    expect(first.headers['retry-after']).toBe('1');
    const answers = await Promise.all([
      register(url, 'during'),
      postJson(url, '/heartbeat', { agent_id: 'before' }),
      postJson(url, '/heartbeat', { agent_id: 'x', tools: [] }),
      send(url, { path: '/capabilities' }),
      send(url, { path: '/health/before' }),
      send(url, { path: '/metrics' }),
      send(url, { method: 'HEAD', path: '/heartbeat/before' }),
      send(url, { method: 'DELETE', path: '/agents/before' }),
      send(url, { path: '/agents?index=0&wait=5s' }),
      send(url, { path: '/events/stream' }),
      send(url, { path: '/health' }),
    ]);
    expect(answers.map((res) => res.status)).toEqual(Array(answers.length).fill(503));
    expect(JSON.parse(answers[0]!.body).detail).toMatch(/^Registry database unavailable/);
    expect(JSON.parse(answers.at(-1)!.body).detail).toMatch(
      /^Service unhealthy: Registry database unavailable/,
    );
    // What needs no database still answers, the dashboard's files too (its page then shows the 503).
    expect((await send(url, { path: '/' })).status).toBe(200);
    expect((await send(url, { path: '/ui' })).status).toBe(200);
    expect((await send(url, { path: '/ui/dashboard.js' })).status).toBe(200);

    server.start();
    await until(
      () => send(url, { path: '/agents' }),
      (res) => res.status === 200,
      10_000,
    );
    expect((await register(url, 'after')).status).toBe(201);
    expect((await postJson(url, '/heartbeat', { agent_id: 'after' })).status).toBe(200);
    const listed = JSON.parse((await send(url, { path: '/agents' })).body);
    expect(listed.agents.map((a: { id: string }) => a.id)).toEqual(['before', 'after']);
    expect((await send(url, { path: '/health' })).status).toBe(200);

    // The outage was logged once, without the password.
    const output = registry.stdout() + registry.stderr();
    expect(output).toContain('database unreachable');
    expect(output).toContain('database reachable again');
    expect(output).not.toContain(TEST_PASSWORD);
  });

  it('refuses to start without its database, naming it without the password', async () => {
    server.stop();
    try {
      const result = await runRegistry(['--port', '0'], { MCP_MESH_DATABASE_URL: databaseUrl });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^❌ Failed to start registry service: Cannot open database postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/mesh_\w+: .*ECONNREFUSED/,
      );
      expect(result.stderr).toContain('Check that PostgreSQL is running');
      expect(result.stdout + result.stderr).not.toContain(TEST_PASSWORD);
    } finally {
      server.start();
    }
  });

  it('names a wrong password without printing it', async () => {
    const wrong = databaseUrl.replace(TEST_PASSWORD, 'not-the-password');
    const result = await runRegistry(['--port', '0'], { MCP_MESH_DATABASE_URL: wrong });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('password authentication failed for user "postgres"');
    expect(result.stdout + result.stderr).not.toContain('not-the-password');
  });
});
