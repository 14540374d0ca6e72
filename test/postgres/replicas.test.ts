import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { postJson, send } from '../helpers/http-request.js';
import { TEST_PASSWORD } from '../helpers/postgres-server.js';
import { REPO_ROOT, type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

const session = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'current', 'sdk-3.8.0-session.json'), 'utf8'),
) as { exchanges: { request_body?: { agent_id: string } & Record<string, unknown> }[] };
const providerBody = session.exchanges[0]!.request_body!;
const consumerBody = session.exchanges[1]!.request_body!;

const running: RegistryProcess[] = [];
afterEach(async () => {
  for (const replica of running.splice(0)) await replica[Symbol.asyncDispose]();
});

/** How a request to a replica killed with SIGKILL can fail: its connection broke or was refused. */
const BROKEN_CONNECTION = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

/** Two (or more) registry processes on one fresh PostgreSQL database. */
async function startReplicas(count: number, env: Record<string, string> = {}): Promise<RegistryProcess[]> {
  const url = await createPostgresDatabase(inject('postgresAdminUrl'));
  // Started together: their migrations take turns on the advisory lock.
  const replicas = await Promise.all(
    Array.from({ length: count }, () => spawnRegistry(undefined, { MCP_MESH_DATABASE_URL: url, ...env })),
  );
  running.push(...replicas);
  return replicas;
}

const register = (baseUrl: string, id: string) =>
  postJson(baseUrl, '/agents/register_with_metadata', {
    agent_id: id,
    metadata: { name: id, capabilities: [{ name: `cap_${id}`, version: '1.0.0' }] },
    timestamp: 't',
  });

async function listedIds(baseUrl: string, status: string): Promise<string[]> {
  const res = await send(baseUrl, { path: `/agents?status=${status}` });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { agents: { id: string }[] }).agents.map((a) => a.id);
}

