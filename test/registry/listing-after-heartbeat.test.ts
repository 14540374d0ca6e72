import { describe, expect, it } from 'vitest';
import { postJson } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';

interface ListedAgent {
  id: string;
  last_heartbeat: string | null;
  updated_at: string;
  resource_version: string;
}

async function listed(baseUrl: string, id: string): Promise<ListedAgent | undefined> {
  const res = await fetch(`${baseUrl}/agents`);
  const body = (await res.json()) as { agents: ListedAgent[] };
  return body.agents.find((agent) => agent.id === id);
}

describe('GET /agents after a legacy heartbeat', () => {
  it('shows the heartbeat’s times, although a steady heartbeat keeps the agent’s record (and its cached text)', async () => {
    await using registry = await startRegistry();
    const registered = await postJson(registry.baseUrl, '/agents/register_with_metadata', {
      agent_id: 'steady',
      metadata: {},
      timestamp: '2025-06-08T10:00:00.000000',
    });
    expect(registered.status).toBe(201);
    const seen: ListedAgent[] = [];
    for (let beat = 0; beat < 3; beat++) {
      const res = await postJson(registry.baseUrl, '/heartbeat', {
        agent_id: 'steady',
        status: 'healthy',
        metadata: {},
      });
      expect(res.status).toBe(200);
      seen.push((await listed(registry.baseUrl, 'steady'))!);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const stamps = seen.map((agent) => agent.last_heartbeat);
    expect(stamps.every((stamp) => stamp !== null)).toBe(true);
    expect(new Set(stamps).size).toBe(3);
    expect(new Set(seen.map((agent) => agent.resource_version)).size).toBe(3);
    for (const agent of seen) expect(agent.updated_at).toBe(agent.last_heartbeat);
  });
});
