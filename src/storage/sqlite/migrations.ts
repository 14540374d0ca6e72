import type { DatabaseSync } from 'node:sqlite';
import { importLegacyDatabase } from './legacy-import.js';

/**
 * The numbered migrations of the SQLite store, applied in order at start, each in its own
 * transaction, and recorded in `mesh_schema_migrations`. Our tables carry a `mesh_` prefix so a
 * database file of the Python original (tables `agents`, `capabilities`, ...) can be opened and
 * imported in place without touching its tables (spec registry-api.md §9).
 */
export interface SqliteMigration {
  version: number;
  name: string;
  up(db: DatabaseSync): void;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'create agent tables',
    up(db) {
      db.exec(`
        CREATE TABLE mesh_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          revision INTEGER NOT NULL
        );
        INSERT INTO mesh_state (id, revision) VALUES (1, 0);
        CREATE TABLE mesh_agents (
          id TEXT PRIMARY KEY,
          seq INTEGER NOT NULL,
          name TEXT NOT NULL,
          namespace TEXT NOT NULL,
          status TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          resource_version TEXT NOT NULL,
          last_heartbeat INTEGER,
          revision INTEGER NOT NULL,
          doc TEXT NOT NULL CHECK (json_valid(doc))
        );
        CREATE INDEX mesh_agents_revision ON mesh_agents (revision);
        CREATE INDEX mesh_agents_seq ON mesh_agents (seq);
        CREATE TABLE mesh_tombstones (
          id TEXT PRIMARY KEY,
          revision INTEGER NOT NULL
        );
        CREATE INDEX mesh_tombstones_revision ON mesh_tombstones (revision);
      `);
    },
  },
  {
    version: 2,
    name: 'import a database of the Python registry',
    up(db) {
      importLegacyDatabase(db);
    },
  },
  {
    version: 3,
    name: 'topology change time per agent',
    up(db) {
      db.exec(`
        ALTER TABLE mesh_agents ADD COLUMN topology_at INTEGER NOT NULL DEFAULT 0;
        UPDATE mesh_agents SET topology_at = updated_at;
      `);
    },
  },
];

/** Applies every migration the database has not seen yet. Returns the versions applied. */
export function migrateSqlite(db: DatabaseSync): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS mesh_schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = new Set(
    (db.prepare('SELECT version FROM mesh_schema_migrations').all() as { version: number }[]).map(
      (row) => row.version,
    ),
  );
  const done: number[] = [];
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      migration.up(db);
      db.prepare('INSERT INTO mesh_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    done.push(migration.version);
  }
  return done;
}
