/**
 * The SDK's full heartbeat with 3 dependencies among 1,000 registered providers: our registry
 * against the upstream Go registry (npm @mcpmesh/cli-linux-x64), one run, same load generator
 * (autocannon), same payloads, loopback only. Prints how it measured and the ratio.
 *
 *   node bench/heartbeat-resolution.ts [--seconds 10] [--connections 32] [--providers 1000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ensureMeshctl } from '../test/helpers/python-env.ts';
import { REGISTRY_BIN } from '../test/helpers/registry-process.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    providers: { type: 'string', default: '1000' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const providers = Number(values.providers);

function provider(i: number) {
  return {
    agent_id: `provider-${i}`,
    name: `provider-${i}`,
    agent_type: 'mcp_agent',
    version: '1.0.0',
    http_host: '127.0.0.1',
    http_port: 20_000 + i,
    namespace: 'default',
    status: 'healthy',
    runtime: 'python',
    tools: [
      {
        function_name: `tool_${i}`,
        capability: `cap_${i % 100}`,
        version: `1.${i % 10}.0`,
        tags: ['system', i % 2 === 0 ? 'even' : 'odd'],
        kwargs: { function_name: `tool_${i}` },
      },
    ],
  };
}

const consumer = JSON.stringify({
  agent_id: 'bench-consumer',
  name: 'bench-consumer',
  agent_type: 'mcp_agent',
  version: '1.0.0',
  http_host: '127.0.0.1',
  http_port: 19_999,
  namespace: 'default',
  status: 'healthy',
  runtime: 'python',
  tools: [
    {
      function_name: 'consume',
      capability: 'consumer_service',
      version: '1.0.0',
      dependencies: [
        { capability: 'cap_7', tags: ['system'] },
        { capability: 'cap_42', tags: ['+even'], version: '>=1.2.0' },
        { capability: 'cap_98', tags: ['system', '-odd'] },
      ],
    },
  ],
});

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

async function register(url: string): Promise<void> {
  for (let i = 0; i < providers; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, providers - i) }, (_, j) =>
        fetch(`${url}/heartbeat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(provider(i + j)),
        }).then((r) => r.arrayBuffer()),
      ),
    );
  }
  const res = await fetch(`${url}/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: consumer,
  });
  const json = (await res.json()) as { dependencies_resolved: Record<string, { status: string }[]> };
  const statuses = json.dependencies_resolved.consume?.map((d) => d.status).join(',');
  if (statuses !== 'available,available,available')
    throw new Error(`${url}: dependencies not resolved: ${statuses}`);
}

async function load(url: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const opts = {
    url: `${url}/heartbeat`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: consumer,
    connections,
    pipelining: 1,
  };
  await autocannon({ ...opts, duration: 2 }); // warm-up
  const result = await autocannon({ ...opts, duration: seconds });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

function start(cmd: string, args: string[], env: Record<string, string>): ChildProcess {
  // Pin the server to core 0 where taskset exists; autocannon runs in this process.
  const pinned = cpus().length > 1 ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args];
  return spawn(pinned[0] as string, pinned[1] as string[], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
}

const dir = mkdtempSync(join(tmpdir(), 'mesh-bench-'));
const { registry: goRegistry } = await ensureMeshctl();
const rows: { name: string; result: Awaited<ReturnType<typeof load>> }[] = [];
try {
  for (const target of [
    {
      name: 'ours (TypeScript, SQLite)',
      port: 18701,
      proc: () =>
        start(process.execPath, [REGISTRY_BIN, '--host', '127.0.0.1', '--port', '18701'], {
          MCP_MESH_DATABASE_URL: `sqlite://${join(dir, 'ours.db')}`,
          MCP_MESH_ACCESS_LOG: 'false',
        }),
    },
    {
      name: 'upstream Go registry 3.7.1 (SQLite)',
      port: 18702,
      proc: () =>
        start(goRegistry, [], {
          HOST: '127.0.0.1',
          PORT: '18702',
          DATABASE_URL: join(dir, 'go.db'),
          MCP_MESH_LOG_LEVEL: 'ERROR',
        }),
    },
  ]) {
    const child = target.proc();
    try {
      const url = `http://127.0.0.1:${target.port}`;
      await waitHealthy(url);
      await register(url);
      rows.push({ name: target.name, result: await load(url) });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`# Full heartbeat with 3 dependencies among ${providers} providers`);
console.log(
  `autocannon, ${connections} connections, 2 s warm-up, ${seconds} s measured, server pinned to core 0 (taskset), load generator unpinned; ${new Date().toISOString()}`,
);
console.log('| registry | req/s | p50 ms | p99 ms | errors |');
console.log('|---|---|---|---|---|');
for (const { name, result } of rows) {
  console.log(`| ${name} | ${result.rps.toFixed(0)} | ${result.p50} | ${result.p99} | ${result.errors} |`);
}
const [ours, go] = rows;
if (ours && go) console.log(`\nratio ours / Go: ${(ours.result.rps / go.result.rps).toFixed(1)}x`);
