import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, send } from '../helpers/http-request.js';
import { spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl } from '../helpers/test-database.js';

const dir = tempDir('mesh-crash-');
const env: Record<string, string> = {};
beforeAll(async () => {
  env.MCP_MESH_DATABASE_URL = await freshDatabaseUrl(dir.path, 'crash.db');
});
afterAll(() => dir[Symbol.dispose]());

function registration(i: number) {
  return {
    agent_id: `agent-${i}`,
    metadata: {
      name: `Agent ${i}`,
      namespace: i % 2 === 0 ? 'even' : 'odd',
      agent_type: i % 3 === 0 ? 'worker' : 'file_agent',
      endpoint: `http://127.0.0.1:${10_000 + i}/mcp`,
      tags: { shard: String(i % 7) },
      capabilities: [
        { name: `cap_${i}`, version: '1.2.3', description: `capability ${i}`, tags: ['t1', `n${i}`] },
      ],
      dependencies: [`dep-${i}`],
      health_interval: 5 + (i % 10),
      security_context: 'standard',
      metadata: { index: i, nested: { ok: true } },
    },
    timestamp: '2025-06-08T10:00:00.000000',
  };
}

interface ListedAgent {
  id: string;
  status: string;
  last_heartbeat: string | null;
  [key: string]: unknown;
}

async function listAll(baseUrl: string): Promise<Map<string, ListedAgent>> {
  const all = new Map<string, ListedAgent>();
  for (const status of ['pending', 'healthy']) {
    const res = await send(baseUrl, { path: `/agents?status=${status}` });
    for (const agent of (JSON.parse(res.body) as { agents: ListedAgent[] }).agents) all.set(agent.id, agent);
  }
  return all;
}

describe('acknowledged writes survive kill -9', () => {
  it('keeps every acknowledged registration and heartbeat, with every field', async () => {
    let registry = await spawnRegistry(undefined, env);
    const total = 300;
    const acked = new Set<string>();
    const heartbeatAcked = new Set<string>();
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const res = await postJson(registry.baseUrl, '/agents/register_with_metadata', registration(i));
        if (res.status === 201) acked.add(`agent-${i}`);
        if (i % 2 === 0 && res.status === 201) {
          const hb = await postJson(registry.baseUrl, '/heartbeat', { agent_id: `agent-${i}` });
          if (hb.status === 200) heartbeatAcked.add(`agent-${i}`);
        }
      }),
    );
    const beforeKill = await listAll(registry.baseUrl);
    // Right after the last acknowledgement: no graceful shutdown, no flush.
    registry.child.kill('SIGKILL');
    await registry.exited;

    expect(acked.size).toBe(total);
    registry = await spawnRegistry(undefined, env);
    try {
      const afterRestart = await listAll(registry.baseUrl);
      for (const id of acked) {
        const agent = afterRestart.get(id);
        expect(agent, id).toBeDefined();
        expect(agent).toEqual(beforeKill.get(id));
      }
      for (const id of heartbeatAcked) {
        expect(afterRestart.get(id)?.status).toBe('healthy');
        expect(afterRestart.get(id)?.last_heartbeat).not.toBeNull();
      }
      const sample = afterRestart.get('agent-3')!;
      expect(sample).toMatchObject({
        name: 'agent-3',
        namespace: 'odd',
        agent_type: 'worker',
        timeout_threshold: 45,
        eviction_threshold: 90,
        labels: { shard: '3' },
        config: { index: 3, nested: { ok: true } },
        capabilities: [{ name: 'cap_3', tags: ['t1', 'n3'], version: '1.2.3' }],
      });
    } finally {
      await registry[Symbol.asyncDispose]();
    }
  });
});
