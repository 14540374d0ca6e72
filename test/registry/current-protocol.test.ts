import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';
import { REPO_ROOT } from '../helpers/registry-process.js';

interface Exchange {
  method: string;
  path: string;
  request_body?: Record<string, unknown> & { agent_id: string; tools: Record<string, unknown>[] };
  status: number;
  response_body: Record<string, unknown> | null;
}
const session = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'current', 'sdk-3.8.0-session.json'), 'utf8'),
) as { exchanges: Exchange[] };
const [providerBody, consumerBody] = [
  session.exchanges[0]!.request_body!,
  session.exchanges[1]!.request_body!,
];
const expectedResolution = (
  session.exchanges[1]!.response_body!.dependencies_resolved as Record<string, unknown[]>
).make_report![0];
const NANOS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

const head = async (baseUrl: string, id: string) =>
  (await send(baseUrl, { method: 'HEAD', path: `/heartbeat/${id}` })).status;
const heartbeat = async (baseUrl: string, body: unknown) => {
  const res = await postJson(baseUrl, '/heartbeat', body);
  return {
    status: res.status,
    json: JSON.parse(res.body) as Record<string, unknown> & {
      dependencies_resolved: Record<string, unknown[]>;
    },
  };
};

describe('the current protocol with the recorded SDK 3.8.0 session', () => {
  it('registers, resolves, signals topology changes and deregisters as the SDK expects', async () => {
    await using registry = await startRegistry();
    const url = registry.baseUrl;

    const provider = await heartbeat(url, providerBody);
    expect(provider.status).toBe(200);
    expect(Object.keys(provider.json)).toEqual([
      'agent_id',
      'dependencies_resolved',
      'llm_tools',
      'message',
      'status',
      'timestamp',
    ]);
    expect(provider.json).toMatchObject({
      agent_id: providerBody.agent_id,
      dependencies_resolved: {},
      llm_tools: {},
      message: 'Agent registered via heartbeat',
      status: 'success',
    });
    expect(provider.json.timestamp).toMatch(NANOS_Z);

    const consumer = await heartbeat(url, consumerBody);
    expect(consumer.json.message).toBe('Agent registered via heartbeat');
    expect(JSON.stringify(consumer.json.dependencies_resolved.make_report)).toBe(
      JSON.stringify([expectedResolution]),
    );

    expect(await head(url, providerBody.agent_id)).toBe(200);
    expect(await head(url, consumerBody.agent_id)).toBe(200);

    // The provider comes back with another version: the consumer is told to re-resolve.
    const tools = providerBody.tools.map((t) =>
      t.function_name === 'get_date' ? { ...t, version: '1.1.0' } : t,
    );
    expect((await heartbeat(url, { ...providerBody, tools })).json.message).toBe(
      'Agent updated via heartbeat',
    );
    expect(await head(url, consumerBody.agent_id)).toBe(202);
    expect((await heartbeat(url, consumerBody)).json.message).toBe('Agent updated via heartbeat');
    expect(await head(url, consumerBody.agent_id)).toBe(200);

    // The provider deregisters: unhealthy, 410 on its HEAD, unresolved for the consumer.
    expect((await send(url, { method: 'DELETE', path: `/agents/${providerBody.agent_id}` })).status).toBe(
      204,
    );
    expect(await head(url, providerBody.agent_id)).toBe(410);
    expect(await head(url, consumerBody.agent_id)).toBe(202);
    const after = await heartbeat(url, consumerBody);
    expect(JSON.stringify(after.json.dependencies_resolved.make_report)).toBe(
      JSON.stringify([
        { agent_id: '', capability: 'date_service', endpoint: '', function_name: '', status: 'unresolved' },
      ]),
    );

    // A full heartbeat brings it back.
    await heartbeat(url, providerBody);
    expect(await head(url, consumerBody.agent_id)).toBe(202);
    expect((await heartbeat(url, consumerBody)).json.dependencies_resolved.make_report![0]).toMatchObject({
      status: 'available',
    });

    // GET /agents: both listed with the fields meshctl reads; a deregistered agent stays listed,
    // unhealthy (as the Go registry lists it), and `status=healthy` leaves it out.
    expect((await send(url, { method: 'DELETE', path: `/agents/${consumerBody.agent_id}` })).status).toBe(
      204,
    );
    const all = JSON.parse((await send(url, { path: '/agents' })).body) as {
      agents: { id: string; status: string }[];
    };
    expect(all.agents.map((a) => [a.id, a.status])).toEqual([
      [providerBody.agent_id, 'healthy'],
      [consumerBody.agent_id, 'unhealthy'],
    ]);
    const healthy = JSON.parse((await send(url, { path: '/agents?status=healthy' })).body) as {
      agents: Record<string, unknown>[];
    };
    expect(healthy.agents.map((a) => a.id)).toEqual([providerBody.agent_id]);
    expect(healthy.agents[0]).toMatchObject({
      name: 'date-provider',
      status: 'healthy',
      endpoint: 'http://127.0.0.1:18022',
      runtime: 'python',
      version: '1.0.0',
      total_dependencies: 0,
    });
    const unhealthy = JSON.parse((await send(url, { path: '/agents?status=unhealthy' })).body) as {
      agents: Record<string, unknown>[];
    };
    expect(unhealthy.agents[0]).toMatchObject({
      id: consumerBody.agent_id,
      total_dependencies: 1,
      dependencies_resolved: 1,
    });
  });

  it('lets a legacy capability satisfy a current dependency', async () => {
    await using registry = await startRegistry();
    const url = registry.baseUrl;
    await postJson(url, '/agents/register_with_metadata', {
      agent_id: 'legacy-dates',
      metadata: {
        endpoint: 'http://127.0.0.1:9100/mcp',
        capabilities: [{ name: 'date_service', version: '1.0.0', tags: ['system'] }],
      },
      timestamp: 't',
    });
    await postJson(url, '/heartbeat', { agent_id: 'legacy-dates' });
    const consumer = await heartbeat(url, consumerBody);
    expect(consumer.json.dependencies_resolved.make_report![0]).toMatchObject({
      agent_id: 'legacy-dates',
      endpoint: 'http://127.0.0.1:9100/mcp',
      function_name: 'date_service',
      status: 'available',
    });
  });

  it('marks a silent current agent unhealthy after the timeout, and its consumers hear of it', async () => {
    await using registry = await startRegistry({
      env: { DEFAULT_TIMEOUT_THRESHOLD: '0.5', HEALTH_CHECK_INTERVAL: '0.1' },
    });
    const url = registry.baseUrl;
    await heartbeat(url, providerBody);
    await heartbeat(url, consumerBody);
    const deadline = Date.now() + 5000;
    let status = 200;
    while (Date.now() < deadline) {
      // Keep the consumer alive; the provider stays silent.
      status = await head(url, consumerBody.agent_id);
      if (status === 202) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(202);
    expect(registry.store.getAgent(providerBody.agent_id)?.status).toBe('unhealthy');
    expect(await head(url, providerBody.agent_id)).toBe(410);
  });

  it('tells a consumer to re-resolve when something down a required chain changes', async () => {
    await using registry = await startRegistry();
    const url = registry.baseUrl;
    const agent = (id: string, tools: Record<string, unknown>[]) => ({
      agent_id: id,
      http_port: 9200,
      tools,
    });
    const middle = (required: boolean) =>
      agent('middle', [
        { function_name: 'mid', capability: 'mid', dependencies: [{ capability: 'base', required }] },
      ]);
    const top = agent('top', [
      { function_name: 'use', capability: 'top', dependencies: [{ capability: 'mid' }] },
    ]);
    await heartbeat(url, agent('bottom', [{ function_name: 'base', capability: 'base' }]));
    await heartbeat(url, middle(true));
    expect((await heartbeat(url, top)).json.dependencies_resolved.use![0]).toMatchObject({
      agent_id: 'middle',
    });
    expect(await head(url, 'top')).toBe(200);

    // The bottom goes down: the middle is unavailable, so the top must hear of it.
    expect((await send(url, { method: 'DELETE', path: '/agents/bottom' })).status).toBe(204);
    expect(await head(url, 'top')).toBe(202);
    expect((await heartbeat(url, top)).json.dependencies_resolved.use![0]).toMatchObject({
      status: 'unresolved',
    });
    expect(await head(url, 'top')).toBe(200);

    // The middle drops the requirement: available again, and the top hears of that too.
    await heartbeat(url, middle(false));
    expect(await head(url, 'top')).toBe(202);
    expect((await heartbeat(url, top)).json.dependencies_resolved.use![0]).toMatchObject({
      agent_id: 'middle',
    });
  });
});

describe('bad input on the current protocol never becomes a 500', () => {
  const agent = { agent_id: 'a1', tools: [{ function_name: 'f', capability: 'c' }] };
  const cases: [string, string, string, unknown, number][] = [
    ['tools not an array', 'POST', '/heartbeat', { agent_id: 'a', tools: 'x' }, 400],
    [
      'tool without capability',
      'POST',
      '/heartbeat',
      { agent_id: 'a', tools: [{ function_name: 'f' }] },
      400,
    ],
    [
      'tool without function_name',
      'POST',
      '/heartbeat',
      { agent_id: 'a', tools: [{ capability: 'c' }] },
      400,
    ],
    ['numeric agent_id', 'POST', '/heartbeat', { agent_id: 5, tools: [] }, 400],
    ['missing agent_id', 'POST', '/heartbeat', { tools: [] }, 400],
    ['http_port as a string', 'POST', '/heartbeat', { ...agent, http_port: '80' }, 400],
    ['http_port out of range', 'POST', '/heartbeat', { ...agent, http_port: 70000 }, 400],
    [
      'dependencies as an object',
      'POST',
      '/heartbeat',
      { agent_id: 'a', tools: [{ function_name: 'f', capability: 'c', dependencies: {} }] },
      400,
    ],
    [
      'dependency without capability',
      'POST',
      '/heartbeat',
      { agent_id: 'a', tools: [{ function_name: 'f', capability: 'c', dependencies: [{}] }] },
      400,
    ],
    [
      'tags with numbers',
      'POST',
      '/heartbeat',
      { agent_id: 'a', tools: [{ function_name: 'f', capability: 'c', tags: [1] }] },
      400,
    ],
    [
      'kwargs as a list',
      'POST',
      '/heartbeat',
      { agent_id: 'a', tools: [{ function_name: 'f', capability: 'c', kwargs: [] }] },
      400,
    ],
    ['tools null', 'POST', '/heartbeat', { agent_id: 'a', tools: null }, 400],
    ['HEAD of an unknown agent', 'HEAD', '/heartbeat/nobody', undefined, 410],
    [
      'DELETE of an unknown agent (idempotent, as the Go registry)',
      'DELETE',
      '/agents/nobody',
      undefined,
      204,
    ],
  ];

  it.each(cases)('answers %s with %s %s → %i', async (_name, method, path, body, status) => {
    await using registry = await startRegistry();
    await postJson(registry.baseUrl, '/heartbeat', agent);
    const res = await send(registry.baseUrl, {
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBe(status);
    if (status === 400) {
      const json = JSON.parse(res.body);
      expect(Object.keys(json)).toEqual(['error', 'timestamp']);
      expect(json.error).toMatch(/^Invalid heartbeat: /);
    } else if (status === 204) {
      expect(res.body).toBe('');
    } else if (method !== 'HEAD') {
      expect(Object.keys(JSON.parse(res.body))).toEqual(['detail']);
    }
    expect(registry.store.getAgent('a1')?.status).toBe('healthy');
  });
});

describe('retention of unhealthy agents', () => {
  it('purges a deregistered current agent once MCP_MESH_RETENTION has passed, and keeps legacy agents', async () => {
    await using registry = await startRegistry({ env: { MCP_MESH_RETENTION: '200ms' } });
    await heartbeat(registry.baseUrl, providerBody);
    await send(registry.baseUrl, { method: 'DELETE', path: `/agents/${providerBody.agent_id}` });
    await postJson(registry.baseUrl, '/agents/register_with_metadata', {
      agent_id: 'old-style',
      metadata: {},
      timestamp: 't',
    });
    await new Promise((r) => setTimeout(r, 300));
    await registry.app.healthMonitor.sweep();
    expect(registry.store.getAgent(providerBody.agent_id)).toBeUndefined();
    expect(registry.store.getAgent('old-style')).toBeDefined();
    expect(await head(registry.baseUrl, providerBody.agent_id)).toBe(410);
  });
});
