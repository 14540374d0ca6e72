/**
 * Dependency resolution asked of ours and of the Go registry 3.7.1 side by side: the same agents
 * registered in the same order, some deregistered (unhealthy) along the way, and every answer
 * compared: each dependency position of each heartbeat's `dependencies_resolved`, a refusal of a
 * required cycle, and each capability's `available` / `unavailable_reason` in `GET /agents`.
 * Fixed cases pin the rules; seeded random meshes (required and optional dependencies, tags,
 * version constraints, chains and cycles) look for what the fixed cases miss.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';

/** No agent may time out while a test runs. */
const ENV = { DEFAULT_TIMEOUT_THRESHOLD: '600' };

interface Dependency {
  capability: string;
  required?: boolean;
  tags?: (string | string[])[];
  version?: string;
}
interface Tool {
  function_name: string;
  capability: string;
  version?: string;
  tags?: string[];
  dependencies?: Dependency[];
}

const agent = (id: string, tools: Tool[]) => ({
  agent_id: id,
  name: id,
  agent_type: 'mcp_agent',
  version: '1.0.0',
  http_host: '127.0.0.1',
  http_port: 9400,
  namespace: 'default',
  runtime: 'python',
  tools,
});

/** What must agree in a heartbeat's answer: everything but the time. */
function heartbeatAnswer(res: HttpResponse): Record<string, unknown> {
  const { timestamp: _time, ...rest } = JSON.parse(res.body) as Record<string, unknown>;
  return { httpStatus: res.status, ...rest };
}

interface CapabilityView {
  function_name: string;
  available?: boolean;
  unavailable_reason?: string;
}

