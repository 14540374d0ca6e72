/**
 * What one SQLite write transaction costs on this machine, with the registry's settings (WAL,
 * `synchronous = NORMAL`): `BEGIN IMMEDIATE`, the revision bump, N single-row updates, `COMMIT`,
 * for N = 1, 8 and 32 — the fixed cost of a commit against the cost of one more update in it.
 *
 *   node bench/sqlite-commit-cost.ts [--updates 20000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { sig } from './lib/stats.ts';

const { values } = parseArgs({ options: { updates: { type: 'string', default: '20000' } } });
const total = Number(values.updates);
const dir = mkdtempSync(join(tmpdir(), 'mesh-commit-cost-'));
try {
  const db = new DatabaseSync(join(dir, 'cost.db'));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    CREATE TABLE agents (id TEXT PRIMARY KEY, last_heartbeat INTEGER, revision INTEGER, doc TEXT);
    CREATE TABLE state (id INTEGER PRIMARY KEY, revision INTEGER); INSERT INTO state VALUES (1, 0);`);
  const insert = db.prepare('INSERT INTO agents VALUES (?, 0, 0, ?)');
  for (let i = 0; i < 1000; i++) insert.run(`agent-${i}`, 'x'.repeat(800));
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const bump = db.prepare('UPDATE state SET revision = revision + 1 WHERE id = 1 RETURNING revision');
  const update = db.prepare(
    'UPDATE agents SET last_heartbeat = ?, revision = ? WHERE id = ? RETURNING revision',
  );
  console.log(
    `${total} updates of 1,000 rows, WAL, synchronous = NORMAL, Node ${process.version}; 2 significant figures`,
  );
  console.log('| updates per transaction | µs per transaction | µs per update |\n|---|---|---|');
  for (const perTransaction of [1, 8, 32]) {
    const transactions = Math.floor(total / perTransaction);
    const started = performance.now();
    for (let t = 0; t < transactions; t++) {
      begin.run();
      const { revision } = bump.get() as { revision: number };
      for (let k = 0; k < perTransaction; k++)
        update.get(t, revision, `agent-${(t * perTransaction + k) % 1000}`);
      commit.run();
    }
    const micros = (performance.now() - started) * 1000;
    console.log(
      `| ${perTransaction} | ${sig(micros / transactions)} | ${sig(micros / (transactions * perTransaction))} |`,
    );
  }
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
