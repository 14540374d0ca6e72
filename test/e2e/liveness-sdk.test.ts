import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { send } from '../helpers/http-request.js';
import { ensureVenv } from '../helpers/python-env.js';
import { REPO_ROOT, type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { type StallingProxy, startStallingProxy } from '../helpers/stalling-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type AgentProcess, startAgent, waitFor } from './agent-process.js';
import { callTool } from './mesh-call.js';

/**
 * How soon a dead agent leaves its consumers, with the registry's defaults (20 s timeout, checks
 * of a late agent's endpoint after 5.5 s) and the published SDK 3.8.0 unchanged (a HEAD every
 * 5 s). What a consumer holds is read from `dependency_state` of agents/dependency_watcher.py,
 * which answers without calling the provider.
 */
const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');
const TIMEOUT_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Mesh extends AsyncDisposable {
  registry: RegistryProcess;
  provider: AgentProcess;
  watcherUrl: string;
  /** What the watcher holds now: `injected` or `none`. */
  state(): Promise<string>;
  providerStatus(): Promise<string | undefined>;
}

/** A registry with its defaults, a provider (env given) and the watcher, wired up. */
async function startMesh(
  providerEnv: (registryUrl: string) => Promise<Record<string, string>>,
): Promise<Mesh> {
  const { python } = await ensureVenv('3.8.0');
  const dir = tempDir('mesh-liveness-');
  const registry = await spawnRegistry(undefined, {
    MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'liveness.db')}`,
  });
  const watcherPort = await freePort();
  const env = {
    MCP_MESH_REGISTRY_URL: registry.baseUrl,
    MCP_MESH_DEBUG_MODE: 'false',
    // On a busy machine the SDK's server can take longer than the SDK's 30 s gate to serve, and an
    // agent that went past the gate answered 404 on /mcp for good.
    MCP_MESH_SERVER_STARTUP_TIMEOUT: '120',
  };
  const provider = startAgent(python, join(AGENTS, 'provider.py'), {
    ...env,
    ...(await providerEnv(registry.baseUrl)),
  });
  // One at a time: two SDK agents starting together on a busy machine can miss the SDK's own
  // 30 s serving gate.
  await waitFor(
    async () => (await send(registry.baseUrl, { path: '/agents' })).body,
    (body) => body.includes('date-provider'),
    90_000,
    'the provider to register',
  ).catch(async (error: unknown) => {
    await provider.kill('SIGKILL');
    throw new Error(`${String(error)}\nprovider:\n${provider.output().slice(-3000)}`);
  });
  const watcher = startAgent(python, join(AGENTS, 'dependency_watcher.py'), {
    ...env,
    WATCHER_PORT: String(watcherPort),
  });
  const watcherUrl = `http://127.0.0.1:${watcherPort}`;
  const mesh: Mesh = {
    registry,
    provider,
    watcherUrl,
    state: () => callTool(watcherUrl, 'dependency_state'),
    async providerStatus() {
      const { body } = await send(registry.baseUrl, { path: '/agents' });
      const agents = (JSON.parse(body) as { agents: { name: string; status: string }[] }).agents;
      return agents.find((a) => a.name === 'date-provider')?.status;
    },
    async [Symbol.asyncDispose]() {
      await provider.kill('SIGKILL');
      await watcher.kill('SIGKILL');
      await registry[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    },
  };
  try {
    await waitFor(mesh.state, (s) => s === 'injected', 90_000, 'the watcher to hold the provider');
  } catch (error) {
    await mesh[Symbol.asyncDispose]();
    throw new Error(
      `${String(error)}\nprovider:\n${provider.output().slice(-3000)}\nwatcher:\n${watcher.output().slice(-3000)}`,
    );
  }
  return mesh;
}

/** Polls the watcher every 200 ms until it answers `none`; the time from `since`, in ms. */
async function goneAfter(mesh: Mesh, since: number, withinMs: number): Promise<number> {
  while (Date.now() - since < withinMs) {
    if ((await mesh.state().catch(() => 'injected')) === 'none') return Date.now() - since;
    await sleep(200);
  }
  throw new Error(`the provider was still injected ${withinMs} ms later`);
}

describe('liveness with real agents of the published SDK 3.8.0, registry defaults', () => {
  it('a SIGKILLed provider is gone from its consumer within 12 s', { timeout: 240_000 }, async () => {
    const providerPort = await freePort();
    await using mesh = await startMesh(async () => ({ PROVIDER_PORT: String(providerPort) }));
    // Right after a HEAD of the provider would be its worst case; any moment is a fair sample.
    const killedAt = Date.now();
    await mesh.provider.kill('SIGKILL');
    const gone = await goneAfter(mesh, killedAt, 30_000);
    expect(gone).toBeLessThan(12_000);
    expect(await mesh.providerStatus()).toBe('unhealthy');
  });

  it('a provider whose host goes silent stays until its timeout and is gone within the timeout plus 5 s', {
    timeout: 240_000,
  }, async () => {
    const providerPort = await freePort();
    // Its heartbeats go through a proxy that falls silent. (The SDK registers the port it binds,
    // whatever MCP_MESH_HTTP_ENDPOINT says, so the registry's check of its endpoint still finds
    // the process listening: no refusal, which is all a silent host gives too.)
    let toRegistry: StallingProxy | undefined;
    await using mesh = await startMesh(async (registryUrl) => {
      toRegistry = await startStallingProxy(Number(new URL(registryUrl).port));
      return {
        PROVIDER_PORT: String(providerPort),
        MCP_MESH_REGISTRY_URL: `http://127.0.0.1:${toRegistry.port}`,
      };
    });
    await using _registryProxy = toRegistry!;
    const silentAt = Date.now();
    toRegistry!.stall();
    // Its last heartbeat came at most one 5 s interval before: it is healthy for at least 15 s.
    while (Date.now() - silentAt < TIMEOUT_MS - 6_000) {
      expect(await mesh.state()).toBe('injected');
      await sleep(500);
    }
    const gone = await goneAfter(mesh, silentAt, 40_000);
    expect(gone).toBeLessThan(TIMEOUT_MS + 5_000 + 1_000);
    expect(await mesh.providerStatus()).toBe('unhealthy');
  });

  it('a provider paused with SIGSTOP for 8 s is never marked unhealthy', { timeout: 240_000 }, async () => {
    const providerPort = await freePort();
    await using mesh = await startMesh(async () => ({ PROVIDER_PORT: String(providerPort) }));
    const pid = mesh.provider.child.pid!;
    const seen = new Set<string>();
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      while (Date.now() - stoppedAt < 8_000) {
        seen.add(`${await mesh.state()}/${await mesh.providerStatus()}`);
        await sleep(250);
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // And after it resumes, through its next heartbeats.
    const resumedAt = Date.now();
    while (Date.now() - resumedAt < 12_000) {
      seen.add(`${await mesh.state()}/${await mesh.providerStatus()}`);
      await sleep(250);
    }
    expect([...seen]).toEqual(['injected/healthy']);
  });

  it('a flapping provider (its network gone and back every few seconds) leaves at most once per timeout', {
    timeout: 300_000,
  }, async () => {
    const providerPort = await freePort();
    let toRegistry: StallingProxy | undefined;
    await using mesh = await startMesh(async (registryUrl) => {
      toRegistry = await startStallingProxy(Number(new URL(registryUrl).port));
      return {
        PROVIDER_PORT: String(providerPort),
        MCP_MESH_REGISTRY_URL: `http://127.0.0.1:${toRegistry.port}`,
      };
    });
    await using _registryProxy = toRegistry!;
    // Off: heartbeats lost (7 s); on: through (4 s).
    const started = Date.now();
    const leftAt: number[] = [];
    let last = 'healthy';
    let isOff = false;
    let switchedAt = started;
    while (Date.now() - started < 50_000) {
      if (Date.now() - switchedAt >= (isOff ? 7_000 : 4_000)) {
        isOff = !isOff;
        switchedAt = Date.now();
        if (isOff) toRegistry!.stall();
        else toRegistry!.resume();
      }
      const status = (await mesh.providerStatus()) ?? 'gone';
      if (status !== 'healthy' && last === 'healthy') leftAt.push(Date.now());
      last = status;
      await sleep(200);
    }
    // Never twice within a timeout (with heartbeats lost for 7 s at a time, never at all).
    for (let i = 1; i < leftAt.length; i++) {
      expect(leftAt[i]! - leftAt[i - 1]!).toBeGreaterThanOrEqual(TIMEOUT_MS - 500);
    }
  });
});