/** `agent id / function` → availability and reason, for the agents whose id starts with `prefix`. */
async function availability(base: string, prefix: string) {
  const res = await send(base, { path: '/agents' });
  expect(res.status).toBe(200);
  const { agents } = JSON.parse(res.body) as {
    agents: { id: string; status: string; capabilities: CapabilityView[] }[];
  };
  const out: Record<string, unknown> = {};
  for (const a of agents) {
    if (!a.id.startsWith(prefix)) continue;
    for (const cap of a.capabilities) {
      out[`${a.id}/${cap.function_name}`] = {
        status: a.status,
        available: cap.available,
        ...(cap.unavailable_reason === undefined ? {} : { unavailable_reason: cap.unavailable_reason }),
      };
    }
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = { kind: 'heartbeat'; body: ReturnType<typeof agent> } | { kind: 'delete'; id: string };

/**
 * A random mesh: agents with one or two tools over a few capability names, each tool with up to
 * three dependencies (some required, some with tags or a version constraint), registered one by
 * one with deregistrations in between, then every agent still up sends its full heartbeat again.
 */
function scenario(seed: number): Step[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const capabilities = ['auth', 'geo', 'weather', 'date', 'mail', 'search'].map((c) => `s${seed}-${c}`);
  const versions = ['1.0.0', '1.5.0', '2.0.0', '2.1.0', ''];
  const tagSets: string[][] = [[], ['eu'], ['us'], ['eu', 'fast'], ['us', 'fast']];
  const depTags: (Dependency['tags'] | undefined)[] = [
    undefined,
    undefined,
    ['eu'],
    ['+fast'],
    ['-us'],
    [['eu', 'us']],
  ];
  const depVersions = [undefined, undefined, '>=1.5', '^1.0', '<2.0.0', '~2.0'];
  const bodies: ReturnType<typeof agent>[] = [];
  for (let i = 0; i < 14; i++) {
    const tools: Tool[] = [];
    const toolCount = 1 + Math.floor(next() * 2);
    for (let t = 0; t < toolCount; t++) {
      const dependencies: Dependency[] = [];
      const depCount = Math.floor(next() * 4);
      for (let d = 0; d < depCount; d++) {
        const tags = pick(depTags);
        const version = pick(depVersions);
        dependencies.push({
          // Now and then a capability nobody provides.
          capability: next() < 0.1 ? `s${seed}-ghost` : pick(capabilities),
          ...(next() < 0.45 ? { required: true } : next() < 0.2 ? { required: false } : {}),
          ...(tags === undefined ? {} : { tags }),
          ...(version === undefined ? {} : { version }),
        });
      }
      tools.push({
        function_name: `fn${t}`,
        capability: pick(capabilities),
        version: pick(versions),
        tags: pick(tagSets),
        ...(dependencies.length === 0 ? {} : { dependencies }),
      });
    }
    bodies.push(agent(`s${seed}-agent${String(i).padStart(2, '0')}`, tools));
  }
  const steps: Step[] = [];
  const deleted = new Set<string>();
  for (const [i, body] of bodies.entries()) {
    steps.push({ kind: 'heartbeat', body });
    if (i > 0 && next() < 0.2) {
      const id = (bodies[Math.floor(next() * i)] as (typeof bodies)[number]).agent_id;
      deleted.add(id);
      steps.push({ kind: 'delete', id });
    }
  }
  for (const body of bodies) if (!deleted.has(body.agent_id)) steps.push({ kind: 'heartbeat', body });
  return steps;
}

/** The kind of an `unavailable_reason`, without the names in it. */
function reasonKind(reason: string): string {
  if (reason === 'agent unhealthy') return reason;
  if (reason.endsWith('unhealthy)')) return 'provider unhealthy';
  if (reason.endsWith('unavailable)')) return 'provider unavailable';
  if (reason.includes('(no provider matches')) return 'unresolved, constrained';
  if (reason.endsWith('unresolved')) return 'unresolved';
  return reason;
}

/** What the generated scenarios covered, so that a quiet run cannot pass for a good one. */
const seen = { positions: 0, unresolved: 0, refusals: 0, reasons: new Set<string>() };

describe('dependency resolution and availability, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  const bases = () => [ours.baseUrl, go.baseUrl] as const;
  const heartbeatBoth = async (body: unknown) => {
    const [a, b] = await Promise.all(bases().map((base) => postJson(base, '/heartbeat', body)));
    return { ours: heartbeatAnswer(a as HttpResponse), go: heartbeatAnswer(b as HttpResponse) };
  };
  const deleteBoth = async (id: string) => {
    for (const base of bases()) {
      expect((await send(base, { method: 'DELETE', path: `/agents/${id}` })).status).toBe(204);
    }
  };
  const availabilityBoth = async (prefix: string) => ({
    ours: await availability(ours.baseUrl, prefix),
    go: await availability(go.baseUrl, prefix),
  });

  beforeAll(async () => {
    [ours, go] = await Promise.all([startRegistry({ env: ENV }), startGoRegistry(ENV)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
  });

  it('refuses a required dependency cycle as Go does: 200, status "error", the loop named, nothing written', async () => {
    const first = await heartbeatBoth(
      agent('cyc-a', [
        { function_name: 'fa', capability: 'cyc-x', dependencies: [{ capability: 'cyc-y', required: true }] },
      ]),
    );
    expect(first.ours).toEqual(first.go);
    const closing = agent('cyc-b', [
      { function_name: 'fb', capability: 'cyc-y', dependencies: [{ capability: 'cyc-x', required: true }] },
    ]);
    const refused = await heartbeatBoth(closing);
    expect(refused.ours).toEqual(refused.go);
    expect(refused.ours).toEqual({
      httpStatus: 200,
      agent_id: 'cyc-b',
      message: 'required dependency cycle: cyc-x → cyc-y → cyc-x',
      status: 'error',
    });
    const self = await heartbeatBoth(
      agent('cyc-c', [
        { function_name: 'fc', capability: 'cyc-z', dependencies: [{ capability: 'cyc-z', required: true }] },
      ]),
    );
    expect(self.ours).toEqual(self.go);
    expect(self.ours.message).toBe('required dependency cycle: cyc-z → cyc-z');
    // An optional edge back is no cycle.
    const optional = await heartbeatBoth(
      agent('cyc-b', [
        {
          function_name: 'fb',
          capability: 'cyc-y',
          dependencies: [{ capability: 'cyc-x', required: false }],
        },
      ]),
    );
    expect(optional.ours).toEqual(optional.go);
    expect(optional.ours.status).toBe('success');
    // An agent already registered that would close a cycle keeps its registration.
    const update = await heartbeatBoth(
      agent('cyc-a', [
        { function_name: 'fa', capability: 'cyc-x', dependencies: [{ capability: 'cyc-y', required: true }] },
        {
          function_name: 'fa2',
          capability: 'cyc-w',
          dependencies: [{ capability: 'cyc-w', required: true }],
        },
      ]),
    );
    expect(update.ours).toEqual(update.go);
    expect(update.ours.status).toBe('error');
    const listed = await availabilityBoth('cyc-');
    expect(listed.ours).toEqual(listed.go);
    expect(Object.keys(listed.ours).sort()).toEqual(['cyc-a/fa', 'cyc-b/fb']);
  });

  it('refuses a cycle through an agent that is down, as its tools still count', async () => {
    await heartbeatBoth(
      agent('down-n', [
        {
          function_name: 'fn',
          capability: 'down-n',
          dependencies: [{ capability: 'down-o', required: true }],
        },
      ]),
    );
    await deleteBoth('down-n');
    const refused = await heartbeatBoth(
      agent('down-o', [
        {
          function_name: 'fo',
          capability: 'down-o',
          dependencies: [{ capability: 'down-n', required: true }],
        },
      ]),
    );
    expect(refused.ours).toEqual(refused.go);
    expect(refused.ours.message).toBe('required dependency cycle: down-n → down-o → down-n');
  });

  it('lists available and unavailable_reason as Go does: chains, unhealthy providers, unmet constraints', async () => {
    const steps: Step[] = [
      {
        kind: 'heartbeat',
        body: agent('av-e', [
          {
            function_name: 'fe',
            capability: 'av-e',
            tags: ['x'],
            version: '2.0.0',
            dependencies: [
              { capability: 'av-f', required: true, tags: ['t1', '+p', ['g1', 'g2']], version: '>=1.0' },
            ],
          },
        ]),
      },
      {
        kind: 'heartbeat',
        body: agent('av-d', [
          { function_name: 'fd', capability: 'av-d', dependencies: [{ capability: 'av-e', required: true }] },
          {
            function_name: 'fd2',
            capability: 'av-d2',
            dependencies: [{ capability: 'av-e', required: true, tags: ['zz'] }],
          },
        ]),
      },
      {
        kind: 'heartbeat',
        body: agent('av-g', [
          {
            function_name: 'fg',
            capability: 'av-g',
            dependencies: [{ capability: 'av-d', required: true }, { capability: 'av-e' }],
          },
        ]),
      },
      { kind: 'heartbeat', body: agent('av-h', [{ function_name: 'fh', capability: 'av-h' }]) },
      { kind: 'delete', id: 'av-h' },
      {
        kind: 'heartbeat',
        body: agent('av-i', [
          { function_name: 'fi', capability: 'av-i', dependencies: [{ capability: 'av-h', required: true }] },
          {
            function_name: 'fi2',
            capability: 'av-i2',
            dependencies: [{ capability: 'av-h', required: true, version: '^3' }],
          },
        ]),
      },
      {
        kind: 'heartbeat',
        body: agent('av-k', [
          {
            function_name: 'fk',
            capability: 'av-k',
            dependencies: [{ capability: 'av-e' }, { capability: 'av-d' }, { capability: 'av-i' }],
          },
        ]),
      },
    ];
    for (const step of steps) {
      if (step.kind === 'delete') await deleteBoth(step.id);
      else {
        const answer = await heartbeatBoth(step.body);
        expect(answer.ours).toEqual(answer.go);
      }
    }
    const listed = await availabilityBoth('av-');
    expect(listed.ours).toEqual(listed.go);
    expect(listed.ours).toMatchObject({
      'av-e/fe': {
        available: false,
        unavailable_reason:
          "required dep 'av-f' unresolved (no provider matches tags=[t1 +p], version >=1.0)",
      },
      'av-d/fd': {
        available: false,
        unavailable_reason: "required dep 'av-e' unavailable (provider av-e unavailable)",
      },
      'av-h/fh': { available: false, unavailable_reason: 'agent unhealthy' },
      'av-i/fi': {
        available: false,
        unavailable_reason: "required dep 'av-h' unavailable (provider av-h unhealthy)",
      },
      'av-k/fk': { available: true },
    });
    // A provider for the missing link makes the whole chain available, on both.
    const fixed = await heartbeatBoth(
      agent('av-f', [{ function_name: 'ff', capability: 'av-f', tags: ['t1', 'g2'], version: '1.0.0' }]),
    );
    expect(fixed.ours).toEqual(fixed.go);
    const consumer = await heartbeatBoth(steps[6]?.kind === 'heartbeat' ? steps[6].body : {});
    expect(consumer.ours).toEqual(consumer.go);
    expect(consumer.ours.dependencies_resolved).toMatchObject({
      fk: [{ agent_id: 'av-e' }, { agent_id: 'av-d' }, { status: 'unresolved' }],
    });
    const after = await availabilityBoth('av-');
    expect(after.ours).toEqual(after.go);
    expect(after.ours).toMatchObject({ 'av-g/fg': { available: true }, 'av-d/fd2': { available: false } });
  });

  it('lets an agent’s first tool with a capability decide that capability’s availability, as Go does', async () => {
    for (const order of [
      ['free', 'bound'],
      ['bound', 'free'],
    ]) {
      const id = `twin-${order[0]}`;
      const tools: Record<string, Tool> = {
        free: { function_name: 'free', capability: `${id}-cap`, tags: ['one'] },
        bound: {
          function_name: 'bound',
          capability: `${id}-cap`,
          tags: ['two'],
          dependencies: [{ capability: 'twin-nothing', required: true }],
        },
      };
      await heartbeatBoth(
        agent(
          id,
          order.map((name) => tools[name] as Tool),
        ),
      );
      const consumer = await heartbeatBoth(
        agent(`${id}-consumer`, [
          {
            function_name: 'use',
            capability: `${id}-use`,
            dependencies: [
              { capability: `${id}-cap`, tags: ['two'] },
              { capability: `${id}-cap`, tags: ['one'] },
            ],
          },
        ]),
      );
      expect(consumer.ours).toEqual(consumer.go);
      const listed = await availabilityBoth(id);
      expect(listed.ours).toEqual(listed.go);
      expect(listed.ours[`${id}/free`]).toMatchObject({ available: order[0] === 'free' });
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    'agrees with Go on generated mesh %i: every dependency position and every capability’s availability',
    async (seed) => {
      const mismatches: unknown[] = [];
      for (const step of scenario(seed)) {
        if (step.kind === 'delete') {
          await deleteBoth(step.id);
          continue;
        }
        const answer = await heartbeatBoth(step.body);
        if (JSON.stringify(answer.ours) !== JSON.stringify(answer.go)) {
          mismatches.push({ agent: step.body.agent_id, ours: answer.ours, go: answer.go });
        }
        if (answer.go.status === 'error') seen.refusals += 1;
        const resolved = (answer.go.dependencies_resolved ?? {}) as Record<string, { status: string }[]>;
        for (const entries of Object.values(resolved)) {
          seen.positions += entries.length;
          seen.unresolved += entries.filter((e) => e.status === 'unresolved').length;
        }
      }
      const listed = await availabilityBoth(`s${seed}-`);
      for (const view of Object.values(listed.go) as { unavailable_reason?: string }[]) {
        const reason = view.unavailable_reason;
        if (reason !== undefined) seen.reasons.add(reasonKind(reason));
      }
      expect(mismatches).toEqual([]);
      expect(listed.ours).toEqual(listed.go);
    },
  );

  it('covered what it claims: many positions, refusals, and every kind of unavailable reason', () => {
    console.log(`compared ${seen.positions} dependency positions (${seen.unresolved} unresolved)`);
    expect(seen.positions).toBeGreaterThan(150);
    expect(seen.unresolved).toBeGreaterThan(20);
    expect(seen.refusals).toBeGreaterThan(0);
    expect([...seen.reasons].sort()).toEqual([
      'agent unhealthy',
      'provider unavailable',
      'provider unhealthy',
      'unresolved',
      'unresolved, constrained',
    ]);
  });
});
