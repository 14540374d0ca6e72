/**
 * A claim finds the oldest unowned job of its capability through an index of unowned jobs only,
 * so it never steps over the jobs already held (they stay `working`): with the first index it
 * did, and claims slowed as jobs were held (`npm run bench`, `job-claims`, most on PostgreSQL).
 * Checked on the plan each database makes for the claim's search, with many held jobs.
 */
import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { sqlitePathOf } from '../../src/storage/database-url.js';
import { openStore } from '../../src/storage/open-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl, TEST_DIALECT } from '../helpers/test-database.js';

/** The claim's search (engine/job-statements.ts `claim`), with the capability inline. */
const CANDIDATE = `SELECT id FROM mesh_jobs
  WHERE capability = 'render' AND status = 'working' AND owner_instance_id IS NULL
    AND attempt_count <= max_retries
  ORDER BY submitted_at, id LIMIT 1`;

/** 2,000 held jobs and 10 unowned ones of one capability, 100 of another. */
const FILL = `INSERT INTO mesh_jobs (id, capability, status, owner_instance_id, max_retries, submitted_at,
  submitted_payload)
  SELECT 'held-' || n, 'render', 'working', 'worker', 1, n, '{}' FROM series WHERE n < 2000
  UNION ALL SELECT 'free-' || n, 'render', 'working', NULL, 1, 5000 + n, '{}' FROM series WHERE n < 10
  UNION ALL SELECT 'other-' || n, 'encode', 'working', NULL, 1, n, '{}' FROM series WHERE n < 100`;

async function claimPlan(url: string): Promise<string> {
  if (TEST_DIALECT === 'sqlite') {
    const db = new DatabaseSync(sqlitePathOf(url));
    try {
      db.exec(
        `WITH RECURSIVE series(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM series WHERE n < 1999) ${FILL}`,
      );
      db.exec('ANALYZE');
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${CANDIDATE}`).all() as { detail: string }[];
      return rows.map((row) => row.detail).join('\n');
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`WITH series(n) AS (SELECT generate_series(0, 1999)) ${FILL}`);
    await client.query('ANALYZE mesh_jobs');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${CANDIDATE}`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

describe(`a claim on ${TEST_DIALECT}`, () => {
  it('searches the index of unowned jobs, not past the held ones', async () => {
    using dir = tempDir();
    const url = await freshDatabaseUrl(dir.path, 'jobs.db');
    const store = await openStore(url);
    await store.close();
    const plan = await claimPlan(url);
    expect(plan).toContain('mesh_jobs_unclaimed');
    expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
  });
});
