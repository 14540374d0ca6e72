/**
 * Names that are also properties of every JavaScript object, and a legacy heartbeat for an agent
 * of the current protocol that has left: neither may break listings or bring the agent back.
 */
import { describe, expect, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('names that are properties of every object', () => {
  it('list, resolve and answer heartbeats for tools, capabilities and dependencies named like them', async () => {
    await using registry = await startRegistry();
    const tools = NAMES.map((name) => ({
      function_name: name,
      capability: name,
      version: '1.0.0',
      tags: [name],
      dependencies: [{ capability: name === '__proto__' ? 'constructor' : '__proto__', tags: [] }],
    }));
    const provider = await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('odd-abc12345', { tools }));
    expect(provider.status).toBe(200);
    const resolved = JSON.parse(provider.body) as { dependencies_resolved: Record<string, unknown> };
    expect(Object.keys(resolved.dependencies_resolved).sort()).toEqual([...NAMES].sort());
    const consumer = await postJson(
      registry.baseUrl,
      '/heartbeat',
      heartbeatBody('user-abc12345', {
        tools: [
          {
            function_name: 'use',
            capability: 'use',
            dependencies: NAMES.map((capability) => ({ capability })),
          },
        ],
      }),
    );
    expect(consumer.status).toBe(200);
    const llm = await postJson(
      registry.baseUrl,
      '/heartbeat',
      heartbeatBody('llm-abc12345', {
        tools: [
          {
            function_name: 'constructor',
            capability: 'chat',
            llm_filter: {
              filter: NAMES.map((capability) => ({ capability, tags: [capability] })),
              filter_mode: 'all',
            },
            llm_provider: { capability: 'constructor', tags: ['__proto__'] },
            kwargs: { __proto__: 1, constructor: 2 },
          },
        ],
      }),
    );
    expect(llm.status, llm.body).toBe(200);
    const legacy = await postJson(registry.baseUrl, '/agents/register_with_metadata', {
      agent_id: 'legacy-odd',
      timestamp: 't',
      metadata: {
        name: 'legacy-odd',
        tags: { __proto__: 'x', constructor: 'y' },
        capabilities: NAMES.map((name) => ({ name: name.replace(/_/g, 'x'), tags: [name] })),
        dependencies: NAMES,
      },
    });
    expect(legacy.status, legacy.body).toBe(201);
    for (const path of [
      '/agents',
      '/agents?capability=constructor',
      '/agents?capability=toString&fuzzy_match=true',
      '/agents?label_selector=constructor%3Dy',
      '/capabilities',
      '/capabilities?name=constructor',
      '/a2a/agents',
      '/schemas',
      '/metrics',
      '/metrics/prometheus',
      '/health',
    ]) {
      const res = await send(registry.baseUrl, { path });
      expect(res.status, `${path}: ${res.body.slice(0, 200)}`).toBe(200);
    }
    const listed = JSON.parse((await send(registry.baseUrl, { path: '/agents' })).body) as {
      agents: { id: string; capabilities?: { name: string }[] }[];
    };
    expect(listed.agents.map((a) => a.id)).toEqual(
      expect.arrayContaining(['odd-abc12345', 'user-abc12345', 'llm-abc12345']),
    );
  });
});

describe('a legacy heartbeat for a current-protocol agent that deregistered', () => {
  it('does not make it healthy as it was: HEAD asks for its full registration (202) until it sends one', async () => {
    await using registry = await startRegistry();
    const id = 'gone-abc12345';
    const head = async () =>
      (await send(registry.baseUrl, { method: 'HEAD', path: `/heartbeat/${id}` })).status;
    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody(id))).status).toBe(200);
    expect(await head()).toBe(200);
    expect((await send(registry.baseUrl, { method: 'DELETE', path: `/agents/${id}` })).status).toBe(204);
    expect(await head()).toBe(410);
    // The Go registry 3.7.1 answers the first HEAD after such a heartbeat 202 as well.
    for (const body of [{ agent_id: id, status: 'healthy', metadata: {} }, { agent_id: id }]) {
      expect((await postJson(registry.baseUrl, '/heartbeat', body)).status).toBe(200);
      expect(await head()).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await head()).toBe(202);
    }
    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody(id))).status).toBe(200);
    expect(await head()).toBe(200);
  });
});
