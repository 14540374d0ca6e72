import { Client, Pool, type PoolClient, type PoolConfig, type QueryConfig, types } from 'pg';
import type { Logger } from 'pino';
import type { AgentColumns, Connection, Dialect, Params, Statement, UpsertedAgent } from '../dialect.js';
import { statement } from '../dialect.js';
import { type Io, perform, type Sent } from '../engine/io.js';
import { migrate } from '../engine/migrate.js';
import { execute, upsertAgentStatement } from '../engine/statements.js';
import { StoreEngine } from '../engine/store-engine.js';
import type { Migration } from '../migrations.js';
import type { RegistryStore } from '../registry-store.js';
import { type ConnectionPlan, connectionPlanFromUrl } from './connection-config.js';
import { toStoreError } from './database-errors.js';

export interface PostgresStoreOptions {
  /** `postgresql://user:password@host:port/database?sslmode=…` */
  url: string;
  /** How often to pull other replicas' writes (well inside the 1 s promise). */
  syncIntervalMs?: number;
  /** Connections in the pool. */
  poolSize?: number;
  logger?: Logger | undefined;
}

/**
 * The longest a store call waits for the database: the client gives up on a server that never
 * answers after it (`query_timeout`: a frozen host, a network that drops everything), and the
 * engine answers the caller 503 after it whatever is still pending (a write queued behind a hung
 * batch, a read waiting for a pull).
 */
const CALL_TIMEOUT_MS = 10_000;

/** The server ends a statement a little earlier, so its own reason (`statement timeout`) is given. */
const STATEMENT_TIMEOUT_MS = 9_500;