/** Milliseconds until `check` holds, polling every 20 ms; fails after `limitMs`. */
async function msUntil(check: () => Promise<boolean>, limitMs = 1000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > limitMs) throw new Error(`not true within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - started;
}

describe('several registry processes on one PostgreSQL act as one registry', () => {
  it('shows registrations and heartbeats made on one replica on the other within 1 s', async () => {
    const [a, b] = await startReplicas(2);
    const replicas = [a!, b!];
    for (let i = 0; i < 6; i++) {
      const writer = replicas[i % 2]!;
      const reader = replicas[(i + 1) % 2]!;
      const id = `agent-${i}`;
      expect((await register(writer.baseUrl, id)).status).toBe(201);
      await msUntil(async () => (await listedIds(reader.baseUrl, 'pending')).includes(id));
      // The heartbeat goes to the replica that did not register the agent.
      expect((await postJson(reader.baseUrl, '/heartbeat', { agent_id: id })).status).toBe(200);
      await msUntil(async () => (await listedIds(writer.baseUrl, 'healthy')).includes(id));
      const health = JSON.parse((await send(writer.baseUrl, { path: `/health/${id}` })).body);
      expect(health.status).toBe('healthy');
    }
    // Both answer the same listing, in the same first-registration order.
    expect(await listedIds(a!.baseUrl, 'healthy')).toEqual(await listedIds(b!.baseUrl, 'healthy'));
    expect((await listedIds(a!.baseUrl, 'healthy')).length).toBe(6);
    const capabilities = await send(b!.baseUrl, { path: '/capabilities?name=cap_agent-4' });
    expect(JSON.parse(capabilities.body).count).toBe(1);
  });

  it('deregisters, through one replica, an agent registered through another a moment before', async () => {
    const [a, b] = await startReplicas(2);
    for (let i = 0; i < 5; i++) {
      const id = `goodbye-${i}`;
      expect((await postJson(a!.baseUrl, '/heartbeat', { ...providerBody, agent_id: id })).status).toBe(200);
      // At once: b has not pulled the registration yet (it pulls every 200 ms).
      expect((await send(b!.baseUrl, { method: 'DELETE', path: `/agents/${id}` })).status).toBe(204);
      // The goodbye was not a no-op: the agent is unhealthy, on both replicas.
      await msUntil(async () => (await listedIds(a!.baseUrl, 'unhealthy')).includes(id));
      expect(await listedIds(b!.baseUrl, 'unhealthy')).toContain(id);
    }
  });

  it('resolves dependencies and signals topology changes across replicas', async () => {
    const [a, b] = await startReplicas(2);
    expect((await postJson(a!.baseUrl, '/heartbeat', providerBody)).status).toBe(200);
    // The consumer talks to the other replica; within 1 s it resolves the provider of replica A.
    await msUntil(async () => {
      const res = await postJson(b!.baseUrl, '/heartbeat', consumerBody);
      const resolved = JSON.parse(res.body).dependencies_resolved.make_report?.[0];
      return resolved?.agent_id === providerBody.agent_id && resolved.status === 'available';
    });
    expect(
      (await send(b!.baseUrl, { method: 'HEAD', path: `/heartbeat/${consumerBody.agent_id}` })).status,
    ).toBe(200);
    // The provider deregisters through replica A: replica B's HEAD tells the consumer to re-resolve.
    expect(
      (await send(a!.baseUrl, { method: 'DELETE', path: `/agents/${providerBody.agent_id}` })).status,
    ).toBe(204);
    await msUntil(
      async () =>
        (await send(b!.baseUrl, { method: 'HEAD', path: `/heartbeat/${consumerBody.agent_id}` })).status ===
        202,
    );
    expect(
      (await send(b!.baseUrl, { method: 'HEAD', path: `/heartbeat/${providerBody.agent_id}` })).status,
    ).toBe(410);
  });

  it('sweeps once per period cluster-wide, and both replicas agree on the result', async () => {
    const replicas = await startReplicas(2, {
      HEALTH_CHECK_INTERVAL: '0.2',
      DEFAULT_TIMEOUT_THRESHOLD: '0.5',
    });
    const [a, b] = replicas;
    expect((await postJson(a!.baseUrl, '/heartbeat', providerBody)).status).toBe(200);
    // The provider falls silent (a HEAD would be a heartbeat, so only listings look at it): within
    // the timeout plus a few periods it is unhealthy on every replica.
    await msUntil(async () => {
      const listings = await Promise.all(replicas.map((r) => listedIds(r.baseUrl, 'unhealthy')));
      return listings.every((ids) => ids.includes(providerBody.agent_id));
    }, 5000);
    // Several periods later it has not flipped back anywhere, and exactly one sweep changed it.
    await new Promise((r) => setTimeout(r, 1000));
    for (const replica of [a!, b!]) {
      const listed = JSON.parse((await send(replica.baseUrl, { path: '/agents?status=unhealthy' })).body);
      expect(listed.agents.map((x: { id: string }) => x.id)).toEqual([providerBody.agent_id]);
    }
    const changes = [a!, b!]
      .flatMap((r) => r.stderr().split('\n'))
      .filter((line) => line.includes('"agent status changed"') && line.includes(providerBody.agent_id));
    expect(changes).toHaveLength(1);
  });

  it('loses no acknowledged registration when a replica is killed mid-burst, and the survivor keeps serving', async () => {
    const [victim, survivor] = await startReplicas(2);
    // What each request ended with: a status, or the code of the error that ended it.
    const outcomes = new Map<number, number | string>();
    const burst = Array.from({ length: 400 }, async (_, i) => {
      // Spread over both replicas; the victim dies while its share is still arriving.
      await new Promise((r) => setTimeout(r, i));
      const target = i % 2 === 0 ? victim! : survivor!;
      try {
        outcomes.set(i, (await register(target.baseUrl, `burst-${i}`)).status);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Only a connection the kill broke or refused may fail, and only to the victim.
        if (target !== victim || !(code && BROKEN_CONNECTION.has(code))) throw error;
        outcomes.set(i, code);
      }
    });
    // Killed as soon as it has acknowledged a write, so it dies mid-burst however loaded the machine.
    await msUntil(async () => [...outcomes].some(([i, outcome]) => i % 2 === 0 && outcome === 201), 10_000);
    victim!.child.kill('SIGKILL');
    await victim!.exited;
    await Promise.all(burst);
    const tally = (parity: number) => {
      const counts: Record<string, number> = {};
      for (const [i, outcome] of outcomes) if (i % 2 === parity) counts[outcome] = (counts[outcome] ?? 0) + 1;
      return counts;
    };
    // The survivor acknowledged its whole share; the victim part of its share before it died, and
    // every other request to it failed on the connection, none with a status other than 201.
    expect(tally(1)).toEqual({ 201: 200 });
    const { 201: victimAcks = 0, ...victimFailures } = tally(0);
    expect(victimAcks).toBeGreaterThan(0);
    expect(victimAcks).toBeLessThan(200);
    expect(Object.keys(victimFailures).filter((outcome) => !BROKEN_CONNECTION.has(outcome))).toEqual([]);
    expect(victimAcks + Object.values(victimFailures).reduce((sum, n) => sum + n, 0)).toBe(200);
    const acknowledged = [...outcomes].filter(([, outcome]) => outcome === 201).map(([i]) => `burst-${i}`);

    await msUntil(async () => {
      const listed = new Set(await listedIds(survivor!.baseUrl, 'pending'));
      return acknowledged.every((id) => listed.has(id));
    });
    expect((await register(survivor!.baseUrl, 'after-the-kill')).status).toBe(201);
    expect(await listedIds(survivor!.baseUrl, 'pending')).toContain('after-the-kill');
    expect(survivor!.stdout() + survivor!.stderr()).not.toContain(TEST_PASSWORD);
  });
});
