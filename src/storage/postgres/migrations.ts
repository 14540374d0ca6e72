import type { Pool } from 'pg';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from '../migrations.js';

/** The advisory lock key replicas take turns on while migrating ('mesh' in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6d657368;

/**
 * Applies every migration of the shared list (`../migrations.ts`) the database has not seen yet,
 * each in its own transaction, under a session advisory lock: replicas that start together wait
 * for each other, and the ones that follow find the versions already recorded and do nothing.
 * Returns the versions applied.
 */
export async function migratePostgres(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(MIGRATIONS_TABLE_SQL);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM mesh_schema_migrations');
      const applied = new Set(rows.map((row) => Number(row.version)));
      const done: number[] = [];
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          if (migration.postgres.trim() !== '') await client.query(migration.postgres);
          await client.query(
            'INSERT INTO mesh_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [migration.version, migration.name, new Date().toISOString()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
        done.push(migration.version);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        isBroken = true;
      });
    }
  } catch (error) {
    isBroken = true;
    throw error;
  } finally {
    // A broken session is destroyed rather than pooled (it would still hold the lock).
    client.release(isBroken);
  }
}
