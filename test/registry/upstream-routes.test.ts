/**
 * Routes of today's upstream registry that `meshctl` and A2A clients call, asked of ours and of the
 * Go registry 3.7.1 side by side: the same requests, the same answers (timestamps aside).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { type HttpResponse, postJson, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';

const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;

/** Status, content type and body with timestamps masked: what must agree. */
function answer(res: HttpResponse) {
  return {
    status: res.status,
    contentType: res.body === '' ? undefined : String(res.headers['content-type']).split(';')[0],
    body: res.body.replace(TIMESTAMP, '<time>'),
  };
}

const agent = heartbeatBody;

describe('upstream routes, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;
  const both = async (request: Parameters<typeof send>[1]) => {
    const [a, b] = await Promise.all([send(ours.baseUrl, request), send(go.baseUrl, request)]);
    return { ours: a, go: b };
  };

  beforeAll(async () => {
    [ours, go] = await Promise.all([startRegistry(), startGoRegistry()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ours?.[Symbol.asyncDispose](), go?.[Symbol.asyncDispose]()]);
  });

  it.each(['/trace/status', '/trace/stats', '/trace/info', '/trace/abc123'])(
    'answers %s as the Go registry does with tracing off',
    async (path) => {
      const { ours: a, go: b } = await both({ path });
      expect(answer(a)).toEqual(answer(b));
      expect(JSON.parse(a.body).enabled).toBe(false);
    },
  );

  it('answers DELETE of an unknown agent 204, without a body, as the Go registry does', async () => {
    const { ours: a, go: b } = await both({ method: 'DELETE', path: '/agents/nobody-1234' });
    expect(answer(a)).toEqual(answer(b));
    expect(a.status).toBe(204);
    expect(a.body).toBe('');
  });

  it('lists a current-protocol agent that shut down (unhealthy) in GET /agents, as meshctl list --all needs', async () => {
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await postJson(base, '/heartbeat', agent('clock-1a2b3c4d'))).status).toBe(200);
      expect((await postJson(base, '/heartbeat', agent('timer-5e6f7a8b'))).status).toBe(200);
      expect((await send(base, { method: 'DELETE', path: '/agents/timer-5e6f7a8b' })).status).toBe(204);
    }
    const { ours: a, go: b } = await both({ path: '/agents' });
    const listing = (res: HttpResponse) => {
      const body = JSON.parse(res.body) as { agents: { id: string; status: string }[]; count: number };
      return {
        agents: body.agents
          .map(({ id, status }) => ({ id, status }))
          .sort((x, y) => x.id.localeCompare(y.id)),
        count: body.count,
      };
    };
    expect(listing(a)).toEqual(listing(b));
    expect(listing(a)).toEqual({
      agents: [
        { id: 'clock-1a2b3c4d', status: 'healthy' },
        { id: 'timer-5e6f7a8b', status: 'unhealthy' },
      ],
      count: 2,
    });
    // Asked for, a status still filters.
    const healthy = await both({ path: '/agents?status=healthy' });
    expect(listing(healthy.ours)).toEqual(listing(healthy.go));
    expect(listing(healthy.ours).count).toBe(1);
  });

  it('takes a dependency version of null as no constraint and an empty tool version as 1.0.0, as the Go registry does', async () => {
    const provider = agent('versionless-11aa22bb', {
      tools: [{ function_name: 'give_date', capability: 'date_service', version: '', tags: [] }],
    });
    const consumer = (id: string, version: unknown) =>
      agent(id, {
        tools: [
          {
            function_name: 'plan_day',
            capability: 'planner',
            dependencies: [{ capability: 'date_service', version }],
          },
        ],
      });
    const resolved = async (base: string, id: string, version: unknown) => {
      const res = await postJson(base, '/heartbeat', consumer(id, version));
      expect(res.status).toBe(200);
      const entries = (
        JSON.parse(res.body) as { dependencies_resolved: Record<string, { agent_id: string }[]> }
      ).dependencies_resolved.plan_day;
      return entries?.map((e) => e.agent_id);
    };
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await postJson(base, '/heartbeat', provider)).status).toBe(200);
    }
    for (const [id, version] of [
      ['null-version-33cc44dd', null],
      ['at-least-one-55ee66ff', '>=1.0.0'],
    ] as const) {
      const [a, b] = await Promise.all([
        resolved(ours.baseUrl, id, version),
        resolved(go.baseUrl, id, version),
      ]);
      expect(a).toEqual(b);
      expect(a).toEqual(['versionless-11aa22bb']);
    }
  });

  it('lists the surfaces of a2a agents in GET /a2a/agents as the Go registry does', async () => {
    const empty = await both({ path: '/a2a/agents' });
    expect(answer(empty.ours)).toEqual(answer(empty.go));
    const a2a = agent('skills-9c8d7e6f', {
      agent_type: 'a2a',
      surfaces: [
        { path: '/a2a/translate', skill_id: 'translate', description: 'extra keys are not listed' },
        { path: 'summarise', skill_id: 'summarise' },
        { path: '/a2a/broken' },
      ],
    });
    const replies = await Promise.all(
      [ours.baseUrl, go.baseUrl].map((base) => postJson(base, '/heartbeat', a2a)),
    );
    for (const res of replies) expect(res.status).toBe(200);
    // The heartbeat's answer carries the surfaces too (here without URLs: no prefix is set).
    const [oursSurfaces, goSurfaces] = replies.map((res) => JSON.parse(res.body).surfaces);
    expect(oursSurfaces).toEqual(goSurfaces);
    // A surface that is not an object is refused by both.
    const refused = agent('skills-bad-1f2e3d4c', { agent_type: 'a2a', surfaces: ['not an object'] });
    const statuses = await Promise.all(
      [ours.baseUrl, go.baseUrl].map((base) => postJson(base, '/heartbeat', refused)),
    );
    expect(statuses.map((res) => res.status)).toEqual([400, 400]);
    const listed = await both({ path: '/a2a/agents' });
    expect(answer(listed.ours)).toEqual(answer(listed.go));
    expect(JSON.parse(listed.ours.body)).toEqual({
      surfaces: [
        { path: '/a2a/translate', skill_id: 'translate' },
        { path: 'summarise', skill_id: 'summarise' },
      ],
    });
  });
});

