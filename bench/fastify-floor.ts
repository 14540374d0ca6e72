/**
 * How much of the no-op server's throughput Fastify alone leaves: the legacy heartbeat's request
 * (`POST /heartbeat` with its JSON body) against the no-op `node:http` server, a bare Fastify app
 * answering a constant (bench/lib/fastify-floor-server.mjs), and our registry on SQLite, same
 * load generator, pinning and rounds as `npm run bench`: throughput, and requests per CPU second of
 * each server (what a request costs it, whether or not the client kept it busy).
 *
 *   node bench/fastify-floor.ts [--rounds 3] [--seconds 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerProviders } from './lib/agents.ts';
import { describePinning } from './lib/cpu.ts';
import { measureClosed, stopLoadWorker } from './lib/load.ts';
import { legacyHeartbeatBody } from './lib/payloads.ts';
import { type RunningServer, startServer } from './lib/servers.ts';
import { median, ratioWithRange, sig } from './lib/stats.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '4' } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const tmp = mkdtempSync(join(tmpdir(), 'mesh-fastify-floor-'));
const servers: RunningServer[] = [];
try {
  servers.push(await startServer({ kind: 'noop', label: 'no-op Node' }));
  servers.push(await startServer({ kind: 'fastify', label: 'bare Fastify' }));
  servers.push(
    await startServer({
      kind: 'ours',
      label: 'ours SQLite',
      databaseUrl: `sqlite://${join(tmp, 'floor.db')}`,
    }),
  );
  await registerProviders(servers[2]!.url, 0, 1);
  const rps = new Map<string, number[]>(servers.map((s) => [s.spec.label, []]));
  const perCpu = new Map<string, number[]>(servers.map((s) => [s.spec.label, []]));
  const busy = new Map<string, number[]>(servers.map((s) => [s.spec.label, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const s of servers) {
      const r = await measureClosed(
        s.pid,
        {
          url: `${s.url}/heartbeat`,
          method: 'POST',
          body: legacyHeartbeatBody('provider-0'),
          connections: 32,
          seconds,
        },
        1,
      );
      if (r.errors > 0) throw new Error(`${s.spec.label}: ${r.errors} errors`);
      rps.get(s.spec.label)!.push(r.rps);
      perCpu.get(s.spec.label)!.push(r.perCpuSecond);
      busy.get(s.spec.label)!.push(r.busy);
      process.stderr.write(
        `round ${round} ${s.spec.label}: ${r.rps.toFixed(0)} req/s, busy ${(r.busy * 100).toFixed(0)}%\n`,
      );
    }
  }
  console.log(
    `${describePinning()}; 32 connections, ${rounds} rounds × (1 s warm-up + ${seconds} s) interleaved, medians; in brackets the range of the per-round ratios`,
  );
  console.log(
    '| server | req/s | vs no-op | req per CPU second of the server | vs no-op | busy, each round |\n|---|---|---|---|---|---|',
  );
  for (const s of servers) {
    const label = s.spec.label;
    console.log(
      `| ${label} | ${sig(median(rps.get(label)!), 3)} | ${ratioWithRange(rps.get(label), rps.get('no-op Node'))} | ${sig(median(perCpu.get(label)!))} | ${ratioWithRange(perCpu.get(label), perCpu.get('no-op Node'))} | ${busy
        .get(label)!
        .map((b) => `${sig(b * 100)}%`)
        .join(', ')} |`,
    );
  }
} finally {
  await stopLoadWorker();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(tmp, { recursive: true, force: true });
}
