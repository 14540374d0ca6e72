import { Pool, type PoolClient, type QueryConfig, types } from 'pg';
import type { Logger } from 'pino';
import type { StatusChange } from '../../mesh/status.js';
import { resourceVersionOf } from '../../shared/clock.js';
import { toAgentDocument } from '../agent-document.js';
import type { StoredDeletion } from '../agent-snapshot.js';
import type { BatchEffects, SnapshotEffect } from '../batch-effects.js';
import { fromColumnText, toColumnText } from '../column-text.js';
import type { RegistryStore } from '../registry-store.js';
import {
  heartbeatApplied,
  needsSavepoint,
  SnapshotBackedStore,
  type StoredRow,
  storedAgent,
  type WriteOp,
} from '../snapshot-backed-store.js';
import { SnapshotSync } from '../snapshot-sync.js';
import { WriteBatcher } from '../write-batcher.js';
import { poolConfigFromUrl } from './connection-config.js';
import { toStoreError } from './database-errors.js';
import { migratePostgres } from './migrations.js';

export interface PostgresStoreOptions {
  /** `postgresql://user:password@host:port/database?sslmode=…` */
  url: string;
  /** How often to pull other replicas' writes (well inside the 1 s promise). */
  syncIntervalMs?: number;
  /** Connections in the pool. */
  poolSize?: number;
  logger?: Logger | undefined;
}

// BIGINT (timestamps in µs, revisions, seq) as numbers: every value we store is below 2^53.
const INT8_OID = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

// topology_at as mesh/status.ts's topologyAtAfterHeartbeat says, decided on the row itself.
const HEARTBEAT_UPDATE = `UPDATE mesh_agents
    SET status = $1, last_heartbeat = $2, updated_at = $2, resource_version = $3, revision = $4,
      topology_at = CASE WHEN status = $1 THEN topology_at ELSE $2 END
    WHERE id = $5`;

/** Named statements: `pg` prepares each once per connection and reuses it. */
const SQL = {
  readRevision: 'SELECT revision FROM mesh_state WHERE id = 1',
  bumpRevision: 'UPDATE mesh_state SET revision = revision + 1 WHERE id = 1 RETURNING revision',
  upsert: `INSERT INTO mesh_agents
      (id, seq, name, namespace, status, created_at, updated_at, resource_version, last_heartbeat, revision,
       topology_at, doc)
    VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM mesh_agents), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, namespace = excluded.namespace, status = excluded.status,
      updated_at = excluded.updated_at, resource_version = excluded.resource_version,
      last_heartbeat = excluded.last_heartbeat, revision = excluded.revision, topology_at = excluded.topology_at,
      doc = excluded.doc
    RETURNING created_at, seq, (xmax = 0) AS is_new`,
  deleteTombstone: 'DELETE FROM mesh_tombstones WHERE id = $1',
  heartbeat: `${HEARTBEAT_UPDATE} RETURNING *`,
  // The same, when the transaction already knows the rest of the agent.
  heartbeatColumns: `${HEARTBEAT_UPDATE} RETURNING topology_at`,
  status: `UPDATE mesh_agents
    SET status = $1, updated_at = $2, resource_version = $3, revision = $4, topology_at = $2
    WHERE id = $5 AND status = $6 AND last_heartbeat IS NOT DISTINCT FROM $7 RETURNING *`,
  delete: 'DELETE FROM mesh_agents WHERE id = $1 RETURNING id',
  deleteIf: 'DELETE FROM mesh_agents WHERE id = $1 AND status = $2 AND updated_at = $3 RETURNING id',
  insertTombstone: `INSERT INTO mesh_tombstones (id, revision) VALUES ($1, $2)
    ON CONFLICT (id) DO UPDATE SET revision = excluded.revision`,
  selectChanged: 'SELECT * FROM mesh_agents WHERE revision > $1 ORDER BY seq',
  selectDeleted: 'SELECT id, revision FROM mesh_tombstones WHERE revision > $1',
  // The database's clock decides, so replicas with skewed clocks still sweep once per period.
  claimSweep: `UPDATE mesh_state
    SET sweep_claimed_at = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
    WHERE id = 1 AND sweep_claimed_at <= (extract(epoch FROM clock_timestamp()) * 1000000)::bigint - $1
    RETURNING id`,
} as const;

