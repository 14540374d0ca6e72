import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { REPO_ROOT, type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A clock step between two runs of the registry on one SQLite file: the second run's clock is an
 * hour behind (then an hour ahead of) the times the first one stored. Preloaded shift:
 * test/fixtures/clock-shift.mjs. The timeout is 3 s, sweeps every 0.5 s, no endpoint probes: the
 * timeout alone decides.
 */
const SHIFT_MODULE = join(REPO_ROOT, 'test', 'fixtures', 'clock-shift.mjs');
const HOUR_MS = 3_600_000;
const ENV = {
  DEFAULT_TIMEOUT_THRESHOLD: '3',
  HEALTH_CHECK_INTERVAL: '0.5',
  MCP_MESH_HEARTBEAT_PROBE_AFTER: '0',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startShifted(databaseUrl: string, shiftMs: number): Promise<RegistryProcess> {
  return spawnRegistry(undefined, {
    ...ENV,
    MCP_MESH_DATABASE_URL: databaseUrl,
    MESH_TEST_CLOCK_SHIFT_MS: String(shiftMs),
    NODE_OPTIONS: `--import=${SHIFT_MODULE}`,
  });
}

async function statusOf(registry: RegistryProcess, id: string): Promise<string | undefined> {
  const { body } = await send(registry.baseUrl, { path: '/agents' });
  return (JSON.parse(body) as { agents: { id: string; status: string }[] }).agents.find((a) => a.id === id)
    ?.status;
}

/**
 * For `ms`, HEADs `live` every 300 ms (the answers: 410 would mean it was marked unhealthy; 202,
 * that the topology moved, can follow a step) and notes when
 * `dead` turned unhealthy, in ms after the start.
 */
async function watch(registry: RegistryProcess, live: string, dead: string, ms: number) {
  const started = Date.now();
  const liveAnswers = new Set<number>();
  let deadAfter: number | undefined;
  while (Date.now() - started < ms) {
    liveAnswers.add((await send(registry.baseUrl, { method: 'HEAD', path: `/heartbeat/${live}` })).status);
    if (deadAfter === undefined && (await statusOf(registry, dead)) === 'unhealthy') {
      deadAfter = Date.now() - started;
    }
    await sleep(300);
  }
  return { liveAnswers: [...liveAnswers], deadAfter };
}

describe('a registry that could not run', () => {
  it('paused (SIGSTOP) for twice the timeout, judges nobody for the heartbeats it could not take', {
    timeout: 60_000,
  }, async () => {
    using dir = tempDir('mesh-paused-');
    await using registry = await startShifted(`sqlite://${join(dir.path, 'paused.db')}`, 0);
    const ids = ['live-1a', 'live-2b', 'live-3c'];
    for (const id of ids) {
      expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody(id))).status).toBe(200);
    }
    const pid = registry.child.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(6_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // The agents' HEADs right after it resumes find them alive, and they stay so while they beat.
    const seen = await Promise.all(ids.map((id) => watch(registry, id, 'none', 4_000)));
    for (const { liveAnswers } of seen) expect(liveAnswers).toEqual([200]);
    expect(registry.stdout() + registry.stderr()).toContain('every agent gets a fresh timeout');
  });
});

describe('a clock step between runs of the registry', () => {
  it('neither blocks sweeps, nor marks live agents unhealthy, nor keeps dead ones past one timeout', {
    timeout: 120_000,
  }, async () => {
    using dir = tempDir('mesh-clock-step-');
    const databaseUrl = `sqlite://${join(dir.path, 'step.db')}`;
    {
      await using first = await startShifted(databaseUrl, 0);
      for (const id of ['live-1a', 'dead-2b']) {
        expect((await postJson(first.baseUrl, '/heartbeat', heartbeatBody(id))).status).toBe(200);
      }
    }

    // Stepped back an hour: every stored time (heartbeats, the sweep's claim) is in the future.
    {
      await using behind = await startShifted(databaseUrl, -HOUR_MS);
      const seen = await watch(behind, 'live-1a', 'dead-2b', 7_000);
      expect(seen.liveAnswers).not.toContain(410);
      // Within one timeout of the start (and a sweep period and a poll of margin).
      expect(seen.deadAfter).toBeDefined();
      expect(seen.deadAfter!).toBeLessThan(3_000 + 1_500);
      expect((await postJson(behind.baseUrl, '/heartbeat', heartbeatBody('dead-3c'))).status).toBe(200);
    }

    // Stepped forward two hours from there: every stored time looks two hours old.
    {
      await using ahead = await startShifted(databaseUrl, HOUR_MS);
      const early = await watch(ahead, 'live-1a', 'dead-3c', 1_500);
      expect(early.liveAnswers).not.toContain(410);
      // Not before its timeout: the time the registry was not running does not count.
      expect(early.deadAfter).toBeUndefined();
      const seen = await watch(ahead, 'live-1a', 'dead-3c', 5_000);
      expect(seen.liveAnswers).not.toContain(410);
      expect(seen.deadAfter).toBeDefined();
    }
  });
});
