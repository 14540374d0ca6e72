/**
 * The listing caches are bounded by bytes: distinct queries over large agents cannot grow the
 * registry's memory past the budget (by count alone they held 1,000 listings).
 */
import { describe, expect, it } from 'vitest';
import { RESPONSE_CACHE_BUDGET_BYTES } from '../../src/registry/http/registry-state.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

/** An agent of about 1 MB: 20 tools with 50,000-character descriptions. */
const largeAgent = (id: string) =>
  heartbeatBody(id, {
    tools: Array.from({ length: 20 }, (_, i) => ({
      function_name: `tool_${i}`,
      capability: `cap_${i}`,
      version: '1.0.0',
      description: `${id} ${i} `.padEnd(50_000, 'x'),
    })),
  });

describe('listing caches', () => {
  it('stay within their byte budget over many distinct listings of large agents, and answer as before', async () => {
    await using registry = await startRegistry();
    for (const id of ['big-aaa11111', 'big-bbb22222']) {
      expect((await postJson(registry.baseUrl, '/heartbeat', largeAgent(id))).status).toBe(200);
    }
    let listed = 0;
    for (let i = 0; i < 45; i += 1) {
      const res = await send(registry.baseUrl, { path: `/agents?version_constraint=%3E%3D0.0.${i}` });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body) as { count: number };
      expect(body.count).toBe(2);
      listed += res.body.length * 2;
      const capabilities = await send(registry.baseUrl, {
        path: `/capabilities?version_constraint=%3E%3D0.0.${i}`,
      });
      expect(capabilities.status).toBe(200);
    }
    // Far more was listed than the budget holds; the caches kept within it.
    expect(listed).toBeGreaterThan(RESPONSE_CACHE_BUDGET_BYTES);
    expect(registry.app.agentsCache.sizeBytes).toBeGreaterThan(0);
    expect(registry.app.agentsCache.sizeBytes).toBeLessThanOrEqual(RESPONSE_CACHE_BUDGET_BYTES);
    expect(registry.app.capabilitiesCache.sizeBytes).toBeLessThanOrEqual(RESPONSE_CACHE_BUDGET_BYTES);
    // A cached listing is the one computed: the same query answers the same agents.
    const again = JSON.parse(
      (await send(registry.baseUrl, { path: '/agents?version_constraint=%3E%3D0.0.44' })).body,
    );
    expect(again.agents.map((a: { id: string }) => a.id)).toEqual(['big-aaa11111', 'big-bbb22222']);
  });
});
