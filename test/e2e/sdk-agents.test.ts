import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { send } from '../helpers/http-request.js';
import { ensureMeshctl, ensureVenv, type SdkVersion } from '../helpers/python-env.js';
import { REPO_ROOT, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startAgent, waitFor } from './agent-process.js';
import { callTool } from './mesh-call.js';

const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');
const run = promisify(execFile);

interface Listed {
  id: string;
  name: string;
  status: string;
}
async function agentsWith(baseUrl: string, status = 'healthy'): Promise<Listed[]> {
  return (
    JSON.parse((await send(baseUrl, { path: `/agents?status=${status}` })).body) as { agents: Listed[] }
  ).agents;
}

async function scenario(sdk: SdkVersion, { withRestart }: { withRestart: boolean }) {
  const { python } = await ensureVenv(sdk);
  using dir = tempDir('mesh-e2e-');
  // The registry's own defaults: sweeps every 10 s, unhealthy after 20 s of silence.
  await using registry = await spawnRegistry(undefined, {
    MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'e2e.db')}`,
  });
  const [providerPort, consumerPort] = [await freePort(), await freePort()];
  const env = { MCP_MESH_REGISTRY_URL: registry.baseUrl, MCP_MESH_DEBUG_MODE: 'false' };
  const providerEnv = { ...env, PROVIDER_PORT: String(providerPort) };
  let provider = startAgent(python, join(AGENTS, 'provider.py'), providerEnv);
  const consumer = startAgent(python, join(AGENTS, 'consumer.py'), {
    ...env,
    CONSUMER_PORT: String(consumerPort),
  });
  const consumerUrl = `http://127.0.0.1:${consumerPort}`;
  try {
    await waitFor(
      () => agentsWith(registry.baseUrl),
      (a) => a.length === 2,
      60_000,
      'both agents healthy',
    );
    const wired = await waitFor(
      () => callTool(consumerUrl, 'make_report'),
      (text) => text.startsWith('report: 2026-11-24 from date-provider'),
      30_000,
      'the consumer to answer through the provider',
    );
    expect(wired).toBe('report: 2026-11-24 from date-provider');
    if (!withRestart) return { registry };

    // SIGKILL the provider: its consumer sees the dependency gone within 30 s.
    const killedAt = Date.now();
    await provider.kill('SIGKILL');
    await waitFor(
      () => callTool(consumerUrl, 'make_report'),
      (t) => t === 'report: no date_service',
      35_000,
      'the dependency to go',
    );
    expect(Date.now() - killedAt).toBeLessThan(35_000);
    const unhealthy = await agentsWith(registry.baseUrl, 'unhealthy');
    expect(unhealthy.map((a) => a.name)).toContain('date-provider');

    // Start it again: the dependency returns within a few seconds of its registration.
    provider = startAgent(python, join(AGENTS, 'provider.py'), providerEnv);
    await waitFor(
      () => callTool(consumerUrl, 'make_report'),
      (t) => t.startsWith('report: 2026-11-24 from date-provider'),
      45_000,
      'the dependency to return',
    );

    // SIGTERM the consumer: it deregisters and is no longer listed as healthy.
    await consumer.kill('SIGTERM');
    await waitFor(
      () => agentsWith(registry.baseUrl),
      (a) => !a.some((agent) => agent.name === 'report-consumer'),
      15_000,
      'the consumer to deregister',
    );
    return { registry };
  } finally {
    await provider.kill('SIGKILL');
    await consumer.kill('SIGKILL');
  }
}

describe('real agents of the published mcp-mesh SDK against our registry', () => {
  it('SDK 3.8.0: injects, loses on SIGKILL, regains, deregisters on SIGTERM; meshctl lists both', {
    timeout: 300_000,
  }, async () => {
    const { python } = await ensureVenv('3.8.0');
    const { meshctl } = await ensureMeshctl();
    using dir = tempDir('mesh-e2e-');
    await using registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'ls.db')}`,
    });
    const [pp, cp] = [await freePort(), await freePort()];
    const env = { MCP_MESH_REGISTRY_URL: registry.baseUrl };
    await using provider = startAgent(python, join(AGENTS, 'provider.py'), {
      ...env,
      PROVIDER_PORT: String(pp),
    });
    await using consumer = startAgent(python, join(AGENTS, 'consumer.py'), {
      ...env,
      CONSUMER_PORT: String(cp),
    });
    await waitFor(
      () => agentsWith(registry.baseUrl),
      (a) => a.length === 2,
      60_000,
      'both agents healthy',
    );
    const { stdout } = await run(meshctl, ['list', '--json', '--registry-url', registry.baseUrl], {
      timeout: 30_000,
    });
    const names = JSON.stringify(JSON.parse(stdout));
    expect(names).toContain('date-provider');
    expect(names).toContain('report-consumer');
    void provider;
    void consumer;
    await scenario('3.8.0', { withRestart: true });
  });

  it('SDK 1.0.0: registers and injects the dependency', { timeout: 300_000 }, async () => {
    await scenario('1.0.0', { withRestart: false });
  });
});
