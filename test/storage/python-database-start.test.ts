import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-request.js';
import { REPO_ROOT, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A database file as the Python registry left it (see write-python-registry-db.py beside it). */
const PYTHON_DATABASE = join(REPO_ROOT, 'test', 'fixtures', 'python-registry-db', 'python-registry.db');

/** No inherited database variables (so the default file is used); no sweep during the test. */
const ENV = { MCP_MESH_DATABASE_URL: '', DATABASE_URL: '', HEALTH_CHECK_INTERVAL: '3600' };

interface AgentsAnswer {
  agents: Array<Record<string, unknown> & { id: string; capabilities: Array<{ name: string }> }>;
  count: number;
}

async function agentsOf(baseUrl: string, query: string): Promise<AgentsAnswer> {
  const res = await send(baseUrl, { path: `/agents${query}` });
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as AgentsAnswer;
}

describe("the executable's first start on a Python registry's database file", () => {
  it('imports its agents, serves them on GET /agents, and keeps them once across restarts', async () => {
    using dir = tempDir();
    // Where the Python registry kept it, and where ours looks by default: ./mcp_mesh_registry.db.
    copyFileSync(PYTHON_DATABASE, join(dir.path, 'mcp_mesh_registry.db'));

    for (const start of ['first', 'second']) {
      const registry = await spawnRegistry(undefined, ENV, 20_000, { cwd: dir.path });
      try {
        const healthy = await agentsOf(registry.baseUrl, '');
        expect(healthy.count, `${start} start`).toBe(1);
        expect(healthy.agents[0]).toMatchObject({
          id: '5c1e8f0a-6a0e-4c1b-9a51-000000000001',
          name: 'weather-service',
          namespace: 'prod',
          endpoint: 'http://weather:8080',
          status: 'healthy',
          labels: { env: 'prod', team: "o'neil" },
          config: { region: 'eu', cache: true, ttl: null },
          dependencies: ['geo-lookup'],
          health_interval: 30,
          agent_type: 'mesh-agent',
          resource_version: '1749376830000',
          created_at: '2025-06-08T10:00:00.123456Z',
          last_heartbeat: '2025-06-08T10:00:30.000001Z',
        });
        expect(healthy.agents[0]!.capabilities.map((c) => c.name).sort()).toEqual([
          'get_alerts',
          'get_forecast',
        ]);

        const pending = await agentsOf(registry.baseUrl, '?status=pending');
        expect(pending.agents.map((a) => [a.name, a.capabilities.map((c) => c.name)])).toEqual([
          ['hello-world', ['greet']],
        ]);
        const degraded = await agentsOf(registry.baseUrl, '?status=degraded');
        expect(degraded.agents.map((a) => [a.name, a.security_context])).toEqual([
          ['file-agent', 'standard'],
        ]);

        const capabilities = await send(registry.baseUrl, { path: '/capabilities?name=get_forecast' });
        expect(JSON.parse(capabilities.body)).toMatchObject({
          count: 1,
          capabilities: [{ name: 'get_forecast', version: '2.1.0', description: 'Weather forecast' }],
        });
      } finally {
        registry.child.kill('SIGTERM');
        expect(await registry.exited).toBe(0);
      }
    }
  });
});
