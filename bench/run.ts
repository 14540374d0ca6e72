/**
 * `npm run bench`: one run, one machine, side by side — our registry (SQLite and/or PostgreSQL),
 * the upstream Go registry (npm @mcpmesh/cli-linux-x64, current protocol only, SQLite) and a no-op
 * Node HTTP server on the same Node as the ceiling. Same load generator for all, server and load
 * generator pinned to different cores, warm-up, several rounds, medians. Prints Markdown tables,
 * writes them with the raw JSON to --out-dir, and the latency-vs-load chart to --chart.
 *
 *   node bench/run.ts [--database sqlite|postgres|both] [--rounds 3] [--seconds 4] [--warmup 1]
 *     [--connections 32] [--scale-agents 10000] [--scale-rate 2000] [--scale-seconds 60]
 *     [--chart-rates 1000,2000,4000,8000,16000] [--chart-seconds 5] [--quick] [--only <workloads>]
 *     [--no-go] [--go-database sqlite|postgres] [--no-cli] [--out-dir bench/results] [--chart docs/benchmarks-latency.svg]
 *
 * `--quick` runs everything for a few seconds with small counts (the CI smoke): numbers from it
 * mean nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { countAgents, registerConsumer, registerProviders } from './lib/agents.ts';
import { type ChartSeries, latencyChartSvg } from './lib/chart.ts';
import { canPin, describePinning, waitForQuietCores } from './lib/cpu.ts';
import {
  type ClosedJob,
  measureClosed,
  measureJobs,
  type OpenResult,
  openLoad,
  stopLoadWorker,
} from './lib/load.ts';
import {
  CONSUMER_ID,
  consumerBody,
  currentRegistrationTemplate,
  legacyHeartbeatBody,
  legacyRegistrationTemplate,
  provider,
} from './lib/payloads.ts';
import {
  REPO_ROOT,
  type RunningServer,
  type ServerSpec,
  settledResidentMb,
  startServer,
} from './lib/servers.ts';
import { fmt, median, ratioWithRange, sig, spread } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'both' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '32' },
    'scale-agents': { type: 'string' },
    'scale-rate': { type: 'string', default: '2000' },
    'scale-seconds': { type: 'string' },
    'chart-rates': { type: 'string' },
    'chart-seconds': { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-go': { type: 'boolean', default: false },
    'go-database': { type: 'string', default: 'sqlite' },
    'no-cli': { type: 'boolean', default: false },
    'out-dir': { type: 'string', default: join(REPO_ROOT, 'bench', 'results') },
    chart: { type: 'string', default: join(REPO_ROOT, 'docs', 'benchmarks-latency.svg') },
  },
});
const quick = values.quick;
const num = (v: string | undefined, full: number, fast: number) =>
  v === undefined ? (quick ? fast : full) : Number(v);
const opts = {
  rounds: num(values.rounds, 3, 1),
  seconds: num(values.seconds, 4, 0.3),
  warmup: num(values.warmup, 1, 0),
  connections: Number(values.connections),
  agentsSmall: quick ? 20 : 100,
  agentsLarge: quick ? 100 : 1000,
  scaleAgents: num(values['scale-agents'], 10_000, 200),
  scaleRate: Number(values['scale-rate']),
  scaleSeconds: num(values['scale-seconds'], 60, 0.5),
  chartRates: (values['chart-rates'] ?? (quick ? '500,2000' : '1000,2000,4000,8000,16000'))
    .split(',')
    .map(Number),
  chartSeconds: num(values['chart-seconds'], 5, 0.3),
};
const databases = values.database === 'both' ? ['sqlite', 'postgres'] : [values.database as string];
for (const d of databases) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`--database ${d}?`);
if (!['sqlite', 'postgres'].includes(values['go-database'] as string)) {
  throw new Error(`--go-database ${values['go-database']}?`);
}
if (!existsSync(join(REPO_ROOT, 'dist', 'registry', 'main.js')))
  throw new Error('dist/ is missing: run `npm run build` first');
const only = values.only?.split(',');
const wants = (key: string) => !only || only.includes(key);

/** Progress on stderr, kept for bench-log.txt in --out-dir (every round's own figures). */
const logLines: string[] = [];
const log = (line: string) => {
  logLines.push(line);
  process.stderr.write(`[bench] ${line}\n`);
};
const tmp = mkdtempSync(join(tmpdir(), 'mesh-bench-'));
const cleanups: (() => Promise<void> | void)[] = [() => rmSync(tmp, { recursive: true, force: true })];
// Stopped from outside (Ctrl-C, `timeout`): stop the servers and PostgreSQL before exiting.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, async () => {
    log(`${signal}: stopping the servers`);
    await stopLoadWorker();
    for (const cleanup of cleanups) await cleanup();
    process.exit(130);
  });

