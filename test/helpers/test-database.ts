import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { inject } from 'vitest';

/** The dialect this run of the suite is for: the `postgres` Vitest project sets it. */
export const TEST_DIALECT: 'sqlite' | 'postgres' =
  process.env.MESH_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';

/** Creates an empty database in the cluster at `adminUrl` and returns its URL. */
export async function createPostgresDatabase(adminUrl: string): Promise<string> {
  const name = `mesh_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A fresh, empty database for one test in the dialect of this run: a SQLite file in `dir`, or a
 * new database in the run's PostgreSQL cluster.
 */
export async function freshDatabaseUrl(dir: string, fileName = 'registry.db'): Promise<string> {
  if (TEST_DIALECT === 'sqlite') return `sqlite://${join(dir, fileName)}`;
  return createPostgresDatabase(inject('postgresAdminUrl'));
}
