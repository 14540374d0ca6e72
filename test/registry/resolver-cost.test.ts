/**
 * One heartbeat with 1,000 dependencies against 1,000 providers of one capability must not hold
 * the registry: other requests are answered while it is processed, and listings after it do not
 * recompute every resolution. (Not a benchmark: the bound is generous, a stall of about 1.5 s was
 * what it catches.)
 */
import { describe, expect, it } from 'vitest';
import { traceFingerprint } from '../../src/mesh/resolution/resolution-trace.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

const PROVIDERS = 1000;
const DEPENDENCIES = 1000;
/** What a light request may wait, generously: far below the stall this test catches. */
const STALL_BOUND_MS = 250;

const provider = (i: number) =>
  heartbeatBody(`provider${i}-abc12345`, {
    tools: [
      {
        function_name: 'serve',
        capability: 'svc',
        version: `1.${i % 50}.0`,
        tags: ['common', `t${i % 100}`, `p${i % 7}`],
      },
    ],
  });

const consumer = heartbeatBody('consumer-abc12345', {
  tools: [0, 1, 2, 3].map((t) => ({
    function_name: `use${t}`,
    capability: `use${t}`,
    dependencies: Array.from({ length: DEPENDENCIES / 4 }, (_, j) => {
      const i = t * (DEPENDENCIES / 4) + j;
      // 50 distinct specs, each asked 20 times: a tag that narrows, a preference, a constraint.
      return { capability: 'svc', tags: [`t${i % 50}`, `+p${i % 5}`], version: `>=1.${i % 10}.0` };
    }),
  })),
});

