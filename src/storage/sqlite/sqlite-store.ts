import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { MeshError } from '../../shared/errors.js';
import type { AgentColumns, Connection, Dialect, Params, Statement, UpsertedAgent } from '../dialect.js';
import { statement } from '../dialect.js';
import { type Io, perform, type Sent } from '../engine/io.js';
import { migrate } from '../engine/migrate.js';
import { upsertAgentStatement } from '../engine/statements.js';
import { StoreEngine } from '../engine/store-engine.js';
import type { Migration } from '../migrations.js';
import type { RegistryStore } from '../registry-store.js';
import { checkRoomFor, checkWritable, FileIdentity, storageFaultOf, toStorageError } from './file-faults.js';
import { importLegacyDatabase } from './legacy-import.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

const NEXT_SEQ = statement<Params, { seq: number }>(
  'nextSeq',
  'SELECT coalesce(max(seq), 0) + 1 AS seq FROM mesh_agents',
);

// SQLite has no xmax: the new seq is taken first, and the row is new when it got that seq.
const UPSERT = upsertAgentStatement<AgentColumns & { seq: number }, number>({
  seq: '$seq',
  isNew: 'seq = $seq',
});

/**
 * The folder of the database file must already exist: a mistyped path fails at start instead of
 * silently creating folders (the file itself is created). Same check as SQLite's own, with a
 * message that names the folder.
 */
function requireDirectoryOf(path: string): void {
  const directory = dirname(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    throw new MeshError('DATABASE_DIRECTORY_MISSING', `directory ${directory} does not exist`);
  }
  if (!isDirectory) throw new MeshError('DATABASE_DIRECTORY_MISSING', `${directory} is not a directory`);
}

/**
 * The write-ahead log is cut back to this size whenever it starts over after a checkpoint, so a
 * burst does not leave a large log behind on a small volume.
 */
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

export interface SqliteStoreOptions {
  /** Absolute or relative path of the database file. */
  path: string;
  /** How often to look for writes of other processes on the same file. */
  syncIntervalMs?: number;
  logger?: Logger | undefined;
}

/** A connection whose every call answers synchronously. */
interface SyncConnection extends Connection {
  query<P extends Params, R>(statement: Statement<P, R>, params: P): R[];
  execute(sql: string): string;
}

/** The one connection; every statement is prepared once and answers synchronously. */
function sqliteConnection(db: DatabaseSync): SyncConnection {
  const prepared = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let compiled = prepared.get(sql);
    if (compiled === undefined) {
      compiled = db.prepare(sql);
      prepared.set(sql, compiled);
    }
    return compiled;
  };
  return {
    query<P extends Params, R>(sql: Statement<P, R>, params: P): R[] {
      // Named parameters bind bare: `{ id }` for `$id`.
      return prepare(sql.sql).all(params as Record<string, SQLInputValue>) as R[];
    },
    execute(sql: string): string {
      prepare(sql).run();
      // What ran is what was asked: SQLite throws instead of turning a COMMIT into a ROLLBACK.
      return sql.split(' ', 1)[0]!;
    },
  };
}

/**
 * SQLite on `node:sqlite`: WAL journal, one connection. `synchronous = NORMAL` in WAL mode makes
 * a committed transaction survive a crash of the process (`kill -9`); only a power loss can take
 * the last commits.
 */
