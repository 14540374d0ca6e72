/**
 * Memory with 1,000 agents, the figure of issue 19, in every form a user runs and beside the
 * servers it is compared with. Each server runs alone (one after the other, never side by side),
 * on a fresh SQLite database, and is read twice from /proc/<pid>/status:
 *
 * - idle: `--settle` seconds after it answered /health;
 * - with 1,000 agents: 500 legacy registrations (`POST /agents/register_with_metadata`) and 500
 *   providers of the current protocol (the SDK's full heartbeat), then both listings served
 *   (`GET /agents` and `GET /capabilities`, 5 times each), then `--settle` seconds without load.
 *
 * VmRSS is split into RssAnon (the process's own pages: heaps, JIT code, malloc) and RssFile
 * (pages mapped from files, mostly the executable's own code, shared between processes running
 * the same binary). "Per agent" is the growth of RssAnon from idle to 1,000 agents, divided by
 * 1,000. The Go registry has no legacy API: it gets 1,000 providers of the current protocol. The
 * bare servers (`bench/lib/noop-server.mjs` on Node and on Bun) get the same requests and answer
 * a constant. The Python registry cannot be installed here (docs/benchmarks.md, "The Python
 * original"): its row is the figure, marked as such.
 *
 *   node bench/memory.ts [--settle 5] [--sea PATH] [--bun-executable PATH] [--no-go] [--no-bun]
 *                        [--form 'label=command arg…']…
 *
 * `--sea` defaults to dist/release/linux-x64/mcp-mesh-registry (from `npm run release`) and
 * `--bun-executable` to dist/release/bun/linux-x64/mcp-mesh-registry when they exist; Bun itself
 * is fetched from npm once (`@oven/bun-linux-x64`, scripts/release/bun-binaries.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUN_VERSION, bunBinary } from '../scripts/release/bun-binaries.ts';
import { fill } from './lib/memory-load.ts';
import { REPO_ROOT } from './lib/servers.ts';
import { sig } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    settle: { type: 'string', default: '5' },
    sea: { type: 'string', default: join(REPO_ROOT, 'dist', 'release', 'linux-x64', 'mcp-mesh-registry') },
    'bun-executable': {
      type: 'string',
      default: join(REPO_ROOT, 'dist', 'release', 'bun', 'linux-x64', 'mcp-mesh-registry'),
    },
    'no-go': { type: 'boolean', default: false },
    'no-bun': { type: 'boolean', default: false },
    agents: { type: 'string', default: '1000' },
    /** Another form of ours to measure: `label=command arg…` (the label has no `=`; split on spaces). */
    form: { type: 'string', multiple: true, default: [] },
  },
});
const settleMs = Number(values.settle) * 1000;
const agents = Number(values.agents);
const log = (message: string) => process.stderr.write(`memory: ${message}\n`);

/** The Python registry's figure with 1,000 agents, as issue 19 gives it (not measurable here). */
const PYTHON_RSS_MB = 94;

interface Form {
  label: string;
  kind: 'bare' | 'ours' | 'go';
  argv: string[];
}

interface Reading {
  rss: number;
  anon: number;
  file: number;
}

function readStatus(pid: number): Reading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
}

let nextPort = 19_400 + Math.floor(Math.random() * 400);

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: exited with ${child.exitCode}\n${stderr()}`);
    try {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer /health in 30 s\n${stderr()}`);
}

async function measure(form: Form, tmp: string): Promise<{ idle: Reading; loaded: Reading }> {
  const port = nextPort++;
  const db = join(tmp, `${port}.db`);
  const env: Record<string, string | undefined> = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DEFAULT_TIMEOUT_THRESHOLD: '3600',
    MCP_MESH_HEARTBEAT_PROBE_AFTER: '0',
    MCP_MESH_ACCESS_LOG: 'false',
    MCP_MESH_LOG_LEVEL: form.kind === 'go' ? 'ERROR' : 'error',
    MCP_MESH_DATABASE_URL: `sqlite://${db}`,
    DATABASE_URL: form.kind === 'go' ? db : undefined,
  };
  const args =
    form.kind === 'ours'
      ? [...form.argv.slice(1), '--host', '127.0.0.1', '--port', String(port)]
      : form.argv.slice(1);
  if (form.kind === 'bare') args.push(String(port));
  const child = spawn(form.argv[0]!, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 20_000) stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => stderr);
    await new Promise((r) => setTimeout(r, settleMs));
    const idle = readStatus(child.pid as number);
    await fill(url, form.kind, agents);
    await new Promise((r) => setTimeout(r, settleMs));
    const loaded = readStatus(child.pid as number);
    return { idle, loaded };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

