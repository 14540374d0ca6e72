import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { startRegistry } from '../helpers/registry-app.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

// A PostgreSQL server that is frozen (SIGSTOP on the postmaster and every backend: a hung host,
// a stalled volume), not one that refuses connections. The documented limits are the real ones.

/** docs/deploy.md: a statement (or a connection) gets no more than this before the 503. */
const STATEMENT_TIMEOUT_MS = 10_000;
/** `/health` answers within this even when the database does not (the chart's probe allows 3 s). */
const HEALTH_TIMEOUT_MS = 2000;
/** Scheduling on a busy machine. */
const SLACK_MS = 1500;

const register = (baseUrl: string, id: string) =>
  postJson(baseUrl, '/agents/register_with_metadata', { agent_id: id, metadata: {}, timestamp: 't' });

async function timed(request: Promise<HttpResponse>): Promise<{ res: HttpResponse; ms: number }> {
  const started = performance.now();
  const res = await request;
  return { res, ms: performance.now() - started };
}

/** The postmaster (first line of postmaster.pid) and every process it started. */
function serverProcesses(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Field 4, after the command in parentheses: the parent's pid.
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function expectUnavailable(res: HttpResponse): void {
  expect(res.status, res.body).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(JSON.parse(res.body).detail).toMatch(
    /^Registry database unavailable \(.+\); the registry reconnects/,
  );
}

describe('a frozen PostgreSQL server (SIGSTOP)', () => {
  it('answers writes and reads 503 within the statement timeout and /health within 2 s, then recovers', async () => {
    await using server = await startPostgres();
    const databaseUrl = await createPostgresDatabase(server.adminUrl);
    await using registry = await startRegistry({ databaseUrl, env: { HEALTH_CHECK_INTERVAL: '3600' } });
    expect((await register(registry.baseUrl, 'before')).status).toBe(201);

    const frozen = serverProcesses(join(server.dir, 'data'));
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      // Two writes, the second queued behind the first: each answers within the limit.
      const writes = await Promise.all([
        timed(register(registry.baseUrl, 'during-1')),
        new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
          timed(register(registry.baseUrl, 'during-2')),
        ),
      ]);
      for (const write of writes) {
        expectUnavailable(write.res);
        expect(write.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SLACK_MS);
      }
      const read = await timed(send(registry.baseUrl, { path: '/agents?status=pending' }));
      expectUnavailable(read.res);
      expect(read.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SLACK_MS);

      const health = await timed(send(registry.baseUrl, { path: '/health' }));
      expect(health.res.status).toBe(503);
      expect(health.res.headers['retry-after']).toBe('1');
      expect(health.ms).toBeLessThan(HEALTH_TIMEOUT_MS + SLACK_MS);
      const head = await timed(send(registry.baseUrl, { method: 'HEAD', path: '/health' }));
      expect(head.res.status).toBe(503);
      expect(head.res.headers['retry-after']).toBe('1');
      expect(head.ms).toBeLessThan(HEALTH_TIMEOUT_MS + SLACK_MS);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }

    // Thawed: writes go through again without a restart.
    const started = performance.now();
    for (;;) {
      const res = await register(registry.baseUrl, 'after');
      if (res.status === 201) break;
      expect(performance.now() - started).toBeLessThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await send(registry.baseUrl, { path: '/health' })).status).toBe(200);
  }, 120_000);
});