function sqliteDialect(
  db: DatabaseSync,
  checkpointer: WalCheckpointer | undefined,
  file: SqliteFile = {},
): Dialect {
  const connection = sqliteConnection(db);
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  return {
    kind: 'sqlite',
    connection,
    begin: { write: 'BEGIN IMMEDIATE', read: 'BEGIN' },
    // One connection, and statements that answer synchronously: a transaction runs in one turn
    // of the event loop, and nothing else uses the connection meanwhile.
    *lend<T>(work: (tx: Connection) => Io<T>): Io<T> {
      try {
        return yield* work(connection);
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        // A full disk or a read-only file: 503, the batch is not retried op by op.
        throw toStorageError(error);
      }
    },
    isTransactionLost: (error) => storageFaultOf(error) !== undefined,
    // One file, one process: no other incarnation to follow (its loss is checkDurable's).
    incarnation: "''",
    checkDurable: () => file.identity?.check(),
    checkRoom: () => {
      if (file.path === undefined) return;
      checkWritable(file.path);
      checkRoomFor(file.path);
    },
    takeFault: () => {
      const { fault } = file;
      file.fault = undefined;
      if (fault !== undefined || file.path === undefined) return fault;
      try {
        checkWritable(file.path);
      } catch (error) {
        return error;
      }
      return undefined;
    },
    proveDurable: () => {
      if (file.path === undefined) return;
      checkWritable(file.path);
      // Copying the log into the file writes and syncs both: on a volume that cannot keep
      // writes, this fails where an overwritten page of the log did not.
      let result: { busy: number; log: number; checkpointed: number };
      try {
        result = checkpoint.get() as typeof result;
      } catch (error) {
        throw toStorageError(error);
      }
      // The worker was copying at that moment: nothing proven yet, the next write tries again.
      if (result.busy !== 0 || result.checkpointed < result.log)
        throw toStorageError(Object.assign(new Error('checkpoint incomplete'), { errcode: 10 }));
    },
    // Steps are several statements (or code): run as a script, not as one prepared statement.
    runMigration: (_tx: Connection, migration: Migration): Io<void> =>
      perform(() => {
        if (typeof migration.sqlite === 'string') db.exec(migration.sqlite);
        else importLegacyDatabase(db);
      }),
    sendUpsert(pipe, columns): Sent<UpsertedAgent> {
      // SQLite answers at once, so the seq is read before the upsert is sent. (If the pipeline
      // has failed, this read is harmless and the upsert is not sent.)
      const { seq } = connection.query(NEXT_SEQ, {})[0]!;
      return pipe
        .send(UPSERT, { ...columns, seq })
        .map(([row]) =>
          row === undefined
            ? undefined
            : { createdAt: Number(row.created_at), seq: Number(row.seq), isNew: row.is_new === 1 },
        );
    },
    claimSweep: statement(
      'claimSweep',
      // A claim from the future (made before the clock stepped back) does not block.
      `UPDATE mesh_state SET sweep_claimed_at = $now
        WHERE id = 1 AND (sweep_claimed_at <= $now - $gap OR sweep_claimed_at > $now + $gap) RETURNING id`,
    ),
    // One writer at a time: a claim's candidate cannot be taken by another transaction.
    jobSql: {
      skipLocked: '',
      mergeCursor: (current, incoming) =>
        `(SELECT json_group_object(key, value) FROM (SELECT key, max(value) AS value FROM (
          SELECT key, value FROM json_each(coalesce(${current}, '{}'))
          UNION ALL SELECT key, value FROM json_each(${incoming})) GROUP BY key ORDER BY key))`,
      inJsonArray: (column, array) => `${column} IN (SELECT value FROM json_each(${array}))`,
    },
    close: async () => {
      // The worker's connection first: the last connection to close copies the log into the file.
      await checkpointer?.close();
      db.close();
    },
  };
}

/** The database file as opened, and a fault its checkpoints met (see {@link Dialect.takeFault}). */
interface SqliteFile {
  path?: string;
  identity?: FileIdentity;
  fault?: unknown;
}

/** A start on a database the registry cannot write ends with what to do about it. */
function cannotWrite(error: unknown): unknown {
  const raw = error instanceof MeshError && error.cause !== undefined ? error.cause : error;
  const fault = storageFaultOf(raw);
  if (fault === undefined) return error;
  return new MeshError(
    'DATABASE_UNWRITABLE',
    `the database cannot be written (${fault}): ${(raw as Error).message}`,
    {
      cause: raw,
      hint: 'The registry needs a database file, and a folder, it can write: not a read-only file or filesystem, nor a full disk.',
    },
  );
}

/** Opens (creating and migrating) the database file and loads every agent. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<RegistryStore> {
  if (options.path !== ':memory:') requireDirectoryOf(options.path);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(options.path);
  } catch (error) {
    throw cannotWrite(error);
  }
  // A read-only filesystem fails here already (WAL mode needs its files).
  const configure = () =>
    db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA busy_timeout = 5000;
    PRAGMA foreign_keys = ON;
    PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES};
  `);
  try {
    configure();
  } catch (error) {
    db.close();
    throw cannotWrite(error);
  }
  let checkpointer: WalCheckpointer | undefined;
  const file: SqliteFile = {};
  let lastCheckpointError: string | undefined;
  if (options.path !== ':memory:') {
    // Checkpoints run in a worker (wal-checkpointer.ts), never inside one of our commits.
    db.exec('PRAGMA wal_autocheckpoint = 0');
    checkpointer = startWalCheckpointer({
      path: options.path,
      onError: (message, errcode) => {
        const fault = toStorageError(Object.assign(new Error(message), { errcode }));
        // A file that cannot take writes: the next write or /health must prove it can again.
        if (fault instanceof MeshError) file.fault = fault;
        if (message === lastCheckpointError) return;
        lastCheckpointError = message;
        options.logger?.warn({ module: 'sqlite-store' }, `WAL checkpoint failed: ${message}`);
      },
    });
  }
  const dialect = sqliteDialect(db, checkpointer, file);
  try {
    await migrate(dialect);
  } catch (error) {
    await dialect.close().catch(() => {});
    throw cannotWrite(error);
  }
  // The files as opened: from now on, a path that names another file (or none) refuses writes.
  if (options.path !== ':memory:') {
    file.path = options.path;
    file.identity = new FileIdentity(options.path);
  }
  const store = new StoreEngine(dialect, {
    syncIntervalMs: options.syncIntervalMs ?? 500,
    logger: options.logger?.child({ module: 'sqlite-store' }),
  });
  try {
    await store.start();
  } catch (error) {
    await store.close().catch(() => {});
    throw cannotWrite(error);
  }
  return store;
}
