import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js';
import { REPO_ROOT, type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
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

/** A 3 s timeout, sweeps every 0.5 s, no endpoint probes: the timeout alone decides. */
const ENV = {
  DEFAULT_TIMEOUT_THRESHOLD: '3',
  HEALTH_CHECK_INTERVAL: '0.5',
  MCP_MESH_HEARTBEAT_PROBE_AFTER: '0',
};
const LIVE = Array.from({ length: 20 }, (_, i) => `live-${String(i).padStart(2, '0')}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function statuses(registry: RegistryProcess): Promise<Map<string, string>> {
  const res = await send(registry.baseUrl, { path: '/agents' });
  if (res.status !== 200) return new Map();
  const agents = (JSON.parse(res.body) as { agents: { id: string; status: string }[] }).agents;
  return new Map(agents.map((a) => [a.id, a.status]));
}

describe('an outage of the database longer than the timeout', () => {
  it('does not count against agents: none is marked unhealthy for heartbeats it could not send; a dead one still goes, the same on both replicas', {
    timeout: 120_000,
  }, async () => {
    await using a = await spawnRegistry(undefined, { ...ENV, MCP_MESH_DATABASE_URL: databaseUrl });
    await using b = await spawnRegistry(undefined, { ...ENV, MCP_MESH_DATABASE_URL: databaseUrl });
    for (const id of [...LIVE, 'dead-1a']) {
      expect((await postJson(a.baseUrl, '/heartbeat', heartbeatBody(id))).status).toBe(200);
    }
    // Both replicas know them (a replica's snapshot follows the database within 1 s).
    await sleep(1500);
    // Simulated agents: a HEAD every second, as the SDK does every 5 s with its 20 s timeout,
    // through either replica; 503s while the database is away, and on they go.
    const answers = new Map<string, Set<string>>();
    let phase = 'before';
    let isRunning = true;
    const beat = async () => {
      let turn = 0;
      while (isRunning) {
        await Promise.all(
          LIVE.map(async (id, i) => {
            const replica = (turn + i) % 2 === 0 ? a : b;
            const res = await send(replica.baseUrl, { method: 'HEAD', path: `/heartbeat/${id}` }).catch(
              () => ({ status: 0 }),
            );
            if (!answers.has(id)) answers.set(id, new Set());
            answers.get(id)!.add(`${res.status} ${phase} ${replica === a ? 'a' : 'b'}`);
          }),
        );
        turn += 1;
        await sleep(1000);
      }
    };
    const beating = beat();
    try {
      await sleep(1500);
      server.stop();
      phase = 'during';
      // Away for twice the timeout.
      await sleep(6000);
      server.start();
      phase = 'after';
      const back = Date.now();
      let deadOnA: number | undefined;
      let deadOnB: number | undefined;
      const unhealthyLive = new Set<string>();
      while (Date.now() - back < 8000) {
        const [onA, onB] = await Promise.all([statuses(a), statuses(b)]);
        for (const id of LIVE) {
          if (onA.get(id) === 'unhealthy' || onB.get(id) === 'unhealthy') unhealthyLive.add(id);
        }
        if (deadOnA === undefined && onA.get('dead-1a') === 'unhealthy') deadOnA = Date.now();
        if (deadOnB === undefined && onB.get('dead-1a') === 'unhealthy') deadOnB = Date.now();
        await sleep(100);
      }
      expect([...unhealthyLive]).toEqual([]);
      for (const id of LIVE) {
        expect([...answers.get(id)!].filter((answer) => answer.startsWith('410'))).toEqual([]);
      }
      // The agent that really stopped goes within one timeout of the database's return (plus a
      // reconnection and a sweep period), and both replicas say so within 1 s of each other.
      expect(deadOnA).toBeDefined();
      expect(deadOnB).toBeDefined();
      expect(Math.max(deadOnA!, deadOnB!) - back).toBeLessThan(3000 + 3000);
      expect(Math.abs(deadOnA! - deadOnB!)).toBeLessThan(1000 + 200);
    } finally {
      isRunning = false;
      await beating;
    }
  });
});

describe('two replicas on either side of a clock step', () => {
  it("judge each other's agents by neither clock: no false alarm, the dead one goes once, its consumers hear of it through both", {
    timeout: 120_000,
  }, async () => {
    const shifted = (shiftMs: number) =>
      spawnRegistry(undefined, {
        ...ENV,
        MCP_MESH_DATABASE_URL: databaseUrl,
        MESH_TEST_CLOCK_SHIFT_MS: String(shiftMs),
        NODE_OPTIONS: `--import=${join(REPO_ROOT, 'test', 'fixtures', 'clock-shift.mjs')}`,
      });
    await using a = await shifted(0);
    await using b = await shifted(3_600_000);
    const consumers = ['user-a1', 'user-b2'];
    const consumerBody = (id: string) =>
      heartbeatBody(id, {
        tools: [
          { function_name: 'use', capability: 'report', dependencies: [{ capability: 'time_service' }] },
        ],
      });
    for (const id of ['step-live-1', 'step-live-2']) {
      expect((await postJson(a.baseUrl, '/heartbeat', heartbeatBody(id))).status).toBe(200);
    }
    expect((await postJson(b.baseUrl, '/heartbeat', heartbeatBody('step-dead-3'))).status).toBe(200);
    expect((await postJson(a.baseUrl, '/heartbeat', consumerBody('user-a1'))).status).toBe(200);
    expect((await postJson(b.baseUrl, '/heartbeat', consumerBody('user-b2'))).status).toBe(200);
    await sleep(1500);
    const started = Date.now();
    const heard = new Map<string, number>();
    const liveAnswers = new Set<string>();
    let deadAt: number | undefined;
    // Every agent but the dead one HEADs through both replicas in turn; a consumer that hears 202
    // sends its full heartbeat, as the SDK does.
    for (let turn = 0; Date.now() - started < 9000; turn++) {
      for (const [i, id] of ['step-live-1', 'step-live-2', ...consumers].entries()) {
        const replica = (turn + i) % 2 === 0 ? a : b;
        const { status } = await send(replica.baseUrl, { method: 'HEAD', path: `/heartbeat/${id}` });
        liveAnswers.add(`${id} ${status}`);
        if (status === 202 && consumers.includes(id)) {
          if (!heard.has(id)) heard.set(id, Date.now() - started);
          await postJson(replica.baseUrl, '/heartbeat', consumerBody(id));
        }
      }
      if (deadAt === undefined && (await statuses(a)).get('step-dead-3') === 'unhealthy') {
        deadAt = Date.now() - started;
      }
      await sleep(500);
    }
    expect([...liveAnswers].filter((answer) => answer.endsWith('410'))).toEqual([]);
    for (const replica of [a, b]) {
      const now = await statuses(replica);
      const ours = [...now].filter(([id]) => id.startsWith('step-live') || id.startsWith('user-'));
      expect(ours.filter(([, status]) => status !== 'healthy')).toEqual([]);
      expect(now.get('step-dead-3')).toBe('unhealthy');
    }
    // Within one timeout (3 s, counted from its registration 1.5 s before) and a margin.
    expect(deadAt).toBeDefined();
    expect(deadAt!).toBeLessThan(3000 + 1500);
    // Both consumers heard of it at a HEAD soon after, whichever replica they asked.
    for (const id of consumers) expect(heard.get(id)).toBeDefined();
  });
});