/** Sends light requests one after another until `until` settles; the slowest answer's time. */
async function slowestLightAnswer(baseUrl: string, until: Promise<unknown>): Promise<number> {
  let isDone = false;
  void until.finally(() => {
    isDone = true;
  });
  let slowest = 0;
  while (!isDone) {
    const started = performance.now();
    const res = await send(baseUrl, { path: '/health' });
    expect(res.status).toBe(200);
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

describe("the resolver's cost", () => {
  it("keeps a consumer's traces when a provider's full heartbeat repeats its tools, and only then", async () => {
    await using registry = await startRegistry({ env: { HEALTH_CHECK_INTERVAL: '3600' } });
    for (let i = 0; i < 3; i += 1) {
      expect((await postJson(registry.baseUrl, '/heartbeat', provider(i))).status).toBe(200);
    }
    const small = heartbeatBody('consumer-abc12345', {
      tools: [
        { function_name: 'use', capability: 'use', dependencies: [{ capability: 'svc', tags: ['common'] }] },
      ],
    });
    expect((await postJson(registry.baseUrl, '/heartbeat', small)).status).toBe(200);
    const traceNow = () => {
      const agent = registry.store.getAgent('consumer-abc12345');
      if (agent === undefined) throw new Error('consumer not stored');
      return registry.app.topology.traceOf(agent, { functionName: 'use', depIndex: 0 });
    };
    const first = traceNow();
    expect(first.stages.find((s) => s.stage === 'tiebreaker')?.kept).toHaveLength(3);
    // The same tools again: nothing a resolution reads changed, the trace is the one computed.
    expect((await postJson(registry.baseUrl, '/heartbeat', provider(1))).status).toBe(200);
    expect(traceNow()).toBe(first);
    // A new version of one provider: traced again.
    const bumped = heartbeatBody('provider1-abc12345', {
      tools: [{ function_name: 'serve', capability: 'svc', version: '9.0.0', tags: ['common', 't1', 'p1'] }],
    });
    expect((await postJson(registry.baseUrl, '/heartbeat', bumped)).status).toBe(200);
    const second = traceNow();
    expect(second).not.toBe(first);
    expect(second.chosen?.agent_id).toBe('provider1-abc12345');
  });

  it('a heartbeat with 1,000 dependencies among 1,000 providers leaves other requests answered, and the listing after it too', async () => {
    await using registry = await startRegistry({ env: { HEALTH_CHECK_INTERVAL: '3600' } });
    for (let i = 0; i < PROVIDERS; i += 50) {
      const batch = Array.from({ length: 50 }, (_, k) =>
        postJson(registry.baseUrl, '/heartbeat', provider(i + k)),
      );
      for (const res of await Promise.all(batch)) expect(res.status).toBe(200);
    }
    for (let round = 0; round < 3; round += 1) {
      // A version changes each round, so the heartbeat is a real change, not a repeat.
      const heavy = postJson(registry.baseUrl, '/heartbeat', { ...consumer, version: `1.0.${round}` });
      const slowest = await slowestLightAnswer(registry.baseUrl, heavy);
      const answer = await heavy;
      expect(answer.status).toBe(200);
      const resolved = JSON.parse(answer.body).dependencies_resolved as Record<string, { status: string }[]>;
      expect(Object.values(resolved).flat()).toHaveLength(DEPENDENCIES);
      expect(
        Object.values(resolved)
          .flat()
          .every((r) => r.status === 'available'),
      ).toBe(true);
      expect(slowest, `round ${round}`).toBeLessThan(STALL_BOUND_MS);
      // A provider's heartbeat (a write) then a listing: the listing must not stall either.
      expect((await postJson(registry.baseUrl, '/heartbeat', provider(round))).status).toBe(200);
      const listing = send(registry.baseUrl, { path: '/agents' });
      const slowestDuringListing = await slowestLightAnswer(registry.baseUrl, listing);
      expect((await listing).status).toBe(200);
      expect(slowestDuringListing, `listing, round ${round}`).toBeLessThan(STALL_BOUND_MS);
    }
  });

  it("keeps the resolver's memo to the live topology: provider changes do not pile up old traces", async () => {
    await using registry = await startRegistry({ env: { HEALTH_CHECK_INTERVAL: '3600' } });
    const providers = 200;
    for (let i = 0; i < providers; i += 50) {
      const batch = Array.from({ length: 50 }, (_, k) =>
        postJson(registry.baseUrl, '/heartbeat', provider(i + k)),
      );
      for (const res of await Promise.all(batch)) expect(res.status).toBe(200);
    }
    const sizes: { resolutions: number; traces: { entries: number; weight: number } }[] = [];
    for (let round = 0; round < 8; round += 1) {
      // A provider's new version changes every resolution of the capability.
      const changed = provider(round);
      changed.tools[0]!.version = `2.${round}.0`;
      expect((await postJson(registry.baseUrl, '/heartbeat', changed)).status).toBe(200);
      expect(
        (await postJson(registry.baseUrl, '/heartbeat', { ...consumer, version: `1.0.${round}` })).status,
      ).toBe(200);
      expect((await send(registry.baseUrl, { path: '/agents' })).status).toBe(200);
      sizes.push(registry.app.topology.memoSize());
    }
    // 50 distinct specs: 50 resolutions and 50 traces of about 200 candidates each, whatever the round.
    for (const size of sizes) {
      expect(size.resolutions).toBeLessThanOrEqual(50);
      expect(size.traces.entries).toBeLessThanOrEqual(50);
      expect(size.traces.weight).toBeLessThanOrEqual(50 * (6 * providers + 1));
    }
  });

  it('remembers a trace among many providers by a short digest, not by its text', async () => {
    await using registry = await startRegistry({ env: { HEALTH_CHECK_INTERVAL: '3600' } });
    for (let i = 0; i < 300; i += 50) {
      const batch = Array.from({ length: 50 }, (_, k) =>
        postJson(registry.baseUrl, '/heartbeat', provider(i + k)),
      );
      for (const res of await Promise.all(batch)) expect(res.status).toBe(200);
    }
    expect((await postJson(registry.baseUrl, '/heartbeat', consumer)).status).toBe(200);
    const stored = registry.store.getAgent('consumer-abc12345')!;
    const trace = registry.app.topology.traceOf(stored, { functionName: 'use0', depIndex: 0 });
    expect(JSON.stringify(trace).length).toBeGreaterThan(10_000);
    expect(traceFingerprint(trace).length).toBeLessThanOrEqual(64);
  });
});
