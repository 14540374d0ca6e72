/**
 * How long `mcp_mesh_dev` takes to start and answer, against a bare `node -e 0` on the same Node:
 * `--version`, `config path`, and `list` against a running registry. Each command is run `--runs`
 * times after `--warmup` runs (which also fill Node's compile cache); medians and ratios printed.
 *
 *   node bench/cli-startup.ts [--runs 30] [--warmup 5] [--json]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sig } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'bin', 'mcp_mesh_dev');
const home = mkdtempSync(join(tmpdir(), 'mesh-cli-bench-'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Median wall time in ms of running argv to completion. */
function measure(argv: string[], env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= warmup) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const env = { ...process.env, HOME: home, MCP_MESH_REGISTRY_PORT: undefined } as NodeJS.ProcessEnv;
let registry: ChildProcess | undefined;
try {
  const port = await freePort();
  registry = spawn(
    process.execPath,
    [join(root, 'bin', 'mcp-mesh-registry'), '--host', '127.0.0.1', '--port', String(port)],
    {
      env: {
        ...env,
        MCP_MESH_DATABASE_URL: `sqlite://${join(home, 'bench.db')}`,
        MCP_MESH_ACCESS_LOG: 'false',
      },
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const listEnv = { ...env, MCP_MESH_REGISTRY_HOST: '127.0.0.1', MCP_MESH_REGISTRY_PORT: String(port) };
  const baseline = measure(['-e', '0'], env);
  const rows = [
    { command: 'node -e 0', ms: baseline },
    { command: 'mcp_mesh_dev --version', ms: measure([cli, '--version'], env) },
    { command: 'mcp_mesh_dev config path', ms: measure([cli, 'config', 'path'], env) },
    { command: 'mcp_mesh_dev list (registry running, no agents)', ms: measure([cli, 'list'], listEnv) },
  ];
  if (values.json) {
    console.log(JSON.stringify({ node: process.version, runs, warmup, rows }, null, 2));
  } else {
    console.log(
      `CLI start-up on Node ${process.version}: median wall time of ${runs} runs after ${warmup} warm-up runs (spawnSync, stdout piped)`,
    );
    console.log('| command | median ms | vs node -e 0 |');
    console.log('|---|---|---|');
    for (const row of rows) console.log(`| ${row.command} | ${sig(row.ms)} | ${sig(row.ms / baseline)}x |`);
  }
} finally {
  registry?.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
}
