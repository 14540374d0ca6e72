import { describe, expect, it } from 'vitest';
import { nextStatus } from '../../src/registry/health-monitor.js';
import { nowMicros } from '../../src/shared/clock.js';
import type { AgentRecord } from '../../src/storage/registry-store.js';
import { postJson, send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

const S = 1_000_000;
const base = { lastHeartbeat: 0, timeoutThreshold: 60, evictionThreshold: 120, protocol: 'legacy' } as const;
const at = (agent: Partial<AgentRecord>, ageSeconds: number) =>
  nextStatus({ ...base, ...agent } as AgentRecord, (agent.lastHeartbeat ?? 0) + ageSeconds * S, 20);

describe('the sweep rules of spec §6.3', () => {
  it.each([
    ['healthy', 60, undefined],
    ['healthy', 60.001, 'degraded'],
    ['healthy', 120.5, 'expired'],
    ['degraded', 100, undefined],
    ['degraded', 121, 'expired'],
    ['pending', 121, 'expired'],
    ['expired', 500, undefined],
  ] as const)('moves a %s legacy agent %s s after its heartbeat to %s', (status, age, expected) => {
    expect(at({ status }, age)).toBe(expected);
  });

  it('never touches an agent that has not heartbeat yet', () => {
    expect(
      nextStatus({ ...base, status: 'pending', lastHeartbeat: null } as AgentRecord, 10_000 * S, 20),
    ).toBeUndefined();
  });

  it('marks a current-protocol agent unhealthy after the timeout only', () => {
    expect(at({ status: 'healthy', protocol: 'current' }, 20)).toBeUndefined();
    expect(at({ status: 'healthy', protocol: 'current' }, 20.5)).toBe('unhealthy');
  });
});

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
