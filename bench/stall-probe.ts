/**
 * Where the scale test's tail latency comes from: our registry with 10,000 agents under `HEAD`
 * heartbeats at a fixed rate (open loop), started with `--trace-gc` and an event-loop delay
 * monitor, so long pauses can be matched to collections, checkpoints or sweeps.
 *
 *   node bench/stall-probe.ts [--database sqlite|postgres|<postgresql url>] [--agents 10000] [--rate 2000]
 *     [--seconds 30] [--flags="--trace-gc"] [--out /tmp/stall] [--heap-profile]
 *
 * Environment: HEALTH_CHECK_INTERVAL (default 5 s here), STALL_PROBE_GC_MS (log collections
 * longer than this, default 5), STALL_PROBE_HEAP=true (heap spaces every second), BENCH_PIN=false.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerProviders } from './lib/agents.ts';
import { openLoad, stopLoadWorker } from './lib/load.ts';
import { startServer } from './lib/servers.ts';

/** Loaded into the registry with --import: logs each event-loop turn longer than 10 ms and each GC pause over 5 ms. */
const PRELOAD = `
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';
const file = process.env.STALL_PROBE_LOG;
const log = (line) => appendFileSync(file, (Date.now() / 1000).toFixed(3) + ' ' + line + '\\n');
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 15) log('loop ' + (now - last - 5).toFixed(1) + ' ms late');
  last = now;
}, 5).unref();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.duration > Number(process.env.STALL_PROBE_GC_MS ?? 5)) log('gc kind=' + e.detail?.kind + ' ' + e.duration.toFixed(1) + ' ms');
}).observe({ entryTypes: ['gc'] });
if (process.env.STALL_PROBE_PROFILE) {
  // SIGUSR2 starts a sampling heap profile of what survives young collections; the next one writes it.
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  let isSampling = false;
  process.on('SIGUSR2', async () => {
    if (!isSampling) {
      isSampling = true;
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: false,
      });
      log('heap sampling started');
    } else {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(process.env.STALL_PROBE_PROFILE, JSON.stringify(profile));
      log('heap sampling written');
    }
  });
}
if (process.env.STALL_PROBE_HEAP === 'true') {
  const v8 = await import('node:v8');
  setInterval(() => {
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
    log('heap old ' + (spaces.old_space / 1e6).toFixed(1) + ' MB, new ' + (spaces.new_space / 1e6).toFixed(1) + ' MB, total ' + (v8.getHeapStatistics().used_heap_size / 1e6).toFixed(1) + ' MB');
  }, 1000).unref();
}
`;

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'sqlite' },
    agents: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '30' },
    flags: { type: 'string', default: '' },
    out: { type: 'string', default: '/tmp/stall' },
    'heap-profile': { type: 'boolean', default: false },
  },
});
mkdirSync(values.out, { recursive: true });
const cleanups: (() => Promise<void>)[] = [];
const databaseUrl = await probeDatabase(values.database);

/** `sqlite`: a new file; `postgres`: a new database on a throwaway server (as `bench/run.ts`); else a URL. */
async function probeDatabase(database: string): Promise<string> {
  if (database === 'sqlite') return `sqlite://${join(values.out, `probe-${Date.now()}.db`)}`;
  if (database !== 'postgres') return database;
  const { startPostgres } = await import('../test/helpers/postgres-server.ts');
  const server = await startPostgres();
  cleanups.push(async () => await server[Symbol.asyncDispose]());
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  await client.query('CREATE DATABASE stall_probe');
  await client.end();
  return server.adminUrl.replace(/\/postgres$/, '/stall_probe');
}
const preload = join(values.out, 'preload.mjs');
const stallLog = join(values.out, 'stalls.log');
writeFileSync(preload, PRELOAD);
writeFileSync(stallLog, '');
const server = await startServer({
  kind: 'ours',
  label: 'ours',
  databaseUrl,
  stdoutFile: join(values.out, 'stdout.log'),
  nodeFlags: ['--import', preload, ...values.flags.split(' ').filter(Boolean)],
  env: {
    STALL_PROBE_LOG: stallLog,
    STALL_PROBE_GC_MS: process.env.STALL_PROBE_GC_MS ?? '5',
    STALL_PROBE_HEAP: process.env.STALL_PROBE_HEAP ?? 'false',
    STALL_PROBE_PROFILE: values['heap-profile'] ? join(values.out, 'promoted.heapprofile') : '',
    HEALTH_CHECK_INTERVAL: process.env.HEALTH_CHECK_INTERVAL ?? '5',
    DEFAULT_TIMEOUT_THRESHOLD: '3600',
    MCP_MESH_HEARTBEAT_PROBE_AFTER: '0',
  },
});
console.log(`stalls and GC pauses: ${stallLog}`);
try {
  const agents = Number(values.agents);
  await registerProviders(server.url, 0, agents);
  // The sampling heap profile covers the measured part of the run.
  // (It costs the first and last second of the run a pause of its own.)
  if (values['heap-profile']) {
    setTimeout(() => process.kill(server.pid, 'SIGUSR2'), 5000);
    setTimeout(() => process.kill(server.pid, 'SIGUSR2'), 4000 + Number(values.seconds) * 1000);
  }
  console.log(`load starts at ${(Date.now() / 1000).toFixed(3)} (5 s warm-up, then measured)`);
  const result = await openLoad({
    url: server.url,
    method: 'HEAD',
    path: '/heartbeat/{id}',
    idPrefix: 'provider-',
    agents,
    rate: Number(values.rate),
    warmupSeconds: 5,
    seconds: Number(values.seconds),
  });
  const line = `p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)} max ${result.max?.toFixed(1)} ms, sent ${result.sent}, errors ${result.errors}`;
  console.log(line);
  console.log(
    `per second (p99/max ms): ${result.perSecond.map((s) => `${s.p99.toFixed(0)}/${s.max.toFixed(0)}`).join(' ')}`,
  );
  writeFileSync(join(values.out, 'result.json'), JSON.stringify(result, null, 2));
} finally {
  await stopLoadWorker();
  await server.stop();
  for (const cleanup of cleanups) await cleanup();
}
