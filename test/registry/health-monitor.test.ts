import { describe, expect, it } from 'vitest';
import { nowMicros } from '../../src/shared/clock.js';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
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

    // Age the heartbeats as if time had passed: 70 s ago (> 60 of mesh-agent, > 60 of critical),
    // in the stored times (what /health/{id} reads) and for the sweep, which judges by its own
    // clock from when it saw the heartbeat, not by a stored time.
    for (const id of ['old', 'older']) {
      const agent = registry.store.getAgent(id)!;
      await registry.store.upsertAgent({ ...agent, lastHeartbeat: nowMicros() - 70 * S });
    }
    const applied = await registry.app.healthMonitor.sweep(nowMicros() + 70 * S);
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

  it("returns a job to the pool when its holder's lease expires or the holder is swept unhealthy", async () => {
    await using registry = await startRegistry();
    const job = async (body: object) =>
      JSON.parse((await postJson(registry.baseUrl, '/jobs', body)).body).id as string;
    const claim = (capability: string, instance: string) =>
      postJson(registry.baseUrl, '/jobs/claim', { capability, instance_id: instance });
    const read = async (id: string) =>
      JSON.parse((await send(registry.baseUrl, { path: `/jobs/${id}` })).body);
    expect((await postJson(registry.baseUrl, '/heartbeat', heartbeatBody('holder-1a2b3c4d'))).status).toBe(
      200,
    );
    const base = { submitted_by: 'consumer', submitted_payload: {} };
    const short = await job({ ...base, capability: 'short', max_duration: 1 });
    const held = await job({ ...base, capability: 'held' });
    await claim('short', 'holder-1a2b3c4d');
    await claim('held', 'holder-1a2b3c4d');

    // The holder is alive: nothing changes until a lease runs out.
    await registry.app.healthMonitor.sweep();
    expect(await read(held)).toMatchObject({ status: 'working', owner_instance_id: 'holder-1a2b3c4d' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await registry.app.healthMonitor.sweep();
    expect(await read(short)).toMatchObject({
      status: 'working',
      owner_instance_id: null,
      lease_expires_at: null,
    });

    // Silent for 30 s (more than the 20 s threshold): unhealthy, and its job an orphan.
    const applied = await registry.app.healthMonitor.sweep(nowMicros() + 30 * S);
    expect(applied.map((c) => c.toStatus)).toEqual(['unhealthy']);
    expect(await read(held)).toMatchObject({ status: 'working', owner_instance_id: null, attempt_count: 1 });
    expect(JSON.parse((await claim('held', 'holder-2')).body).claimed[0]).toMatchObject({ claim_epoch: 2 });
  });
});
