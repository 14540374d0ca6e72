/**
 * Where our registry's CPU time goes under load. The registry (SQLite, 1,000 agents and the
 * consumer) runs under Node's sampling profiler (`--cpu-prof`), pinned to the server core; the
 * load generator sends one workload of `npm run bench` for `--seconds` (closed loop, 32
 * connections) from the load core. Only the samples taken while the load ran count (start-up and
 * registration are left out); they are summed by self time per package or file, per function, and
 * by total (inclusive) time for our own functions. The share of idle samples is how long the
 * server waited for the client.
 *
 *   node bench/cpu-profile.ts [--workload legacy-heartbeat|full-heartbeat|head-heartbeat|health|job-round-trip]
 *     [--database sqlite|postgres] [--seconds 10] [--top 12]
 *
 * `job-round-trip` is `npm run bench`'s jobs workload of that name (submit, claim, complete, read:
 * bench/lib/load-worker.ts); `--database postgres` starts the test suite's PostgreSQL
 * (test/helpers/postgres-server.ts) and profiles ours on a fresh database of it.
 *
 * What a sampling profiler of V8 cannot see: time in the kernel is charged to the JavaScript or
 * native function that made the system call (a socket write shows up as `writev`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerConsumer, registerProviders } from './lib/agents.ts';
import { describePinning } from './lib/cpu.ts';
import { type ClosedJob, closedLoad, measureJobs, stopLoadWorker } from './lib/load.ts';
import { CONSUMER_ID, consumerBody, legacyHeartbeatBody, provider } from './lib/payloads.ts';
import { REPO_ROOT, type RunningServer, startServer } from './lib/servers.ts';
import { sig } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'legacy-heartbeat' },
    seconds: { type: 'string', default: '10' },
    top: { type: 'string', default: '12' },
    database: { type: 'string', default: 'sqlite' },
  },
});
if (values.database !== 'sqlite' && values.database !== 'postgres')
  throw new Error(`--database ${values.database}?`);
const seconds = Number(values.seconds);
const top = Number(values.top);
const jobs: Record<
  string,
  (url: string) => Omit<ClosedJob, 'mode' | 'connections' | 'warmupSeconds' | 'seconds'>
> = {
  'legacy-heartbeat': (url) => ({
    url: `${url}/heartbeat`,
    method: 'POST',
    body: legacyHeartbeatBody('provider-1'),
  }),
  'full-heartbeat': (url) => ({ url: `${url}/heartbeat`, method: 'POST', body: consumerBody() }),
  'head-heartbeat': (url) => ({ url: `${url}/heartbeat/${CONSUMER_ID}`, method: 'HEAD', client: 'raw' }),
  health: (url) => ({ url: `${url}/health`, method: 'GET' }),
};
/** The jobs workload's provider and capability (the round trips claim and complete its jobs). */
const JOB_PROVIDER = 'bench-job-provider';
const JOB_CAPABILITY = 'bench_round_trip';
const isJobs = values.workload === 'job-round-trip';
const job = jobs[values.workload];
if (!job && !isJobs)
  throw new Error(
    `--workload ${values.workload}? one of ${[...Object.keys(jobs), 'job-round-trip'].join(', ')}`,
  );

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const tmp = mkdtempSync(join(tmpdir(), 'mesh-cpu-profile-'));
const profileDir = join(tmp, 'profile');
let server: RunningServer | undefined;
let window: { from: number; to: number };
let requests = 0;
let pid = 0;
const cleanups: (() => Promise<void>)[] = [];
try {
  const isPostgres = values.database === 'postgres';
  let databaseUrl = `sqlite://${join(tmp, 'profile.db')}`;
  if (isPostgres) {
    const { startPostgres } = await import('../test/helpers/postgres-server.ts');
    const postgres = await startPostgres();
    cleanups.push(async () => await postgres[Symbol.asyncDispose]());
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: postgres.adminUrl });
    await client.connect();
    const name = `mesh_profile_${process.pid}`;
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    databaseUrl = postgres.adminUrl.replace(/\/postgres$/, `/${name}`);
  }
  server = await startServer({
    kind: 'ours',
    label: isPostgres ? 'ours PostgreSQL' : 'ours SQLite',
    databaseUrl,
    // The registry's default young generation given here, so that it does not re-execute itself to
    // add it (the profiler would write a profile of the process it replaces too).
    nodeFlags: [`--max-semi-space-size=${isPostgres ? 8 : 2}`, '--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  });
  pid = server.pid;
  await registerProviders(server.url, 0, 999);
  await registerConsumer(server.url);
  if (isJobs) {
    const res = await fetch(`${server.url}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...provider(0, JOB_PROVIDER),
        tools: [{ function_name: JOB_CAPABILITY, capability: JOB_CAPABILITY, version: '1.0.0' }],
      }),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`registering ${JOB_PROVIDER}: ${res.status}`);
  }
  // Both clocks are CLOCK_MONOTONIC: V8 stamps its samples in µs of it, hrtime in ns.
  const from = Number(process.hrtime.bigint() / 1000n);
  const r = isJobs
    ? await measureJobs(server.pid, {
        kind: 'round-trip',
        url: server.url,
        capability: JOB_CAPABILITY,
        instanceId: JOB_PROVIDER,
        connections: 32,
        seconds,
      })
    : await closedLoad({
        ...(job as NonNullable<typeof job>)(server.url),
        connections: 32,
        warmupSeconds: 0,
        seconds,
      });
  window = { from, to: Number(process.hrtime.bigint() / 1000n) };
  requests = r.requests;
  if (r.errors > 0) throw new Error(`${r.errors} errors under load`);
} finally {
  await stopLoadWorker();
  // A graceful stop (SIGTERM): Node writes the profile as the registry exits.
  await server?.stop();
  for (const cleanup of cleanups) await cleanup();
}

let profile: Profile;
try {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the registry's main thread (worker threads
  // write profiles of their own).
  const files = readdirSync(profileDir).filter(
    (f) => f.split('.')[3] === String(pid) && f.split('.')[4] === '0',
  );
  if (files.length !== 1)
    throw new Error(
      `expected one profile of the main thread in ${profileDir}: ${readdirSync(profileDir).join(', ')}`,
    );
  profile = JSON.parse(readFileSync(join(profileDir, files[0] as string), 'utf8')) as Profile;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (window.from < profile.startTime || window.to > profile.endTime)
  throw new Error('the load ran outside the profile: the two clocks disagree');

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Where a function lives: an npm package, a file of ours, Node's own JavaScript, or none. */
function place(frame: ProfileNode['callFrame']): string {
  if (frame.functionName.startsWith('(')) return frame.functionName;
  const url = frame.url.replace(/^file:\/\//, '');
  const pkg = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm ${pkg[1]}`;
  if (url.startsWith(REPO_ROOT)) return url.slice(REPO_ROOT.length);
  if (url.startsWith('node:')) return 'node:* (Node’s own JavaScript)';
  return '(no script: native functions, generated code)';
}
/** A function: its name, and its package or file (Node's own: its module) and line. */
function functionKey(frame: ProfileNode['callFrame']): string {
  if (frame.functionName.startsWith('(')) return frame.functionName;
  const where = frame.url.startsWith('node:') ? frame.url : place(frame);
  return `\`${frame.functionName || '(anonymous)'}\` ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

const selfByPlace = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const totalOfOurs = new Map<string, number>();
const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
let time = profile.startTime;
let inWindow = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  time += profile.timeDeltas[i] as number;
  if (time < window.from || time > window.to) continue;
  inWindow += 1;
  const node = byId.get(profile.samples[i] as number) as ProfileNode;
  if (node.callFrame.functionName === '(idle)') {
    idle += 1;
    continue;
  }
  add(selfByPlace, place(node.callFrame));
  add(selfByFunction, functionKey(node.callFrame));
  // Total time: each of our functions on this sample's stack once, however deep it recurses.
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.url.includes(`${REPO_ROOT}dist/`)) seen.add(functionKey(frame));
  }
  for (const k of seen) add(totalOfOurs, k);
}
const busy = inWindow - idle;
if (busy === 0) throw new Error('no samples while the load ran');
const pct = (n: number) => `${sig((100 * n) / busy)}%`;
/** The `n` largest entries, and the rest summed in one row. */
function topRows(m: Map<string, number>, n: number, rest?: string): string[] {
  const sorted = [...m].sort((a, b) => b[1] - a[1]);
  const rows = sorted.slice(0, n).map(([k, v]) => `| ${k} | ${pct(v)} |`);
  const others = sorted.slice(n).reduce((sum, [, v]) => sum + v, 0);
  if (rest && others > 0) rows.push(`| ${rest} | ${pct(others)} |`);
  return rows;
}

console.log(
  `\`${values.workload}\` against ours on ${values.database === 'postgres' ? 'PostgreSQL' : 'SQLite'} (1,000 agents), closed loop, 32 connections, ${seconds} s; ${describePinning()}; Node ${process.version}.`,
);
console.log(
  `${requests} requests, ${inWindow} samples while the load ran, ${sig((100 * idle) / inWindow)}% of them idle (the server waiting for the client). Shares below are of the ${busy} busy samples, to 2 significant figures.`,
);
console.log('\n### Self time by package or file\n\n| where | self |\n|---|---|');
console.log(topRows(selfByPlace, top, 'everything else').join('\n'));
console.log(`\n### Self time, top ${top} functions\n\n| function | self |\n|---|---|`);
console.log(topRows(selfByFunction, top, 'everything else').join('\n'));
console.log(
  `\n### Total time (itself and what it calls), top ${top} of our functions\n\n| function | total |\n|---|---|`,
);
console.log(topRows(totalOfOurs, top).join('\n'));