// ---------------------------------------------------------------------------------------------
// The servers under test
// ---------------------------------------------------------------------------------------------

let pgAdminUrl: string | undefined;
async function databaseUrl(db: string, name: string): Promise<string> {
  if (db === 'sqlite') return `sqlite://${join(tmp, `${name}.db`)}`;
  if (!pgAdminUrl) {
    const { startPostgres } = await import('../test/helpers/postgres-server.ts');
    const pg = await startPostgres();
    cleanups.unshift(async () => await pg[Symbol.asyncDispose]());
    pgAdminUrl = pg.adminUrl;
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return pgAdminUrl.replace(/\/postgres$/, `/${name}`);
}

const goBinary = values['no-go']
  ? undefined
  : (await import('../test/helpers/python-env.ts').then((m) => m.ensureMeshctl())).registry;

async function serverSpecs(phase: string): Promise<ServerSpec[]> {
  const specs: ServerSpec[] = [{ kind: 'noop', label: 'no-op Node' }];
  if (goBinary) {
    // The Go registry on its own database of the same PostgreSQL server as ours, when asked.
    const goDatabase =
      values['go-database'] === 'postgres'
        ? `${await databaseUrl('postgres', `go_bench_${phase}`)}?sslmode=disable`
        : join(tmp, `go-${phase}.db`);
    specs.push({ kind: 'go', label: 'Go', goBinary, databaseUrl: goDatabase });
  }
  for (const db of databases)
    specs.push({
      kind: 'ours',
      label: db === 'sqlite' ? 'ours SQLite' : 'ours PostgreSQL',
      databaseUrl: await databaseUrl(db, `mesh_bench_${phase}`),
    });
  return specs;
}

async function startAll(phase: string, registriesOnly = false): Promise<RunningServer[]> {
  const servers: RunningServer[] = [];
  for (const spec of await serverSpecs(phase)) {
    if (!(registriesOnly && spec.kind === 'noop')) servers.push(await startServer(spec));
  }
  return servers;
}

const isRegistry = (s: RunningServer) => s.spec.kind !== 'noop';

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

interface Workload {
  key: string;
  label: string;
  /** Legacy routes exist only in our registry (the Go registry speaks the current protocol). */
  isLegacy?: boolean;
  job(s: RunningServer): Omit<ClosedJob, 'mode' | 'connections' | 'warmupSeconds' | 'seconds'>;
}

const W = {
  legacyHeartbeat: {
    key: 'legacy-heartbeat',
    label: 'legacy heartbeat `POST /heartbeat` {agent_id, status, metadata}',
    isLegacy: true,
    job: (s) => ({ url: `${s.url}/heartbeat`, method: 'POST', body: legacyHeartbeatBody('provider-1') }),
  },
  fullHeartbeat: {
    key: 'full-heartbeat',
    label: "SDK's full heartbeat `POST /heartbeat`, 3 dependencies resolved",
    job: (s) => ({ url: `${s.url}/heartbeat`, method: 'POST', body: consumerBody() }),
  },
  headHeartbeat: {
    key: 'head-heartbeat',
    label: '`HEAD /heartbeat/{id}`',
    job: (s) => ({ url: `${s.url}/heartbeat/${CONSUMER_ID}`, method: 'HEAD', client: 'raw' }),
  },
  agentsSmall: {
    key: 'agents-100',
    label: `\`GET /agents\`, ${opts.agentsSmall} agents`,
    job: (s) => ({ url: `${s.url}/agents`, method: 'GET' }),
  },
  agentsLarge: {
    key: 'agents-1000',
    label: `\`GET /agents\`, ${opts.agentsLarge} agents`,
    job: (s) => ({ url: `${s.url}/agents`, method: 'GET' }),
  },
  health: {
    key: 'health',
    label: '`GET /health`',
    job: (s) => ({ url: `${s.url}/health`, method: 'GET' }),
  },
  registerCurrent: {
    key: 'register-current',
    label: 'registration, current protocol (full heartbeat of a new agent)',
    job: (s) => ({
      url: `${s.url}/heartbeat`,
      method: 'POST',
      body: currentRegistrationTemplate(),
      idReplacement: true,
    }),
  },
  registerLegacy: {
    key: 'register-legacy',
    label: 'registration, legacy `POST /agents/register_with_metadata`',
    isLegacy: true,
    job: (s) => ({
      url: `${s.url}/agents/register_with_metadata`,
      method: 'POST',
      body: legacyRegistrationTemplate,
      idReplacement: true,
    }),
  },
} satisfies Record<string, Workload>;

interface Cell {
  rps: number[];
  p50: number[];
  p99: number[];
  /** The server's CPU time over the measured run's wall time, per round. */
  busy: number[];
  /**
   * Requests per second of the server's CPU time, per round: what a request costs the server,
   * whether or not the client kept it busy (a loaded machine slows the client too).
   */
  perCpuSecond: number[];
  errors: number;
  /** Jobs workloads: claims that found no job (not counted in `rps`). */
  empty?: number;
}
const throughput = new Map<string, Map<string, Cell>>();
const memory = new Map<string, Map<string, { rss: number; anon: number }>>();
const scaleRows: { server: string; workload: string; agents: number; result: OpenResult }[] = [];
const chartSeries: ChartSeries[] = [];

/** Adds one round's measurement to the table cell of `workload` × `server`; returns the cell. */
function recordCell(
  workload: string,
  server: string,
  r: { rps: number; p50: number; p99: number; busy: number; perCpuSecond: number; errors: number },
): Cell {
  const row = throughput.get(workload) ?? new Map<string, Cell>();
  throughput.set(workload, row);
  const cell = row.get(server) ?? { rps: [], p50: [], p99: [], busy: [], perCpuSecond: [], errors: 0 };
  row.set(server, cell);
  cell.rps.push(r.rps);
  cell.p50.push(r.p50);
  cell.p99.push(r.p99);
  cell.busy.push(r.busy);
  cell.perCpuSecond.push(r.perCpuSecond);
  cell.errors += r.errors;
  return cell;
}

async function measureRounds(servers: RunningServer[], workloads: Workload[]): Promise<void> {
  workloads = workloads.filter((w) => wants(w.key));
  for (let round = 1; round <= opts.rounds; round++) {
    for (const w of workloads) {
      // Interleaved: each round visits every server, so a slow moment of the machine is shared.
      for (const s of servers) {
        if (w.isLegacy && s.spec.kind === 'go') continue;
        const job = w.job(s);
        const r = await measureClosed(
          s.pid,
          {
            ...job,
            // autocannon runs for whole seconds at least: the quick mode keeps it for one workload
            // (so both clients stay exercised) and gives the others our raw client.
            client: quick && w.key !== 'health' ? 'raw' : job.client,
            connections: opts.connections,
            seconds: opts.seconds,
          },
          opts.warmup,
        );
        recordCell(w.key, s.spec.label, r);
        log(
          `round ${round} ${w.key} ${s.spec.label}: ${r.rps.toFixed(0)} req/s, p99 ${fmt(r.p99, 1)} ms, server busy ${(r.busy * 100).toFixed(0)}%, ${r.errors} errors`,
        );
      }
    }
  }
}

/** The jobs workloads (bench/lib/load-worker.ts, mode `jobs`): not in W, their loop reads answers. */
const JOB_WORKLOADS = [
  {
    key: 'job-claims',
    kind: 'claims',
    label: 'job claims `POST /jobs/claim` (claims that found a job /s; queue pre-filled)',
  },
  {
    key: 'job-round-trip',
    kind: 'round-trip',
    label: 'job round trips: submit, claim, complete (`POST /jobs/batch`), `GET /jobs/{id}` (/s)',
  },
] as const;

/** The provider agent that claims and completes jobs: it offers every capability the jobs use. */
const JOB_PROVIDER = 'bench-job-provider';
const jobCapability = (kind: string, round: number) => `bench_${kind.replace('-', '_')}_${round}`;

function jobProviderBody(): string {
  const capabilities = ['round-trip', 'claims'].flatMap((kind) =>
    Array.from({ length: opts.rounds + 1 }, (_, round) => jobCapability(kind, round)),
  );
  return JSON.stringify({
    ...provider(0, JOB_PROVIDER),
    tools: capabilities.map((capability) => ({ function_name: capability, capability, version: '1.0.0' })),
  });
}

/** Submits `count` jobs of `capability`, 32 at a time (not measured). */
async function submitJobs(url: string, capability: string, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const n = next++;
        const res = await fetch(`${url}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ capability, submitted_by: 'bench', submitted_payload: { n } }),
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`${url}/jobs: ${res.status}`);
      }
    }),
  );
}

/**
 * Job claims: before each run (warm-up and measured run apart) the queue of a fresh capability is
 * filled with 1.5x the claims the server made per second so far times the run's seconds (a guess
 * of 3,000/s before the first), so every claim should find a job; only claims that found one
 * count, and claims answered with none are reported apart (the queue ran dry, or the registry
 * gave nothing to a claim that lost a race with another).
 * Round trips need no queue: each submits the job it then claims (any job of its capability).
 */
const jobRates = new Map<string, number>();
async function measureJobRounds(servers: RunningServer[]): Promise<void> {
  for (const s of servers) {
    const res = await fetch(`${s.url}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: jobProviderBody(),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${s.spec.label}: registering ${JOB_PROVIDER}: ${res.status}`);
  }
  for (let round = 1; round <= opts.rounds; round++) {
    for (const w of JOB_WORKLOADS.filter((x) => wants(x.key))) {
      for (const s of servers) {
        const capability = jobCapability(w.kind, w.kind === 'claims' ? round : 0);
        // Jobs of this round's capability waiting to be claimed (the warm-up leaves some).
        let queued = 0;
        const fill = async (seconds: number) => {
          if (w.kind !== 'claims' || seconds <= 0) return;
          const rate = jobRates.get(s.spec.label) ?? 3000;
          const count = Math.ceil(rate * seconds * 1.5) + 100;
          await submitJobs(s.url, capability, count);
          queued += count;
        };
        const job = {
          kind: w.kind,
          url: s.url,
          capability,
          instanceId: JOB_PROVIDER,
          connections: opts.connections,
        };
        // Each cell on quiet cores: a registry's jobs leave its database busy for a while (the
        // Go registry's sweeps over the jobs a claims cell queued), which the next cell on the
        // same PostgreSQL server would otherwise be charged with. Not in --quick.
        const quiet = quick ? undefined : await waitForQuietCores();
        if (quiet !== undefined && quiet.waitedSeconds > 1.5)
          log(
            `${w.key} ${s.spec.label}: cores ${(quiet.busy * 100).toFixed(0)}% busy after waiting ${quiet.waitedSeconds.toFixed(0)} s`,
          );
        if (opts.warmup > 0) {
          await fill(opts.warmup);
          const warm = await measureJobs(s.pid, { ...job, seconds: opts.warmup });
          queued -= warm.requests;
          if (w.kind === 'claims' && warm.empty === 0) jobRates.set(s.spec.label, warm.rps);
        }
        await fill(opts.seconds);
        const queuedBefore = queued;
        const r = await measureJobs(s.pid, { ...job, seconds: opts.seconds });
        if (w.kind === 'claims') jobRates.set(s.spec.label, Math.max(r.rps, jobRates.get(s.spec.label) ?? 0));
        const cell = recordCell(w.key, s.spec.label, r);
        cell.empty = (cell.empty ?? 0) + r.empty;
        log(
          `round ${round} ${w.key} ${s.spec.label}: ${r.rps.toFixed(0)}/s, p99 ${fmt(r.p99, 1)} ms, server busy ${(r.busy * 100).toFixed(0)}%, ${r.errors} errors, ${r.empty} claims answered no job${w.kind === 'claims' ? ` (${queuedBefore} jobs queued at the start)` : ''}`,
        );
      }
    }
  }
}

async function recordRss(servers: RunningServer[], column: string): Promise<void> {
  await new Promise((r) => setTimeout(r, quick ? 200 : 3000));
  for (const s of servers) {
    const row = memory.get(s.spec.label) ?? new Map<string, { rss: number; anon: number }>();
    row.set(column, await settledResidentMb(s.pid, 0));
    memory.set(s.spec.label, row);
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 1: throughput and memory at 100 and 1,000 agents
// ---------------------------------------------------------------------------------------------

const started = new Date();
const loadBefore = loadavg();
try {
  log(`${describePinning()}; rounds ${opts.rounds} × (${opts.warmup} s warm-up + ${opts.seconds} s)`);
  let servers: RunningServer[] = [];
  cleanups.unshift(() => Promise.all(servers.map((s) => s.stop())).then(() => {}));
  // Skipped when --only names none of its workloads (it registers 1,000 agents per server).
  if ((Object.values(W) as Workload[]).some((w) => wants(w.key))) {
    servers = await startAll('main');
    await recordRss(servers, 'idle');
    const registries = servers.filter(isRegistry);
    for (const s of registries) {
      await registerProviders(s.url, 0, opts.agentsSmall - 1);
      await registerConsumer(s.url, opts.agentsSmall >= 100);
    }
    await measureRounds(servers, [W.agentsSmall]);
    for (const s of registries) {
      await registerProviders(s.url, opts.agentsSmall - 1, opts.agentsLarge - 1);
      await registerConsumer(s.url);
      const n = await countAgents(s.url);
      if (n !== opts.agentsLarge)
        throw new Error(`${s.spec.label} lists ${n} agents, expected ${opts.agentsLarge}`);
    }
    await recordRss(servers, `${opts.agentsLarge}`);
    await measureRounds(servers, [
      W.legacyHeartbeat,
      W.fullHeartbeat,
      W.headHeartbeat,
      W.agentsLarge,
      W.health,
    ]);
    // Registrations last: every request adds an agent.
    await measureRounds(servers, [W.registerCurrent, W.registerLegacy]);
    await Promise.all(servers.map((s) => s.stop()));
  }

  // -------------------------------------------------------------------------------------------
  // Jobs (MeshJob): claims per second and round trips per second, registries only
  // -------------------------------------------------------------------------------------------
  if (JOB_WORKLOADS.some((w) => wants(w.key))) {
    servers = await startAll('jobs', true);
    await measureJobRounds(servers);
    await Promise.all(servers.map((s) => s.stop()));
  }

  // -------------------------------------------------------------------------------------------
  // Phase 2: 10,000 agents — memory, the scale test, latency vs load
  // -------------------------------------------------------------------------------------------
  if (wants('scale') || wants('chart')) {
    const scaleJobs = (s: RunningServer) => [
      {
        workload: '`HEAD /heartbeat/{id}` (current protocol)',
        method: 'HEAD' as const,
        path: '/heartbeat/{id}',
        body: undefined,
      },
      // Legacy heartbeats: ours only (the Go registry has no legacy API; the no-op answers the same).
      ...(s.spec.kind !== 'ours'
        ? []
        : [
            {
              workload: 'legacy `POST /heartbeat`',
              method: 'POST' as const,
              path: '/heartbeat',
              body: legacyHeartbeatBody('{id}'),
            },
          ]),
    ];
    /** Open-loop heartbeats at `rate`/s, each to the next of the registered agents in turn. */
    const heartbeatLoad = (
      url: string,
      job: { method: 'HEAD' | 'POST'; path: string; body?: string },
      rate: number,
      warmupSeconds: number,
      seconds: number,
    ) =>
      openLoad({
        url,
        method: job.method,
        path: job.path,
        body: job.body,
        idPrefix: 'provider-',
        agents: opts.scaleAgents,
        rate,
        warmupSeconds,
        seconds,
      });
    // One server at a time, started, given its agents, measured and stopped before the next one
    // starts: a registry with 10,000 agents sweeps them, and one left with a backlog (the Go
    // registry queues every heartbeat it cannot answer) must not share the cores with the next.
    for (const spec of await serverSpecs('scale')) {
      const s = await startServer(spec);
      servers = [s];
      if (isRegistry(s)) {
        log(`registering ${opts.scaleAgents} agents with ${s.spec.label}`);
        await registerProviders(s.url, 0, opts.scaleAgents);
      }
      await recordRss([s], `${opts.scaleAgents}`);
      if (wants('scale')) {
        for (const j of scaleJobs(s)) {
          if (!quick) {
            const quiet = await waitForQuietCores();
            log(
              `scale: cores ${(quiet.busy * 100).toFixed(0)}% busy after waiting ${quiet.waitedSeconds.toFixed(0)} s`,
            );
          }
          log(`scale: ${s.spec.label} ${j.workload}, ${opts.scaleRate}/s for ${opts.scaleSeconds} s`);
          const result = await heartbeatLoad(s.url, j, opts.scaleRate, quick ? 0 : 5, opts.scaleSeconds);
          scaleRows.push({ server: s.spec.label, workload: j.workload, agents: opts.scaleAgents, result });
        }
      }
      if (wants('chart')) {
        for (const j of scaleJobs(s)) {
          const series: ChartSeries = { label: `${s.spec.label}, ${j.method}`, points: [] };
          for (const rate of opts.chartRates) {
            const r = await heartbeatLoad(s.url, j, rate, quick ? 0 : 1, opts.chartSeconds);
            // No answer at all in the window (JSON has no NaN: the quantiles arrive as null).
            if (!Number.isFinite(r.p99 ?? Number.NaN)) {
              log(`chart: ${series.label} at ${rate}/s: no answer within the run, ${r.errors} errors`);
              break;
            }
            log(
              `chart: ${series.label} at ${rate}/s: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms, ${r.errors} errors`,
            );
            series.points.push({ rate, p50: r.p50, p99: r.p99, errors: r.errors });
            // Past saturation the queue only grows: higher rates would just take longer.
            if (r.p99 > 1000) break;
          }
          chartSeries.push(series);
        }
      }
      await s.stop();
    }
    await Promise.all(servers.map((s) => s.stop()));
  }
} finally {
  await stopLoadWorker();
  for (const cleanup of cleanups) await cleanup();
}

// ---------------------------------------------------------------------------------------------
// CLI start-up (bench/cli-startup.ts)
// ---------------------------------------------------------------------------------------------

let cli: { node: string; runs: number; warmup: number; rows: { command: string; ms: number }[] } | undefined;
if (!values['no-cli'] && wants('cli')) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(REPO_ROOT, 'bench', 'cli-startup.ts'),
      '--json',
      '--runs',
      quick ? '3' : '30',
      '--warmup',
      quick ? '1' : '5',
    ],
    { timeout: 300_000 },
  );
  cli = JSON.parse(stdout);
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const out: string[] = [];
const model = cpus()[0]?.model ?? 'unknown CPU';
const loadAfter = loadavg();
const cells = [...throughput.values()].flatMap((row) => [...row.values()]);
const spreads = cells.map((c) => spread(c.rps)).filter(Number.isFinite);
out.push(
  `Run ${started.toISOString()}, ${cpus().length} cores (${model}), Node ${process.version}, ${quick ? 'QUICK MODE (numbers mean nothing)' : 'full run'}.`,
  `Load average (1 min) ${loadBefore[0]?.toFixed(2)} before the run, ${loadAfter[0]?.toFixed(2)} after: above 0 means other processes were using the cores.`,
  `Load: autocannon (HEAD: our raw HTTP/1.1 client), ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.seconds} s per round, ${opts.rounds} round(s) interleaved across servers, median of rounds; ${describePinning()}.`,
  `Go registry: npm @mcpmesh/cli-linux-x64 \`mcp-mesh-registry\` on ${values['go-database'] === 'postgres' ? 'PostgreSQL (the same server as ours)' : 'SQLite'}${goBinary ? '' : ' (skipped: --no-go)'}.`,
  ...(spreads.length > 0
    ? [
        `Noise: the req/s of one cell differed between its rounds by (max − min) / median = ${sig(median(spreads) * 100)}% at the median cell, ${sig(Math.max(...spreads) * 100)}% at worst (${spreads.length} cells). Ratios are given to 2 significant figures, with the range of the per-round ratios in brackets.`,
      ]
    : []),
  '',
);
const labels = [...new Set([...throughput.values()].flatMap((row) => [...row.keys()]))];
const oursLabels = labels.filter((l) => l.startsWith('ours'));
const hasThroughput = (Object.values(W) as Workload[]).some((w) => throughput.has(w.key));
for (const ours of hasThroughput ? oursLabels : []) {
  out.push(`### Throughput: ${ours} (req/s, median; p99 ms in brackets)`, '');
  out.push(
    `| workload | no-op Node | Go | ${ours} | ours / no-op | ours / Go |`,
    '|---|---|---|---|---|---|',
  );
  for (const w of Object.values(W) as Workload[]) {
    const row = throughput.get(w.key);
    if (!row) continue;
    const cell = (l: string) => {
      const c = row.get(l);
      if (!c) return 'n/a';
      return `${sig(median(c.rps), 3)} (${sig(median(c.p99))})${c.errors ? ` ${c.errors} err` : ''}`;
    };
    const rps = (l: string) => row.get(l)?.rps;
    out.push(
      `| ${w.label} | ${cell('no-op Node')} | ${cell('Go')} | ${cell(ours)} | ${ratioWithRange(rps(ours), rps('no-op Node'))} | ${ratioWithRange(rps(ours), rps('Go'))} |`,
    );
  }
  out.push('');
}
for (const ours of hasThroughput ? oursLabels : []) {
  out.push(
    `### Requests per CPU second of the server: ${ours} (median of rounds; the server's busy share of its core in brackets)`,
    '',
    `| workload | no-op Node | Go | ${ours} | ours / no-op | ours / Go |`,
    '|---|---|---|---|---|---|',
  );
  for (const w of Object.values(W) as Workload[]) {
    const row = throughput.get(w.key);
    if (!row) continue;
    const cell = (l: string) => {
      const c = row.get(l);
      return c ? `${sig(median(c.perCpuSecond))} (${sig(median(c.busy) * 100)}%)` : 'n/a';
    };
    const perCpu = (l: string) => row.get(l)?.perCpuSecond;
    out.push(
      `| ${w.label} | ${cell('no-op Node')} | ${cell('Go')} | ${cell(ours)} | ${ratioWithRange(perCpu(ours), perCpu('no-op Node'))} | ${ratioWithRange(perCpu(ours), perCpu('Go'))} |`,
    );
  }
  out.push('');
}
const jobRows = JOB_WORKLOADS.filter((w) => throughput.has(w.key));
if (jobRows.length > 0) {
  out.push(
    '### Jobs (MeshJob)',
    '',
    `How: bench/lib/load-worker.ts (mode \`jobs\`), ${opts.connections} keep-alive connections in a closed loop, reading every answer, one provider agent (\`${JOB_PROVIDER}\`, registered through the current protocol) claiming; ${opts.warmup} s warm-up + ${opts.seconds} s per round, median of rounds.`,
    `- job claims: \`POST /jobs/claim\` against a queue filled before each run (1.5x the claims the server made per second so far, times the run's seconds; a fresh capability per round); only claims that found a job count; claims answered \`claimed: []\` are shown as "empty" (the queue ran out, or the registry gave nothing to a claim that lost a race); p99 is per claim request.`,
    '- job round trips: `POST /jobs` → `POST /jobs/claim` → `POST /jobs/batch` (status completed, at the claim epoch) → `GET /jobs/{id}` showing completed; a round trip counts only when all four succeeded; p99 is per round trip.',
    '',
  );
  for (const ours of oursLabels) {
    out.push(
      `| workload | Go | ${ours} | ours / Go | per CPU second: Go | ${ours} | ours / Go |`,
      '|---|---|---|---|---|---|---|',
    );
    for (const w of jobRows) {
      const row = throughput.get(w.key)!;
      const cell = (l: string) => {
        const c = row.get(l);
        if (!c) return 'n/a';
        const notes = [c.errors ? `${c.errors} err` : '', c.empty ? `${c.empty} empty` : ''].filter(Boolean);
        return `${sig(median(c.rps), 3)} (${sig(median(c.p99))})${notes.length ? ` ${notes.join(', ')}` : ''}`;
      };
      const perCpu = (l: string) => {
        const c = row.get(l);
        return c ? sig(median(c.perCpuSecond)) : 'n/a';
      };
      out.push(
        `| ${w.label} | ${cell('Go')} | ${cell(ours)} | ${ratioWithRange(row.get(ours)?.rps, row.get('Go')?.rps)} | ${perCpu('Go')} | ${perCpu(ours)} | ${ratioWithRange(row.get(ours)?.perCpuSecond, row.get('Go')?.perCpuSecond)} |`,
      );
    }
    out.push('');
  }
}
if (memory.size > 0) {
  const columns = [...new Set([...memory.values()].flatMap((r) => [...r.keys()]))];
  const header = `| server | ${columns.map((c) => (c === 'idle' ? 'idle' : `${fmt(Number(c))} agents`)).join(' | ')} |`;
  for (const [title, part] of [
    ['Memory: RSS in MB (VmRSS after a few idle seconds)', 'rss'],
    [
      "Memory: the anonymous part of that RSS in MB (RssAnon: the process's own pages; the rest is the executable's file pages, shared between processes)",
      'anon',
    ],
  ] as const) {
    out.push(`### ${title}`, '', header, `|---|${columns.map(() => '---').join('|')}|`);
    for (const [label, row] of memory)
      out.push(`| ${label} | ${columns.map((c) => sig(row.get(c)?.[part], 3)).join(' | ')} |`);
    out.push('');
  }
}
if (scaleRows.length > 0) {
  out.push(
    `### Scale: ${fmt(opts.scaleAgents)} agents (registered through the current protocol), heartbeats at a fixed ${fmt(opts.scaleRate)}/s (open loop) for ${opts.scaleSeconds} s`,
    '',
    'One server and one heartbeat at a time, each after a 5 s warm-up and after the cores were quiet for a second (under 15% busy, at most 60 s of waiting; the bench log says how long each waited); latency counted from when each request was due.',
    '',
    '| server | heartbeat | offered /s | answered /s | p50 ms | p99 ms | max ms | errors |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const { server, workload, result: r } of scaleRows)
    out.push(
      `| ${server} | ${workload} | ${fmt(r.rate)} | ${sig(r.achieved, 3)} | ${sig(r.p50)} | ${sig(r.p99)} | ${sig(r.max)} | ${r.errors} |`,
    );
  out.push('');
}
if (chartSeries.length > 0) {
  out.push('### Latency vs load (open loop, p50 / p99 ms)', '');
  const rates = opts.chartRates;
  out.push(
    `| series | ${rates.map((r) => `${fmt(r)}/s`).join(' | ')} |`,
    `|---|${rates.map(() => '---').join('|')}|`,
  );
  for (const s of chartSeries)
    out.push(
      `| ${s.label} | ${rates
        .map((rate) => {
          const p = s.points.find((x) => x.rate === rate);
          return p ? `${sig(p.p50)} / ${sig(p.p99)}${p.errors ? ` (${p.errors} err)` : ''}` : 'saturated';
        })
        .join(' | ')} |`,
    );
  out.push('');
  mkdirSync(dirname(values.chart), { recursive: true });
  writeFileSync(
    values.chart,
    latencyChartSvg(
      `Heartbeat latency vs offered load, ${fmt(opts.scaleAgents)} agents`,
      `${started.toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, server and client pinned to separate cores`,
      chartSeries,
    ),
  );
}
if (cli) {
  const base = cli.rows[0]?.ms ?? Number.NaN;
  out.push(
    `### CLI start-up (bench/cli-startup.ts: median of ${cli.runs} runs after ${cli.warmup} warm-up runs)`,
    '',
    '| command | median ms | vs node -e 0 |',
    '|---|---|---|',
    ...cli.rows.map((r) => `| ${r.command} | ${sig(r.ms)} | ${sig(r.ms / base)}x |`),
    '',
  );
}
const report = out.join('\n');
process.stdout.write(`${report}\n`);
mkdirSync(values['out-dir'], { recursive: true });
writeFileSync(join(values['out-dir'], 'bench-results.md'), `${report}\n`);
writeFileSync(join(values['out-dir'], 'bench-log.txt'), `${logLines.join('\n')}\n`);
writeFileSync(
  join(values['out-dir'], 'bench-results.json'),
  `${JSON.stringify(
    {
      started,
      cores: cpus().length,
      model,
      node: process.version,
      pinned: canPin,
      loadavg: { before: loadBefore, after: loadAfter },
      opts,
      throughput: Object.fromEntries([...throughput].map(([k, row]) => [k, Object.fromEntries(row)])),
      memory: Object.fromEntries([...memory].map(([k, row]) => [k, Object.fromEntries(row)])),
      scale: scaleRows,
      chart: chartSeries,
      cli,
    },
    null,
    2,
  )}\n`,
);