const node = process.execPath;
const registryBin = join(REPO_ROOT, 'bin', 'mcp-mesh-registry');
const noop = join(REPO_ROOT, 'bench', 'lib', 'noop-server.mjs');
const bun = values['no-bun'] ? undefined : bunBinary();
const forms: Form[] = [{ label: `bare server, Node ${process.version}`, kind: 'bare', argv: [node, noop] }];
if (bun) forms.push({ label: `bare server, Bun ${BUN_VERSION}`, kind: 'bare', argv: [bun, noop] });
if (!values['no-go']) {
  const { ensureMeshctl } = await import('../test/helpers/python-env.ts');
  forms.push({ label: 'Go registry 3.7.1', kind: 'go', argv: [(await ensureMeshctl()).registry] });
}
forms.push({ label: 'ours, npm entry (Node)', kind: 'ours', argv: [node, registryBin] });
if (bun)
  forms.push({ label: `ours, npm entry run by Bun ${BUN_VERSION}`, kind: 'ours', argv: [bun, registryBin] });
if (existsSync(values.sea))
  forms.push({ label: 'ours, single executable (Node SEA)', kind: 'ours', argv: [values.sea] });
else log(`no Node single executable at ${values.sea} (npm run release): its row is left out`);
if (existsSync(values['bun-executable']))
  forms.push({ label: 'ours, single executable (Bun)', kind: 'ours', argv: [values['bun-executable']] });
else log(`no Bun single executable at ${values['bun-executable']}: its row is left out`);

for (const spec of values.form) {
  const at = spec.indexOf('=');
  forms.push({
    label: spec.slice(0, at),
    kind: 'ours',
    argv: spec
      .slice(at + 1)
      .split(' ')
      .filter(Boolean),
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'mesh-memory-'));
const rows: { form: Form; idle: Reading; loaded: Reading }[] = [];
try {
  for (const form of forms) {
    const { idle, loaded } = await measure(form, tmp);
    log(`${form.label}: idle ${sig(idle.rss, 3)} MB, with ${agents} agents ${sig(loaded.rss, 3)} MB`);
    rows.push({ form, idle, loaded });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const n = agents.toLocaleString('en');
console.log(
  `Each server alone on a fresh SQLite database; VmRSS from /proc/<pid>/status ${values.settle} s after it was ready (idle), then after ${n} agents (half legacy registrations, half current-protocol providers; the Go registry: all current) and both listings served 5 times, ${values.settle} s after the last request. MB; per agent: growth of RssAnon, KB.`,
);
console.log(
  `\n| server | idle VmRSS | idle RssAnon | idle RssFile | ${n} agents VmRSS | RssAnon | RssFile | per agent (KB) |\n|---|---|---|---|---|---|---|---|`,
);
for (const { form, idle, loaded } of rows) {
  const perAgent = form.kind === 'bare' ? 'n/a' : sig(((loaded.anon - idle.anon) * 1024) / agents, 2);
  console.log(
    `| ${form.label} | ${sig(idle.rss, 3)} | ${sig(idle.anon, 3)} | ${sig(idle.file, 3)} | ${sig(loaded.rss, 3)} | ${sig(loaded.anon, 3)} | ${sig(loaded.file, 3)} | ${perAgent} |`,
  );
}
console.log(
  `| Python registry (issue 19's figure, not measured here) | n/a | n/a | n/a | ${PYTHON_RSS_MB} | n/a | n/a | n/a |`,
);
console.log(`\nHalf the Python registry's: ${PYTHON_RSS_MB / 2} MB; issue 19's bound: 47 MB.`);