function named(name: keyof typeof SQL, values: unknown[] = []): QueryConfig {
  return { name: `mesh_${name}`, text: SQL[name], values };
}

function storedDeletion(row: StoredDeletion): StoredDeletion {
  return { id: fromColumnText(row.id), revision: row.revision };
}

/**
 * The PostgreSQL store on `pg`: a connection pool, named (prepared) statements, writes
 * group-committed by a {@link WriteBatcher} and acknowledged only after COMMIT. Every write
 * transaction first bumps the revision row, so writers of all replicas take turns there and
 * revisions follow commit order; each replica pulls `WHERE revision > ?` every `syncIntervalMs`
 * and before any read whose snapshot is older than 1 s. A lost connection answers 503
 * (`DATABASE_UNAVAILABLE`) and the pool reconnects when the database is back.
 */
export class PostgresStore extends SnapshotBackedStore implements RegistryStore {
  protected readonly batcher: WriteBatcher<WriteOp>;
  protected readonly syncer: SnapshotSync;

  private constructor(
    private readonly pool: Pool,
    options: PostgresStoreOptions,
  ) {
    super();
    this.batcher = new WriteBatcher<WriteOp>({ runBatch: (ops) => this.runBatch(ops) });
    this.syncer = new SnapshotSync({
      pull: () => this.pullChanges(),
      intervalMs: options.syncIntervalMs ?? 200,
      maxStalenessMs: 1000,
      logger: options.logger?.child({ module: 'postgres-store' }),
    });
  }

