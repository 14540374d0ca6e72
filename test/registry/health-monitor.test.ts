import { describe, expect, it } from 'vitest';
import { nowMicros } from '../../src/shared/clock.js';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

const S = 1_000_000;

describe('the health monitor against a real store', () => {
  it('degrades and expires stale agents, invalidates listings, and a heartbeat revives them', async () => {
    await using registry = await startRegistry();
    const reg = (id: string, agentType?: string) =>
      postJson(registry.baseUrl, '/agents/register_with_metadata', {
        agent_id: id,
        metadata: agentType ? { agent_type: agentType } : {},
        timestamp: 't',
      });
    await reg('old');
    await reg('older', 'critical');
    await postJson(registry.baseUrl, '/heartbeat', { agent_id: 'old' });
    await postJson(registry.baseUrl, '/heartbeat', { agent_id: 'older' });
    expect(JSON.parse((await send(registry.baseUrl, { path: '/agents' })).body).count).toBe(2);

    // Age the heartbeats as if time had passed: 70 s ago (> 60 of mesh-agent, > 60 of critical).
    for (const id of ['old', 'older']) {
      const agent = registry.store.getAgent(id)!;
      await registry.store.upsertAgent({ ...agent, lastHeartbeat: nowMicros() - 70 * S });
    }
    const applied = await registry.app.healthMonitor.sweep();
    expect(applied.map((c) => [c.id, c.toStatus]).sort()).toEqual([
      ['old', 'degraded'],
      ['older', 'expired'],
    ]);
    const listed = JSON.parse((await send(registry.baseUrl, { path: '/agents' })).body);
    expect(listed.count).toBe(0);
    const health = JSON.parse((await send(registry.baseUrl, { path: '/health/older' })).body);
    expect(health).toMatchObject({ status: 'expired', is_expired: true });
    expect(health.message).toMatch(/^Agent expired - no heartbeat for 7\d\.\ds$/);

    expect((await postJson(registry.baseUrl, '/heartbeat', { agent_id: 'older' })).status).toBe(200);
    const revived = JSON.parse((await send(registry.baseUrl, { path: '/agents' })).body);
    expect(revived.agents.map((a: { id: string }) => a.id)).toEqual(['older']);
  });
});
