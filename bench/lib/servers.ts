/**
 * Starting the servers under test, each as its own process pinned to the server core: our
 * registry (SQLite or PostgreSQL), the upstream Go registry, and the no-op Node HTTP server.
 * Every server gets a fresh database, access logs off, and a timeout threshold long enough that
 * no agent turns unhealthy while the bench is idle between workloads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned, SERVER_CORE } from './cpu.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGISTRY_BIN = join(REPO_ROOT, 'bin', 'mcp-mesh-registry');
const NOOP_SERVER = join(REPO_ROOT, 'bench', 'lib', 'noop-server.mjs');
const FASTIFY_FLOOR_SERVER = join(REPO_ROOT, 'bench', 'lib', 'fastify-floor-server.mjs');

export type ServerKind = 'noop' | 'fastify' | 'ours' | 'go';

export interface ServerSpec {
  kind: ServerKind;
  /** Row label in the report. */
  label: string;
  /** For registries: `sqlite://…`, a PostgreSQL URL, or (Go) a file path / URL. */
  databaseUrl?: string;
  /** The Go registry's binary. */
  goBinary?: string;
  /** Extra Node flags for our registry (measured, not assumed: see docs/benchmarks.md). */
  nodeFlags?: string[];
  /** Extra environment for our registry (e.g. `MCP_MESH_NODE_DEFAULTS=false`). */
  env?: Record<string, string>;
  /** Where the server's standard output goes (V8's --trace-gc writes there); discarded otherwise. */
  stdoutFile?: string;
}

export interface RunningServer {
  spec: ServerSpec;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

let nextPort = 18_700 + Math.floor(Math.random() * 500);

async function waitReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy in ${timeoutMs} ms`);
}

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const port = nextPort++;
  // The agents' endpoints are fakes nobody listens on: no endpoint checks (ours only).
  const quiet = {
    DEFAULT_TIMEOUT_THRESHOLD: '3600',
    HEALTH_CHECK_INTERVAL: '10',
    MCP_MESH_HEARTBEAT_PROBE_AFTER: '0',
  };
  let argv: [string, string[]];
  let env: Record<string, string | undefined> = { ...process.env };
  if (spec.kind === 'noop' || spec.kind === 'fastify') {
    const script = spec.kind === 'noop' ? NOOP_SERVER : FASTIFY_FLOOR_SERVER;
    argv = pinned(SERVER_CORE, process.execPath, [script, String(port)]);
  } else if (spec.kind === 'ours') {
    argv = pinned(SERVER_CORE, process.execPath, [
      ...(spec.nodeFlags ?? []),
      REGISTRY_BIN,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ]);
    env = {
      ...env,
      ...quiet,
      MCP_MESH_DATABASE_URL: spec.databaseUrl,
      DATABASE_URL: undefined,
      MCP_MESH_ACCESS_LOG: 'false',
      MCP_MESH_LOG_LEVEL: 'error',
      ...spec.env,
    };
  } else {
    if (!spec.goBinary) throw new Error('the Go registry needs its binary');
    argv = pinned(SERVER_CORE, spec.goBinary, []);
    env = {
      ...env,
      ...quiet,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: spec.databaseUrl,
      MCP_MESH_LOG_LEVEL: 'ERROR',
    };
  }
  const stdout = spec.stdoutFile === undefined ? 'ignore' : openSync(spec.stdoutFile, 'w');
  const child = spawn(argv[0], argv[1], { env, stdio: ['ignore', stdout, 'pipe'] });
  if (typeof stdout === 'number') closeSync(stdout);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 20_000) stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${spec.label}: ${(error as Error).message}\n${stderr}`);
  }
  return {
    spec,
    url,
    // taskset execs the command, so the child's pid is the server's.
    pid: child.pid as number,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * VmRSS, and its anonymous part (RssAnon): the process's own memory. The rest is mostly pages of
 * the executable mapped from its file (RssFile), shared with every process running it.
 */
export function residentMb(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

/**
 * RSS once the server has settled: read after `settleMs` without load (the garbage collector
 * runs on idle, not on demand; we cannot force it in the Go process or without `--expose-gc`).
 */
export async function settledResidentMb(
  pid: number,
  settleMs = 3000,
): Promise<{ rss: number; anon: number; file: number }> {
  await new Promise((r) => setTimeout(r, settleMs));
  return residentMb(pid);
}
