/**
 * What Node itself costs in memory, under the registry's idle RSS: an idle `node -e`, the same
 * after importing Fastify (with the V8 heap it then uses), the no-op HTTP server of
 * `npm run bench`, and our registry idle on SQLite. Each runs alone, settles for `--settle`
 * seconds, and is read from /proc/<pid>/status: VmRSS, its anonymous part (RssAnon: the process's
 * own pages) and its file part (RssFile: mostly the `node` executable's pages, shared).
 *
 *   node bench/memory-floor.ts [--settle 3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { REPO_ROOT, residentMb, startServer } from './lib/servers.ts';
import { sig } from './lib/stats.ts';

const { values } = parseArgs({ options: { settle: { type: 'string', default: '3' } } });
const settleMs = Number(values.settle) * 1000;

/**
 * A bare `node` running `code` (an ES module) that, once settled, prints its V8 heap in use; its
 * memory is read at that moment, before it exits.
 */
async function bareNode(code: string): Promise<{ rss: number; anon: number; file: number; heap: number }> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `${code}\nsetTimeout(() => console.log(process.memoryUsage().heapUsed), ${settleMs}); setInterval(() => {}, 1 << 30);`,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      return { ...residentMb(child.pid as number), heap: Number(line) / 2 ** 20 };
    }
    throw new Error(`node exited (${child.exitCode}) before printing its heap`);
  } finally {
    child.kill();
  }
}

const rows: { what: string; rss: number; anon: number; file: number; heap?: number }[] = [];
rows.push({ what: 'idle `node -e`', ...(await bareNode('')) });
rows.push({
  what: "`node -e` after `await import('fastify')`",
  ...(await bareNode("await import('fastify');")),
});
const tmp = mkdtempSync(join(tmpdir(), 'mesh-memory-floor-'));
try {
  for (const spec of [
    { kind: 'noop' as const, label: 'no-op Node server (`bench/lib/noop-server.mjs`)' },
    { kind: 'ours' as const, label: 'ours on SQLite, idle', databaseUrl: `sqlite://${join(tmp, 'idle.db')}` },
  ]) {
    const server = await startServer(spec);
    try {
      await new Promise((r) => setTimeout(r, settleMs));
      rows.push({ what: spec.label, ...residentMb(server.pid) });
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(`Node ${process.version}, each process alone, read after ${values.settle} idle seconds; MB.`);
console.log('| process | VmRSS | RssAnon | RssFile | V8 heap in use |\n|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.what} | ${sig(r.rss, 3)} | ${sig(r.anon, 3)} | ${sig(r.file, 3)} | ${r.heap === undefined ? 'n/a' : sig(r.heap, 2)} |`,
  );
