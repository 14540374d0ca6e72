/**
 * How much of the no-op server's throughput Fastify alone leaves: the legacy heartbeat's request
 * (`POST /heartbeat` with its JSON body) against the no-op `node:http` server, a bare Fastify app
 * answering a constant (bench/lib/fastify-floor-server.mjs), and our registry on SQLite, same
 * load generator, pinning and rounds as `npm run bench`.
 *
 *   node bench/fastify-floor.ts [--rounds 3] [--seconds 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerProviders } from './lib/agents.ts';
import { describePinning } from './lib/cpu.ts';
import { closedLoad, stopLoadWorker } from './lib/load.ts';
import { legacyHeartbeatBody } from './lib/payloads.ts';
import { type RunningServer, startServer } from './lib/servers.ts';
import { fmt, median } from './lib/stats.ts';

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
  for (let round = 1; round <= rounds; round++) {
    for (const s of servers) {
      const r = await closedLoad({
        url: `${s.url}/heartbeat`,
        method: 'POST',
        body: legacyHeartbeatBody('provider-0'),
        connections: 32,
        warmupSeconds: 1,
        seconds,
      });
      if (r.errors > 0) throw new Error(`${s.spec.label}: ${r.errors} errors`);
      rps.get(s.spec.label)!.push(r.rps);
      process.stderr.write(`round ${round} ${s.spec.label}: ${r.rps.toFixed(0)} req/s\n`);
    }
  }
  const noop = median(rps.get('no-op Node')!);
  console.log(
    `${describePinning()}; 32 connections, ${rounds} rounds × (1 s warm-up + ${seconds} s), medians`,
  );
  console.log('| server | req/s | vs no-op |\n|---|---|---|');
  for (const [label, values] of rps)
    console.log(`| ${label} | ${fmt(median(values))} | ${(median(values) / noop).toFixed(2)}x |`);
} finally {
  await stopLoadWorker();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(tmp, { recursive: true, force: true });
}
