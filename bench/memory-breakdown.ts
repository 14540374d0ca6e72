/**
 * Where the registry's memory goes (issue 19), in two tables:
 *
 * 1. By module: a bare runtime that imports one module of ours or one dependency and nothing
 *    else, read after a full garbage collection: the V8/JSC heap in use and RssAnon, each minus
 *    the same runtime idle. On Node (`--expose-gc`) and on Bun (`Bun.gc(true)`).
 * 2. By kind and by module: heap snapshots of the npm entry on SQLite (`--heapsnapshot-signal=SIGUSR1`,
 *    which collects garbage first), idle and with 1,000 agents (bench/lib/memory-load.ts), each
 *    node's self size summed by what it is: compiled code, functions, strings, the objects of
 *    each constructor. The difference of the two, per agent, is what an agent costs. The same
 *    snapshots' code by module (bench/lib/heap-code-by-module.ts) says which modules' functions
 *    the running registry holds.
 *
 *   node bench/memory-breakdown.ts [--no-bun] [--top 12]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BUN_VERSION, bunBinary } from '../scripts/release/bun-binaries.ts';
import { codeByModule } from './lib/heap-code-by-module.ts';
import { fill } from './lib/memory-load.ts';
import { REPO_ROOT } from './lib/servers.ts';
import { sig } from './lib/stats.ts';

const { values } = parseArgs({
  options: { 'no-bun': { type: 'boolean', default: false }, top: { type: 'string', default: '12' } },
});
const top = Number(values.top);
const log = (message: string) => process.stderr.write(`memory-breakdown: ${message}\n`);
const dist = (path: string) => pathToFileURL(join(REPO_ROOT, 'dist', path)).href;

// ---------------------------------------------------------------------------------------------
// 1. By module
// ---------------------------------------------------------------------------------------------

const MODULES: { label: string; specifiers: string[] }[] = [
  { label: 'nothing (the runtime idle)', specifiers: [] },
  { label: 'fastify', specifiers: ['fastify'] },
  {
    label: '@fastify/swagger + @fastify/swagger-ui',
    specifiers: ['@fastify/swagger', '@fastify/swagger-ui'],
  },
  { label: 'ajv', specifiers: ['ajv'] },
  { label: 'typebox', specifiers: ['typebox'] },
  { label: 'pino', specifiers: ['pino'] },
  { label: 'pg (loaded only for PostgreSQL URLs)', specifiers: ['pg'] },
  { label: 'our storage (open-store)', specifiers: [dist('storage/open-store.js')] },
  { label: 'our domain (mesh/: resolution)', specifiers: [dist('mesh/resolution/resolve-dependency.js')] },
  {
    label: 'our HTTP app (routes, schemas; all of the above but pg)',
    specifiers: [dist('registry/http/app.js')],
  },
  { label: 'our main (everything the registry imports)', specifiers: [dist('registry/main.js')] },
];

/** The heap in use and RssAnon after importing `specifiers` and a full collection, in MB. */
function importCost(runtime: 'node' | 'bun', specifiers: string[]): { heap: number; anon: number } {
  const code = `
    for (const s of ${JSON.stringify(specifiers.map((s) => import.meta.resolve(s)))}) await import(s);
    const gc = () => (typeof Bun !== 'undefined' ? Bun.gc(true) : globalThis.gc());
    await new Promise((r) => setTimeout(r, 500)); gc(); gc();
    await new Promise((r) => setTimeout(r, 500));
    const heap = typeof Bun !== 'undefined' ? require('bun:jsc').heapStats().heapSize : process.memoryUsage().heapUsed;
    const status = require('node:fs').readFileSync('/proc/self/status', 'utf8');
    const anon = Number(/RssAnon:\\s+(\\d+)/.exec(status)[1]) * 1024;
    console.log(JSON.stringify({ heap: heap / 2 ** 20, anon: anon / 2 ** 20 }));`;
  const file = join(tmp, `import-${runtime}.mjs`);
  writeFileSync(
    file,
    `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\n${code}`,
  );
  const argv = runtime === 'node' ? [process.execPath, '--expose-gc', file] : [bunBinary(), file];
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${runtime} ${specifiers.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

// ---------------------------------------------------------------------------------------------
// 2. By feature: heap snapshots
// ---------------------------------------------------------------------------------------------

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** What a heap snapshot node is, for the table: its kind, and the constructor for objects. */
function category(type: string, name: string, size: number): string {
  switch (type) {
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return size >= 10_000 ? "strings of 10 KB and more (modules' sources)" : 'strings under 10 KB';
    case 'code':
      return 'compiled code (bytecode, feedback, scripts' + "' source)";
    case 'closure':
      return 'functions (closures)';
    case 'array':
      return "arrays' backing stores (V8 internal)";
    case 'hidden':
    case 'object shape':
      return 'V8 internals (maps, descriptors, contexts)';
    case 'number':
    case 'bigint':
      return 'heap numbers';
    case 'regexp':
      return 'regular expressions';
    case 'native':
      return `native: ${name.split(' ')[0]}`;
    case 'object':
      return `objects: ${name}`;
    default:
      return type;
  }
}

function summarize(file: string): { kinds: Map<string, number>; code: Map<string, number> } {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  return { kinds: byKind(json), code: codeByModule(json as Parameters<typeof codeByModule>[0]) };
}

function byKind(json: Snapshot): Map<string, number> {
  const fields = json.snapshot.meta.node_fields;
  const types = json.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const sums = new Map<string, number>();
  for (let i = 0; i < json.nodes.length; i += width) {
    const key = category(
      types[json.nodes[i + typeAt]!]!,
      json.strings[json.nodes[i + nameAt]!]!,
      json.nodes[i + sizeAt]!,
    );
    sums.set(key, (sums.get(key) ?? 0) + json.nodes[i + sizeAt]!);
  }
  return sums;
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A snapshot on SIGUSR1; Node writes it on the main thread, so /health answers once it is done. */
async function snapshot(child: ChildProcess, url: string, dir: string, count: number): Promise<string> {
  child.kill('SIGUSR1');
  const snapshots = () => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
  await waitFor(() => (snapshots().length >= count ? true : undefined), 'the heap snapshot');
  for (;;) {
    try {
      await (await fetch(`${url}/health`)).arrayBuffer();
      break;
    } catch {}
  }
  return join(dir, snapshots().sort().at(-1)!);
}

async function heapByFeature(): Promise<{
  idle: ReturnType<typeof summarize>;
  loaded: ReturnType<typeof summarize>;
}> {
  const dir = mkdtempSync(join(tmp, 'snapshots-'));
  const port = 19_900 + Math.floor(Math.random() * 90);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      '--heapsnapshot-signal=SIGUSR1',
      join(REPO_ROOT, 'bin', 'mcp-mesh-registry'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      cwd: dir,
      env: {
        ...process.env,
        MCP_MESH_DATABASE_URL: `sqlite://${join(dir, 'registry.db')}`,
        DEFAULT_TIMEOUT_THRESHOLD: '3600',
        MCP_MESH_HEARTBEAT_PROBE_AFTER: '0',
        MCP_MESH_ACCESS_LOG: 'false',
        MCP_MESH_LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    },
  );
  try {
    for (;;) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {}
      if (child.exitCode !== null) throw new Error('the registry exited');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 3000));
    const idle = summarize(await snapshot(child, url, dir, 1));
    await fill(url, 'ours');
    await new Promise((r) => setTimeout(r, 3000));
    const loaded = summarize(await snapshot(child, url, dir, 2));
    return { idle, loaded };
  } finally {
    child.kill('SIGTERM');
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'mesh-memory-breakdown-'));
try {
  const runtimes: ('node' | 'bun')[] = values['no-bun'] ? ['node'] : ['node', 'bun'];
  const costs = new Map<string, Map<string, { heap: number; anon: number }>>();
  for (const runtime of runtimes) {
    const column = new Map<string, { heap: number; anon: number }>();
    for (const m of MODULES) {
      log(`${runtime}: import ${m.label}`);
      column.set(m.label, importCost(runtime, m.specifiers));
    }
    costs.set(runtime, column);
  }
  const names = { node: `Node ${process.version}`, bun: `Bun ${BUN_VERSION}` };
  console.log(
    '### By module: what importing it alone costs (MB, after a full collection, minus the idle runtime)\n',
  );
  console.log(
    `| imported | ${runtimes.map((r) => `${names[r]} heap | ${names[r]} RssAnon`).join(' | ')} |\n|---|${runtimes.map(() => '---|---|').join('')}`,
  );
  for (const m of MODULES) {
    const cells = runtimes.map((r) => {
      const base = costs.get(r)!.get(MODULES[0]!.label)!;
      const c = costs.get(r)!.get(m.label)!;
      return m === MODULES[0]
        ? `${sig(c.heap, 2)} (itself) | ${sig(c.anon, 2)} (itself)`
        : `${sig(c.heap - base.heap, 2)} | ${sig(c.anon - base.anon, 2)}`;
    });
    console.log(`| ${m.label} | ${cells.join(' | ')} |`);
  }

  log('heap snapshots of the npm entry, idle and with 1,000 agents');
  const snapshots = await heapByFeature();
  const idle = snapshots.idle.kinds;
  const loaded = snapshots.loaded.kinds;
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\n### By feature: the npm entry's V8 heap (heap snapshots after a collection), idle ${sig(total(idle) / 2 ** 20, 3)} MB, with 1,000 agents ${sig(total(loaded) / 2 ** 20, 3)} MB\n`,
  );
  console.log('| what | idle (MB) | with 1,000 agents (MB) | per agent (bytes) |\n|---|---|---|---|');
  const keys = [...new Set([...idle.keys(), ...loaded.keys()])];
  const rank = (k: string) => Math.max(idle.get(k) ?? 0, (loaded.get(k) ?? 0) - (idle.get(k) ?? 0));
  keys.sort((a, b) => rank(b) - rank(a));
  for (const k of keys.slice(0, top)) {
    const a = idle.get(k) ?? 0;
    const b = loaded.get(k) ?? 0;
    console.log(`| ${k} | ${sig(a / 2 ** 20, 2)} | ${sig(b / 2 ** 20, 2)} | ${Math.round((b - a) / 1000)} |`);
  }
  const rest = keys.slice(top);
  const restIdle = rest.reduce((s, k) => s + (idle.get(k) ?? 0), 0);
  const restLoaded = rest.reduce((s, k) => s + (loaded.get(k) ?? 0), 0);
  console.log(
    `| everything else (${rest.length} kinds) | ${sig(restIdle / 2 ** 20, 2)} | ${sig(restLoaded / 2 ** 20, 2)} | ${Math.round((restLoaded - restIdle) / 1000)} |`,
  );
  console.log(
    `| **total** | ${sig(total(idle) / 2 ** 20, 3)} | ${sig(total(loaded) / 2 ** 20, 3)} | ${Math.round((total(loaded) - total(idle)) / 1000)} |`,
  );

  const codeIdle = snapshots.idle.code;
  const codeLoaded = snapshots.loaded.code;
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\n### By module in the running registry: each module's functions (bytecode, closures, feedback) and source, from the same snapshots; ${sig(sum(codeIdle) / 2 ** 20, 3)} MB of the idle heap's ${sig(total(idle) / 2 ** 20, 3)} MB\n`,
  );
  console.log('| module | idle (MB) | with 1,000 agents (MB) |\n|---|---|---|');
  const modules = [...new Set([...codeIdle.keys(), ...codeLoaded.keys()])].sort(
    (a, b) => (codeLoaded.get(b) ?? 0) - (codeLoaded.get(a) ?? 0),
  );
  for (const k of modules.slice(0, top))
    console.log(
      `| ${k} | ${sig((codeIdle.get(k) ?? 0) / 2 ** 20, 2)} | ${sig((codeLoaded.get(k) ?? 0) / 2 ** 20, 2)} |`,
    );
  const restModules = modules.slice(top);
  console.log(
    `| ${restModules.length} other modules | ${sig(restModules.reduce((a, k) => a + (codeIdle.get(k) ?? 0), 0) / 2 ** 20, 2)} | ${sig(restModules.reduce((a, k) => a + (codeLoaded.get(k) ?? 0), 0) / 2 ** 20, 2)} |`,
  );
  console.log(
    `| not code (data: agents, schemas, caches, Node's own state) | ${sig((total(idle) - sum(codeIdle)) / 2 ** 20, 3)} | ${sig((total(loaded) - sum(codeLoaded)) / 2 ** 20, 3)} |`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
