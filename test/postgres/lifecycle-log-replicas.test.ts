import { afterEach, describe, expect, inject, it } from 'vitest';
import { heartbeatBody } from '../helpers/heartbeat-body.js';
import { postJson, send } from '../helpers/http-request.js';
import { type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { createPostgresDatabase } from '../helpers/test-database.js';

const running: RegistryProcess[] = [];
afterEach(async () => {
  for (const registry of running.splice(0)) await registry[Symbol.asyncDispose]();
});

/** The lifecycle lines (JSON format) a replica wrote about `agentId`. */
function lifecycleLines(registry: RegistryProcess, agentId: string): string[] {
  return registry
    .stderr()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { msg: string; agentId?: string })
    .filter((line) => line.agentId === agentId && line.msg.startsWith('agent '))
    .map((line) => line.msg);
}

describe('agent lifecycle lines with two replicas on one database', () => {
  it('are written once, by the replica that made the change, not by the one that pulled it', async () => {
    const url = await createPostgresDatabase(inject('postgresAdminUrl'));
    const [a, b] = await Promise.all(
      [0, 1].map(() => spawnRegistry(undefined, { MCP_MESH_DATABASE_URL: url, MCP_MESH_LOG_FORMAT: 'json' })),
    );
    running.push(a!, b!);
    const id = 'roamer-e5f6';
    expect((await postJson(a!.baseUrl, '/heartbeat', heartbeatBody(id))).status).toBe(200);
    // B has pulled it once it lists it; its DELETE then goes through B.
    const deadline = Date.now() + 10_000;
    while (!(await send(b!.baseUrl, { path: '/agents' })).body.includes(id)) {
      if (Date.now() > deadline) throw new Error('replica B never listed the agent');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await send(b!.baseUrl, { method: 'DELETE', path: `/agents/${id}` })).status).toBe(204);
    // A pulls the deregistration too (its listing shows the agent unhealthy) without logging it.
    while (!(await send(a!.baseUrl, { path: '/agents?status=unhealthy' })).body.includes(id)) {
      if (Date.now() > deadline) throw new Error('replica A never saw the deregistration');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Pino writes asynchronously: give its last lines a moment.
    await new Promise((r) => setTimeout(r, 300));
    expect(lifecycleLines(a!, id)).toEqual(['agent registered']);
    expect(lifecycleLines(b!, id)).toEqual(['agent deregistered']);
  });
});
