/**
 * The registry's young-generation size against memory and throughput: our registry on SQLite
 * with its default (`bin/mcp-mesh-registry` re-executes itself with `--max-semi-space-size=2`),
 * with V8's default (`MCP_MESH_NODE_DEFAULTS=false`), and with 1 and 8 MB semi-spaces. All four
 * hold 1,000 agents and the consumer; RSS is read after 3 idle seconds, before and after the
 * legacy heartbeat's closed loop (rounds interleaved across the four, as in `npm run bench`).
 *
 *   node bench/node-flags.ts [--rounds 3] [--seconds 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerConsumer, registerProviders } from './lib/agents.ts';
import { describePinning } from './lib/cpu.ts';
import { measureClosed, stopLoadWorker } from './lib/load.ts';
import { legacyHeartbeatBody } from './lib/payloads.ts';
import { type RunningServer, type ServerSpec, settledResidentMb, startServer } from './lib/servers.ts';
import { median, ratioWithRange, sig } from './lib/stats.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '4' } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const tmp = mkdtempSync(join(tmpdir(), 'mesh-node-flags-'));
const DEFAULT = 'registry default (`--max-semi-space-size=2`)';
const specs: ServerSpec[] = [
  { kind: 'ours', label: DEFAULT },
  {
    kind: 'ours',
    label: "V8's default (`MCP_MESH_NODE_DEFAULTS=false`)",
    env: { MCP_MESH_NODE_DEFAULTS: 'false' },
  },
  { kind: 'ours', label: '`--max-semi-space-size=1`', nodeFlags: ['--max-semi-space-size=1'] },
  { kind: 'ours', label: '`--max-semi-space-size=8`', nodeFlags: ['--max-semi-space-size=8'] },
  {
    kind: 'ours',
    label: 'the default and `--single-threaded-gc`',
    nodeFlags: ['--max-semi-space-size=2', '--single-threaded-gc'],
  },
].map((s, i) => ({ ...s, kind: 'ours', databaseUrl: `sqlite://${join(tmp, `flags-${i}.db`)}` }));

const servers: RunningServer[] = [];
const rows = new Map<
  string,
  { before: number; after: number; rps: number[]; perCpu: number[]; busy: number[] }
>();
try {
  for (const spec of specs) servers.push(await startServer(spec));
  for (const s of servers) {
    await registerProviders(s.url, 0, 999);
    await registerConsumer(s.url);
  }
  for (const s of servers)
    rows.set(s.spec.label, {
      before: (await settledResidentMb(s.pid)).rss,
      after: 0,
      rps: [],
      perCpu: [],
      busy: [],
    });
  for (let round = 1; round <= rounds; round++) {
    for (const s of servers) {
      const r = await measureClosed(
        s.pid,
        {
          url: `${s.url}/heartbeat`,
          method: 'POST',
          body: legacyHeartbeatBody('provider-1'),
          connections: 32,
          seconds,
        },
        1,
      );
      if (r.errors > 0) throw new Error(`${s.spec.label}: ${r.errors} errors`);
      const row = rows.get(s.spec.label)!;
      row.rps.push(r.rps);
      row.perCpu.push(r.perCpuSecond);
      row.busy.push(r.busy);
      process.stderr.write(
        `round ${round} ${s.spec.label}: ${r.rps.toFixed(0)} req/s, busy ${(r.busy * 100).toFixed(0)}%\n`,
      );
    }
  }
  for (const s of servers) rows.get(s.spec.label)!.after = (await settledResidentMb(s.pid)).rss;
} finally {
  await stopLoadWorker();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(tmp, { recursive: true, force: true });
}

const base = rows.get(DEFAULT)!;
console.log(
  `Legacy heartbeat, 1,000 agents, 32 connections, ${rounds} rounds × (1 s warm-up + ${seconds} s) interleaved, medians; ${describePinning()}; Node ${process.version}.`,
);
console.log(
  '| young generation | RSS MB, 1,000 agents | RSS MB after the load | req/s | req per CPU second | req per CPU second vs the registry default | busy, each round |',
);
console.log('|---|---|---|---|---|---|---|');
for (const [label, r] of rows)
  console.log(
    `| ${label} | ${sig(r.before, 3)} | ${sig(r.after, 3)} | ${sig(median(r.rps), 3)} | ${sig(median(r.perCpu))} | ${label === DEFAULT ? '1' : ratioWithRange(r.perCpu, base.perCpu)} | ${r.busy.map((b) => `${sig(b * 100)}%`).join(', ')} |`,
  );
