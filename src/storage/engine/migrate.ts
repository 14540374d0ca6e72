/**
 * The migration runner, written once for both dialects: applies every step of the shared list
 * (`../migrations.ts`) the database has not recorded yet, each in its own transaction, and
 * records it in `mesh_schema_migrations`. Where replicas share the database (PostgreSQL), the
 * dialect names a lock they take turns on while migrating: the ones that start together wait for
 * each other, and the ones that follow find every version recorded and do nothing. The dialect
 * runs each step's own SQL ({@link Dialect.runMigration}).
 */
import { type Connection, type Dialect, statement } from '../dialect.js';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL } from '../migrations.js';
import { drive, type Io } from './io.js';
import { execute, rows } from './statements.js';

const APPLIED_VERSIONS = statement<Record<string, never>, { version: number }>(
  'appliedVersions',
  'SELECT version FROM mesh_schema_migrations',
);

const IS_APPLIED = statement<{ version: number }, { version: number }>(
  'isApplied',
  'SELECT version FROM mesh_schema_migrations WHERE version = $version',
);

const RECORD_MIGRATION = statement<{ version: number; name: string; applied_at: string }, never>(
  'recordMigration',
  'INSERT INTO mesh_schema_migrations (version, name, applied_at) VALUES ($version, $name, $applied_at)',
);

/** Applies what is missing; answers the versions this call applied. */
export async function migrate(dialect: Dialect): Promise<number[]> {
  return drive(dialect.lend((tx) => migrateOn(tx, dialect)));
}

function* migrateOn(tx: Connection, dialect: Dialect): Io<number[]> {
  const lock = dialect.migrationLock;
  if (lock !== undefined) yield* execute(tx, lock.take);
  // Released by hand when all went well; a connection that failed is discarded by the dialect,
  // and its session's lock with it.
  const done = yield* applyMissing(tx, dialect);
  if (lock !== undefined) yield* execute(tx, lock.release);
  return done;
}

function* applyMissing(tx: Connection, dialect: Dialect): Io<number[]> {
  yield* execute(tx, MIGRATIONS_TABLE_SQL);
  const applied = new Set((yield* rows(tx, APPLIED_VERSIONS, {})).map((row) => Number(row.version)));
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    yield* execute(tx, dialect.begin.write);
    // Without a lock (SQLite), another process may have applied it while we waited for ours.
    if ((yield* rows(tx, IS_APPLIED, { version: migration.version })).length === 0) {
      yield* dialect.runMigration(tx, migration);
      yield* rows(tx, RECORD_MIGRATION, {
        version: migration.version,
        name: migration.name,
        applied_at: new Date().toISOString(),
      });
      done.push(migration.version);
    }
    yield* execute(tx, 'COMMIT');
  }
  return done;
}