  /** Connects, migrates (under the advisory lock) and loads every agent. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new Pool({
      ...poolConfigFromUrl(options.url),
      max: options.poolSize ?? 10,
      types: typeParsers,
      application_name: 'mcp-mesh-registry',
      keepAlive: true,
      // A lost database answers within seconds, never hangs a request.
      connectionTimeoutMillis: 3000,
      query_timeout: 15_000,
      statement_timeout: 10_000,
      // A replica that stops mid-transaction cannot hold the revision row for long.
      idle_in_transaction_session_timeout: 15_000,
      idleTimeoutMillis: 30_000,
    });
    const log = options.logger?.child({ module: 'postgres-store' });
    // Idle connections that break (database restarted) are dropped here instead of crashing us.
    pool.on('error', (error) => log?.warn({ err: error }, 'idle database connection lost'));
    try {
      await migratePostgres(pool);
      const store = new PostgresStore(pool, options);
      await store.sync();
      store.syncer.start();
      return store;
    } catch (error) {
      await pool.end().catch(() => {});
      throw toStoreError(error);
    }
  }

  /** Runs `work` on one pooled connection; a connection that failed is destroyed, not reused. */
  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    try {
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      client.release(true);
      throw toStoreError(error);
    }
  }

  /** Loads what was committed since `syncedRevision`, from one consistent database snapshot. */
  private async pullChanges(): Promise<void> {
    if (this.isClosed) return;
    const { rows } = await this.pool.query<{ revision: number }>(named('readRevision')).catch((error) => {
      throw toStoreError(error);
    });
    if (rows[0]!.revision <= this.syncedRevision) return;
    await this.withClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const since = this.syncedRevision;
      const { rows: state } = await client.query<{ revision: number }>(named('readRevision'));
      const changed = await client.query<StoredRow>(named('selectChanged', [since]));
      const deleted = await client.query<StoredDeletion>(named('selectDeleted', [since]));
      await client.query('COMMIT');
      const revision = state[0]!.revision;
      this.snapshot.apply(changed.rows.map(storedAgent), deleted.rows.map(storedDeletion));
      this.syncedRevision = Math.max(this.syncedRevision, revision);
      this.snapshot.forgetDeletionsUpTo(revision);
    });
  }

  private runBatch(ops: readonly WriteOp[]): Promise<(unknown | Error)[]> {
    return this.withClient(async (client) => {
      const results: (unknown | Error)[] = [];
      await client.query('BEGIN');
      const { rows } = await client.query<{ revision: number }>(named('bumpRevision'));
      const batch = this.batchEffects(rows[0]!.revision);
      for (const op of ops) {
        const effect: SnapshotEffect = { changed: [], deleted: [] };
        if (!needsSavepoint(op)) {
          results.push(await this.runOp(client, op, batch, effect));
          batch.add(effect);
          continue;
        }
        await client.query('SAVEPOINT op');
        try {
          results.push(await this.runOp(client, op, batch, effect));
          batch.add(effect);
          await client.query('RELEASE SAVEPOINT op');
        } catch (error) {
          if (toStoreError(error) !== error) throw error;
          await client.query('ROLLBACK TO SAVEPOINT op');
          await client.query('RELEASE SAVEPOINT op');
          results.push(error instanceof Error ? error : new Error(String(error)));
        }
      }
      await client.query('COMMIT');
      // Only now, after the commit, do readers see the change.
      batch.applyToSnapshot();
      // Writers take turns on the revision row, so nobody else committed in between when ours
      // directly follows the last one we pulled; otherwise the next pull fetches the gap.
      if (batch.revision === this.syncedRevision + 1) this.syncedRevision = batch.revision;
      return results;
    });
  }

  private async runOp(
    client: PoolClient,
    op: WriteOp,
    batch: BatchEffects,
    effect: SnapshotEffect,
  ): Promise<unknown> {
    const { revision } = batch;
    switch (op.kind) {
      case 'upsert': {
        const { agent } = op;
        const { rows } = await client.query<{ created_at: number; seq: number; is_new: boolean }>(
          named('upsert', [
            toColumnText(agent.id),
            toColumnText(agent.name),
            toColumnText(agent.namespace),
            agent.status,
            agent.createdAt,
            agent.updatedAt,
            agent.resourceVersion,
            agent.lastHeartbeat,
            revision,
            agent.topologyAt,
            toAgentDocument(agent),
          ]),
        );
        await client.query(named('deleteTombstone', [toColumnText(agent.id)]));
        const row = rows[0]!;
        const stored = { ...agent, createdAt: row.created_at };
        effect.changed.push({ record: stored, seq: row.seq, revision });
        return { agent: stored, isNew: row.is_new };
      }
      case 'heartbeat': {
        const rv = resourceVersionOf(op.at);
        const known = batch.current(op.id);
        if (known !== undefined) {
          const { rows } = await client.query<{ topology_at: number }>(
            named('heartbeatColumns', [op.status, op.at, rv, revision, toColumnText(op.id)]),
          );
          if (rows.length === 0) return undefined;
          const change = {
            status: op.status,
            at: op.at,
            resourceVersion: rv,
            topologyAt: rows[0]!.topology_at,
          };
          const updated = heartbeatApplied(known, change, revision);
          effect.changed.push(updated);
          return updated.record;
        }
        const { rows } = await client.query<StoredRow>(
          named('heartbeat', [op.status, op.at, rv, revision, toColumnText(op.id)]),
        );
        if (rows.length === 0) return undefined;
        const updated = storedAgent(rows[0]!);
        effect.changed.push(updated);
        return updated.record;
      }
      case 'status': {
        const applied: StatusChange[] = [];
        for (const change of op.changes) {
          const { rows } = await client.query<StoredRow>(
            named('status', [
              change.toStatus,
              change.at,
              resourceVersionOf(change.at),
              revision,
              toColumnText(change.id),
              change.fromStatus,
              change.lastHeartbeat,
            ]),
          );
          if (rows.length === 0) continue;
          effect.changed.push(storedAgent(rows[0]!));
          applied.push(change);
        }
        return applied;
      }
      case 'delete': {
        const id = toColumnText(op.id);
        const { rows } = op.onlyIf
          ? await client.query(named('deleteIf', [id, op.onlyIf.status, op.onlyIf.updatedAt]))
          : await client.query(named('delete', [id]));
        if (rows.length === 0) return false;
        await client.query(named('insertTombstone', [id, revision]));
        effect.deleted.push({ id: op.id, revision });
        return true;
      }
    }
  }

  async claimHealthSweep(minGapMicros: number): Promise<boolean> {
    try {
      const { rows } = await this.pool.query(named('claimSweep', [Math.round(minGapMicros)]));
      return rows.length > 0;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      throw toStoreError(error);
    }
  }

  protected async closeDatabase(): Promise<void> {
    await this.pool.end();
  }
}