describe('GET /a2a/agents with a public URL prefix', () => {
  it('adds each surface public URL and agent card URL, the prefix trailing slash removed', async () => {
    await using registry = await startRegistry({
      env: { MCP_MESH_PUBLIC_URL_PREFIX: 'https://mesh.example.com/' },
    });
    const body = agent('skills-1', {
      agent_type: 'a2a',
      surfaces: [{ path: 'summarise', skill_id: 'summarise' }],
    });
    expect((await postJson(registry.baseUrl, '/heartbeat', body)).status).toBe(200);
    const res = await send(registry.baseUrl, { path: '/a2a/agents' });
    expect(res.body).toBe(
      '{"surfaces":[{"agent_card_url":"https://mesh.example.com/summarise/.well-known/agent.json",' +
        '"path":"summarise","public_url":"https://mesh.example.com/summarise","skill_id":"summarise"}]}',
    );
  });
});

describe('GET /agents without a status: the rule that keeps both protocols right', () => {
  it('lists legacy agents only when healthy (the Python default) and current agents whatever their status', async () => {
    await using registry = await startRegistry();
    const base = registry.baseUrl;
    const legacy = {
      agent_id: 'legacy-1',
      metadata: { name: 'legacy', capabilities: [{ name: 'old' }] },
      timestamp: '2026-12-07T00:00:00Z',
    };
    expect((await postJson(base, '/agents/register_with_metadata', legacy)).status).toBe(201);
    expect((await postJson(base, '/heartbeat', agent('current-1'))).status).toBe(200);
    expect((await send(base, { method: 'DELETE', path: '/agents/current-1' })).status).toBe(204);
    const ids = async (path: string) =>
      (JSON.parse((await send(base, { path })).body) as { agents: { id: string }[] }).agents.map((a) => a.id);
    // Registered but never heartbeated, the legacy agent is `pending`: not listed by default.
    expect(await ids('/agents')).toEqual(['current-1']);
    expect(
      (await postJson(base, '/heartbeat', { agent_id: 'legacy-1', status: 'healthy', metadata: {} })).status,
    ).toBe(200);
    expect((await ids('/agents')).sort()).toEqual(['current-1', 'legacy-1']);
    expect(await ids('/agents?status=unhealthy')).toEqual(['current-1']);
  });
});
