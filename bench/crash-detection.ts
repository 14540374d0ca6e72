/**
 * How long a SIGKILLed provider stays in its consumer's injected dependencies: the time from the
 * SIGKILL to the consumer's first call that no longer has the provider (`report: no date_service`
 * from test/e2e/agents/consumer.py), with the published SDK 3.8.0 unchanged and each registry's
 * defaults, ours against the upstream Go registry 3.7.1. The kill falls at a random moment of the
 * provider's 5 s heartbeat cycle; the consumer is called every 250 ms.
 *
 *   node bench/crash-detection.ts [--rounds 5] [--no-go] [--load-agents 10000 --load-rate 2000]
 *
 * With `--load-agents N`, each registry also holds N simulated providers (bench/lib/agents.ts)
 * heartbeating by `HEAD` at `--load-rate`/s, open loop, from the bench's load worker: from 10 s
 * before the kill until 40 s after it; the load's own p99 is printed with each round.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startAgent } from '../test/e2e/agent-process.ts';
import { callTool } from '../test/e2e/mesh-call.ts';
import { ensureMeshctl, ensureVenv } from '../test/helpers/python-env.ts';
import { registerProviders } from './lib/agents.ts';
import { openLoad, stopLoadWorker } from './lib/load.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'no-go': { type: 'boolean', default: false },
    'load-agents': { type: 'string', default: '0' },
    'load-rate': { type: 'string', default: '2000' },
  },
});
const rounds = Number(values.rounds);
const loadAgents = Number(values['load-agents']);
const loadRate = Number(values['load-rate']);
/** The background load's length: 10 s before the kill, 40 s after. */
const LOAD_BEFORE_KILL_S = 10;
const LOAD_SECONDS = 50;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(probe: () => Promise<T>, isDone: (value: T) => boolean, limitMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      const value = await probe();
      if (isDone(value)) return value;
    } catch {}
    if (Date.now() - started > limitMs) throw new Error(`nothing within ${limitMs} ms`);
    await sleep(250);
  }
}

/** A registry (ours or Go) on a free port with a fresh SQLite file; its defaults otherwise. */
async function startRegistry(
  kind: 'ours' | 'go',
  dir: string,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child =
    kind === 'ours'
      ? spawn(
          process.execPath,
          [join(REPO_ROOT, 'bin', 'mcp-mesh-registry'), '--host', '127.0.0.1', '--port', String(port)],
          {
            env: {
              ...process.env,
              MCP_MESH_DATABASE_URL: `sqlite://${join(dir, 'ours.db')}`,
              MCP_MESH_ACCESS_LOG: 'false',
            },
            stdio: 'ignore',
          },
        )
      : spawn((await ensureMeshctl()).registry, [], {
          env: {
            PATH: process.env.PATH,
            HOME: dir,
            HOST: '127.0.0.1',
            PORT: String(port),
            DATABASE_URL: join(dir, 'go.db'),
            MCP_MESH_LOG_LEVEL: 'ERROR',
          },
          stdio: 'ignore',
        });
  const url = `http://127.0.0.1:${port}`;
  await until(
    () => fetch(`${url}/health`).then((r) => r.status),
    (s) => s === 200,
    30_000,
  );
  return { url, child };
}

async function round(kind: 'ours' | 'go', python: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-crash-'));
  const registry = await startRegistry(kind, dir);
  const [providerPort, consumerPort] = [await freePort(), await freePort()];
  // A busy machine can take the SDK's server past its own 30 s start-up gate: more time, and one
  // agent at a time.
  const env = {
    MCP_MESH_REGISTRY_URL: registry.url,
    MCP_MESH_DEBUG_MODE: 'false',
    MCP_MESH_SERVER_STARTUP_TIMEOUT: '120',
  };
  const provider = startAgent(python, join(AGENTS, 'provider.py'), {
    ...env,
    PROVIDER_PORT: String(providerPort),
  });
  await until(
    () => fetch(`${registry.url}/agents`).then((r) => r.text()),
    (body) => body.includes('date-provider'),
    120_000,
  ).catch(async (error: unknown) => {
    await provider.kill('SIGKILL');
    registry.child.kill('SIGKILL');
    throw error;
  });
  const consumer = startAgent(python, join(AGENTS, 'consumer.py'), {
    ...env,
    CONSUMER_PORT: String(consumerPort),
  });
  const consumerUrl = `http://127.0.0.1:${consumerPort}`;
  try {
    await until(
      () => callTool(consumerUrl, 'make_report'),
      (t) => t.startsWith('report: 2026-11-24'),
      120_000,
    );
    let load: ReturnType<typeof openLoad> | undefined;
    if (loadAgents > 0) {
      await registerProviders(registry.url, 0, loadAgents);
      load = openLoad({
        url: registry.url,
        method: 'HEAD',
        path: '/heartbeat/{id}',
        idPrefix: 'provider-',
        agents: loadAgents,
        rate: loadRate,
        warmupSeconds: 0,
        seconds: LOAD_SECONDS,
      });
      await sleep(LOAD_BEFORE_KILL_S * 1000);
    }
    await sleep(Math.random() * 5000);
    const killedAt = Date.now();
    await provider.kill('SIGKILL');
    await until(
      () => callTool(consumerUrl, 'make_report'),
      (t) => t === 'report: no date_service',
      90_000,
    );
    const detected = (Date.now() - killedAt) / 1000;
    if (load !== undefined) {
      const r = await load;
      console.log(
        `  ${kind}: background HEAD load ${loadRate}/s over ${loadAgents} agents: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors`,
      );
    }
    return detected;
  } finally {
    await provider.kill('SIGKILL');
    await consumer.kill('SIGKILL');
    registry.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const { python } = await ensureVenv('3.8.0');
const kinds: ('ours' | 'go')[] = values['no-go'] ? ['ours'] : ['ours', 'go'];
for (const kind of kinds) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    try {
      times.push(await round(kind, python));
      console.log(`${kind} round ${i + 1}: ${times.at(-1)!.toFixed(1)} s`);
    } catch (error) {
      console.log(`${kind} round ${i + 1}: not measured (${String(error)})`);
    }
  }
  await stopLoadWorker();
  if (times.length === 0) continue;
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `${kind}: SIGKILL to the consumer's first call without the provider: min ${sorted[0]!.toFixed(1)} s, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} s, max ${sorted.at(-1)!.toFixed(1)} s (${times.length} rounds)`,
  );
}