/** The advisory lock key replicas take turns on while migrating ('mesh' in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6d657368;

// BIGINT (timestamps in µs, revisions, seq) as numbers: every value we store is below 2^53.
const INT8_OID = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

// The seq is taken in the statement itself, and xmax = 0 tells an inserted row from an updated one.
const UPSERT = upsertAgentStatement<AgentColumns, boolean>({
  seq: '(SELECT coalesce(max(seq), 0) + 1 FROM mesh_agents)',
  isNew: '(xmax = 0)',
});

type Positional = { text: string; names: string[] };
const positional = new Map<string, Positional>();

/** `$name` parameters become `$1`, `$2`, … in order of first use (PostgreSQL's style). */
function toPositional(sql: string): Positional {
  const names: string[] = [];
  const text = sql.replace(/\$([a-z_]+)/g, (_, name: string) => {
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, names };
}

/** Named statements: `pg` prepares each once per connection and reuses it. */
function named<P extends Params>(sql: Statement<P, unknown>, params: P): QueryConfig {
  let compiled = positional.get(sql.name);
  if (compiled === undefined) {
    compiled = toPositional(sql.sql);
    positional.set(sql.name, compiled);
  }
  return {
    name: `mesh_${sql.name}`,
    text: compiled.text,
    values: compiled.names.map((name) => params[name]),
  };
}

/**
 * The connection of a transaction; its errors stay raw until the transaction ends. The pool's
 * clients pipeline: each query is written to the socket at once, whatever is still unanswered.
 */
function clientConnection(client: PoolClient): Connection {
  return {
    query: async <P extends Params, R>(sql: Statement<P, R>, params: P): Promise<R[]> =>
      (await client.query(named(sql, params))).rows as R[],
    execute: async (sql: string): Promise<string> => (await client.query(sql)).command,
  };
}

/** The pool, one connection per statement; a lost database becomes `DATABASE_UNAVAILABLE`. */
function poolConnection(pool: Pool): Connection {
  const query = async (config: QueryConfig | string) => {
    try {
      return await pool.query(config);
    } catch (error) {
      throw toStoreError(error);
    }
  };
  return {
    query: async <P extends Params, R>(sql: Statement<P, R>, params: P): Promise<R[]> =>
      (await query(named(sql, params))).rows as R[],
    execute: async (sql: string): Promise<string> => (await query(sql)).command,
  };
}

/**
 * PostgreSQL on `pg`: a connection pool and named (prepared) statements. A transaction holds one
 * pooled connection; a connection that failed is destroyed, not reused, and a lost connection
 * answers 503 (`DATABASE_UNAVAILABLE`) while the pool reconnects when the database is back.
 */
function postgresDialect(pool: Pool): Dialect {
  return {
    kind: 'postgresql',
    poolCounts: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    connection: poolConnection(pool),
    begin: { write: 'BEGIN', read: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' },
    *lend<T>(work: (tx: Connection) => Io<T>): Io<T> {
      const client = yield* perform(() =>
        pool.connect().catch((error: unknown) => {
          throw toStoreError(error);
        }),
      );
      try {
        const result = yield* work(clientConnection(client));
        client.release();
        return result;
      } catch (error) {
        // Its transaction (and any answer still due) goes with it.
        client.release(true);
        throw toStoreError(error);
      }
    },
    isTransactionLost: (error) => toStoreError(error) !== error,
    *runMigration(tx: Connection, migration: Migration): Io<void> {
      if (migration.postgres.trim() !== '') yield* execute(tx, migration.postgres);
    },
    // A session advisory lock ('mesh' in ASCII): replicas that start together migrate in turn.
    migrationLock: {
      take: `SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`,
      release: `SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`,
    },
    sendUpsert: (pipe, columns): Sent<UpsertedAgent> =>
      pipe
        .send(UPSERT, columns)
        .map(([row]) =>
          row === undefined ? undefined : { createdAt: row.created_at, seq: row.seq, isNew: row.is_new },
        ),
    // The database's clock decides, so replicas with skewed clocks still sweep once per period; a
    // claim from the future (before the database's clock stepped back) does not block.
    claimSweep: statement(
      'claimSweep',
      `UPDATE mesh_state
        SET sweep_claimed_at = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
        WHERE id = 1 AND (sweep_claimed_at <= (extract(epoch FROM clock_timestamp()) * 1000000)::bigint - $gap
          OR sweep_claimed_at > (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + $gap)
        RETURNING id`,
    ),
    // Claimers on other connections skip a candidate row one of them has locked.
    jobSql: {
      skipLocked: ' FOR UPDATE SKIP LOCKED',
      mergeCursor: (current, incoming) =>
        `(SELECT jsonb_object_agg(key, value)::text FROM (SELECT key, max(value::numeric)::bigint AS value FROM (
          SELECT key, value FROM jsonb_each_text(CAST(coalesce(${current}, '{}') AS jsonb))
          UNION ALL SELECT key, value FROM jsonb_each_text(CAST(${incoming} AS jsonb))) AS cursors GROUP BY key) AS merged)`,
      inJsonArray: (column, array) =>
        `${column} IN (SELECT jsonb_array_elements_text(CAST(${array} AS jsonb)))`,
    },
    // The cluster (system identifier), its timeline and the server process's start: another
    // server after a failover or restore, or the same one restarted, is another incarnation.
    incarnation: `(SELECT system_identifier::text FROM pg_control_system()) || '/' ||
      (SELECT timeline_id::text FROM pg_control_checkpoint()) || '/' || pg_postmaster_start_time()::text`,
    callTimeoutMs: CALL_TIMEOUT_MS,
    close: () => pool.end(),
  };
}

/** A server that turned down the TLS choice of the first try (not one that cannot be reached). */
function refusedTlsChoice(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return (
    /does not support SSL/i.test(message) ||
    /no encryption|SSL off|SSL required|requires SSL/i.test(message) ||
    (error as { code?: unknown }).code === '28000'
  );
}

/**
 * libpq's `prefer` and `allow`: connects once with the first choice and, when the server turns
 * down its TLS choice, settles on the other. Any other outcome keeps the first choice (a server
 * that cannot be reached yet is the outage handling's to wait for).
 */
async function chooseTls(plan: ConnectionPlan): Promise<PoolConfig> {
  if (plan.fallback === undefined) return plan.config;
  const client = new Client({ ...plan.config, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return plan.config;
  } catch (error) {
    return refusedTlsChoice(error) ? plan.fallback : plan.config;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Connects, migrates (under the advisory lock) and loads every agent. Every write transaction
 * first bumps the revision row, so writers of all replicas take turns there and revisions follow
 * commit order; each replica pulls `WHERE revision > ?` every `syncIntervalMs` and before any
 * read whose snapshot is older than 1 s.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<RegistryStore> {
  const pool = new Pool({
    // The URL's application_name, if any, wins.
    application_name: 'mcp-mesh-registry',
    ...(await chooseTls(connectionPlanFromUrl(options.url))),
    max: options.poolSize ?? 10,
    // A query is written at once, before the answers to earlier ones: a batch costs one round trip.
    pipeline: true,
    types: typeParsers,
    keepAlive: true,
    // A lost database answers within seconds, never hangs a request.
    connectionTimeoutMillis: 3000,
    query_timeout: CALL_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    // A replica that stops mid-transaction cannot hold the revision row for long.
    idle_in_transaction_session_timeout: 15_000,
    idleTimeoutMillis: 30_000,
  });
  const log = options.logger?.child({ module: 'postgres-store' });
  // Idle connections that break (database restarted) are dropped here instead of crashing us.
  pool.on('error', (error) => log?.warn({ err: error }, 'idle database connection lost'));
  try {
    const dialect = postgresDialect(pool);
    await migrate(dialect);
    const store = new StoreEngine(dialect, {
      syncIntervalMs: options.syncIntervalMs ?? 200,
      logger: log,
    });
    await store.start();
    return store;
  } catch (error) {
    await pool.end().catch(() => {});
    throw toStoreError(error);
  }
}
