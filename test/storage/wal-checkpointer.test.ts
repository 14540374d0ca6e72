/**
 * The write-ahead log is copied into the database file by the checkpointer's worker, not by
 * SQLite inside one of our commits: a real database file, a real worker thread.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from '../../src/storage/sqlite/wal-checkpointer.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-wal-'));
  path = join(dir, 'registry.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function openWriter(): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return db;
}

function writeRows(db: DatabaseSync, count: number): void {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  for (let i = 0; i < count; i++) {
    db.exec('BEGIN IMMEDIATE');
    insert.run('x'.repeat(2000));
    db.exec('COMMIT');
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the WAL checkpointer', () => {
  it('copies committed frames into the database file from its worker while the writer goes on', async () => {
    const db = openWriter();
    const checkpointer = startWalCheckpointer({ path, intervalMs: 20 });
    try {
      writeRows(db, 300);
      const walPath = `${path}-wal`;
      const sizeAfterFirstWrites = statSync(walPath).size;
      // The worker catches up: every frame of the log is in the file.
      await until(() => {
        const reader = new DatabaseSync(path, { readOnly: true });
        try {
          const row = reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number };
          return row.n === 300 && statSync(path).size > 300 * 2000;
        } finally {
          reader.close();
        }
      });
      // Once everything is copied, the log is written again from its start: more writes of the
      // same size do not make the file grow without bound.
      for (let round = 0; round < 5; round++) {
        writeRows(db, 300);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(statSync(walPath).size).toBeLessThan(sizeAfterFirstWrites * 3);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('reports a checkpoint it cannot run instead of failing the process', async () => {
    const errors: string[] = [];
    const checkpointer = startWalCheckpointer({
      path: join(dir, 'missing-folder', 'x.db'),
      intervalMs: 20,
      onError: (message) => errors.push(message),
    });
    await until(() => errors.length > 0);
    expect(errors[0]).toMatch(/unable to open|database/i);
    await checkpointer.close();
  });
});
