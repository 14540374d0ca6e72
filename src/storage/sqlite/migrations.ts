import type { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from '../migrations.js';
import { importLegacyDatabase } from './legacy-import.js';

/**
 * Applies every migration of the shared list (`../migrations.ts`) the database has not seen yet,
 * each in its own transaction. One process owns a SQLite file at a time in practice, and
 * `BEGIN IMMEDIATE` serialises the rare case of two. Returns the versions applied.
 */
export function migrateSqlite(db: DatabaseSync): number[] {
  db.exec(MIGRATIONS_TABLE_SQL);
  const applied = new Set(
    (db.prepare('SELECT version FROM mesh_schema_migrations').all() as { version: number }[]).map(
      (row) => row.version,
    ),
  );
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      // Another process may have applied it while we waited for the lock.
      const isApplied = db
        .prepare('SELECT 1 FROM mesh_schema_migrations WHERE version = ?')
        .get(migration.version);
      if (isApplied === undefined) {
        if (typeof migration.sqlite === 'string') db.exec(migration.sqlite);
        else importLegacyDatabase(db);
        db.prepare('INSERT INTO mesh_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          migration.version,
          migration.name,
          new Date().toISOString(),
        );
        done.push(migration.version);
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return done;
}
