/**
 * What a database supplies to the storage engine (`engine/`): a connection, how one is lent to a
 * transaction, the SQL where it differs from the engine's, its parameter style and the meaning of
 * its errors. The engine holds the algorithm (group commit, the pipelined batch and its careful
 * retry with savepoints, effects, snapshot, sync); a dialect holds no state the engine writes.
 */

import type { AgentRow } from './agent-document.js';
import type { Io, Sent } from './engine/io.js';
import type { Migration } from './migrations.js';
import type { PoolCounts } from './registry-store.js';

/** A value bound to a statement parameter. */
export type SqlValue = string | number | null;

/** A statement's parameters by name (`$name` in its SQL). */
export type Params = Readonly<Record<string, SqlValue>>;

/**
 * A statement with named `$name` parameters, typed by its parameters `P` and its rows `R`. Each
 * dialect binds the parameters in its own style (named on SQLite, positional on PostgreSQL).
 */
export interface Statement<P extends Params, R> {
  /** Unique among the statements: PostgreSQL prepares a statement once per connection by it. */
  readonly name: string;
  readonly sql: string;
  /** Carries the types only; never set. */
  readonly types?: { params: P; row: R };
}

export function statement<P extends Params, R>(name: string, sql: string): Statement<P, R> {
  return { name, sql };
}

/**
 * One database connection (or a pool that lends one per statement). A call puts its statement on
 * the connection at once, even while earlier ones still wait for their answers; answers come in
 * the order the statements were sent.
 */
export interface Connection {
  /** Runs `statement` with its parameters; answers its rows. */
  query<P extends Params, R>(statement: Statement<P, R>, params: P): R[] | Promise<R[]>;
  /**
   * Runs a command without parameters or rows (transaction control), unprepared; answers the
   * command that ran (`COMMIT`, or `ROLLBACK` where PostgreSQL rolled back a failed transaction's
   * `COMMIT`).
   */
  execute(sql: string): string | Promise<string>;
}

/** Where a write sends a statement whose answer it reads later (`engine/pipeline.ts`). */
export interface StatementSender {
  send<P extends Params, R>(statement: Statement<P, R>, params: P): Sent<R[]>;
}

/**
 * The columns of an agent row that a registration writes. `seq` is the dialect's to take, and the
 * revision is the transaction's (read from `mesh_state` in the statement).
 */
export type AgentColumns = Omit<AgentRow, 'seq'>;

/**
 * What a registration's insert-or-update answers; undefined when the stored agent belongs to
 * another TLS entity (nothing was written).
 */
export type UpsertedAgent = { createdAt: number; seq: number; isNew: boolean } | undefined;

/** The few expressions of the jobs' SQL (`engine/job-statements.ts`) that differ between databases. */
export interface JobSql {
  /** Appended to the claim's candidate query: lock the row, skip rows others have locked. */
  readonly skipLocked: string;
  /**
   * A JSON object text with every key of the JSON object texts `current` (may be NULL) and
   * `incoming`, each with the larger of its integer values.
   */
  mergeCursor(current: string, incoming: string): string;
  /** Whether the text `column` is one of the strings of the JSON array text `array`. */
  inJsonArray(column: string, array: string): string;
}

export interface Dialect {
  /** Which database this is (`mcp_mesh_registry_build_info`'s `database` label). */
  readonly kind: 'sqlite' | 'postgresql';

  /** The pool's figures now; undefined without a pool (SQLite's one connection). */
  poolCounts?(): PoolCounts;

  /** For statements outside a transaction; its errors are already the store's errors. */
  readonly connection: Connection;

  /**
   * What opens a transaction: a `write` one takes the writers' lock at once; a `read` one sees one
   * consistent state of the database.
   */
  readonly begin: { readonly write: string; readonly read: string };

  /**
   * Lends one connection to `work`, which opens and ends its transaction itself and has read every
   * answer when it returns. When `work` throws, rolls back (or discards the connection) and throws
   * the store's error.
   */
  lend<T>(work: (tx: Connection) => Io<T>): Io<T>;

  /** Whether a statement's error lost the whole transaction (the connection), not just its op. */
  isTransactionLost(error: unknown): boolean;

  /**
   * Sends the insert of the agent, or its update keeping `created_at` and `seq`; a new agent takes
   * the next `seq` (first-registration order).
   */
  sendUpsert(pipe: StatementSender, columns: AgentColumns): Sent<UpsertedAgent>;

  /**
   * Runs one step of the shared migration list (`migrations.ts`) inside the runner's transaction
   * (`engine/migrate.ts`): the step's SQL for this database, or the step it performs in code.
   */
  runMigration(tx: Connection, migration: Migration): Io<void>;

  /**
   * What processes sharing the database take turns on while migrating (commands, unprepared), or
   * none where one process owns the database and each step's write transaction is enough.
   */
  readonly migrationLock?: { readonly take: string; readonly release: string };

  /** Claims the sweep when the last claim is at least `$gap` µs old (on whose clock: the dialect's). */
  readonly claimSweep: Statement<{ now: number; gap: number }, { id: number }>;

  /** The jobs' SQL where it differs. */
  readonly jobSql: JobSql;

  /**
   * An SQL expression (text) that names this incarnation of the database: which server, on which
   * timeline, since when. Read with every revision: when it changes (a failover, a restore, a
   * restart), or the revision goes backwards, the engine reloads its snapshot instead of pulling.
   */
  readonly incarnation: string;

  /**
   * Throws (a 503 `MeshError`) when what the engine writes to is no longer what a restart would
   * read: the SQLite file deleted or replaced. Called before and after every commit, before any
   * caller is answered, and with every pull; absent where the server keeps that promise.
   */
  checkDurable?(): void;

  /**
   * After a write failed: throws while the database plainly still cannot take one (its volume
   * nearly full, its file read-only), before the engine writes anything. Absent where there is
   * nothing to ask.
   */
  checkRoom?(): void;

  /**
   * A fault found outside any call of ours (SQLite: a checkpoint that could not write the file,
   * a file that can no longer be opened for writing), once: the engine then treats writes as
   * failing until one is proven durable. Asked before every batch, so it must be cheap.
   */
  takeFault?(): unknown;

  /**
   * While writes are failing, a commit alone proves little where the database defers its
   * writing (SQLite's log overwritten in the page cache of a filesystem the kernel turned
   * read-only answers every write, and keeps none): throws unless what was committed is now
   * in the database file. Absent where a commit is durable when it answers.
   */
  proveDurable?(): void;

  /**
   * How long a store call may wait for the database before it answers 503; absent where calls
   * answer synchronously and cannot hang.
   */
  readonly callTimeoutMs?: number;

  /** Closes the connection(s); the engine has committed its last batch. */
  close(): Promise<void>;
}
