import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { StatusChange } from '../../mesh/status.js';
import { resourceVersionOf } from '../../shared/clock.js';
import { MeshError } from '../../shared/errors.js';
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
import { migrateSqlite } from './migrations.js';

// topology_at as mesh/status.ts's topologyAtAfterHeartbeat says, decided on the row itself.
const HEARTBEAT_UPDATE = `UPDATE mesh_agents
  SET status = $status, last_heartbeat = $at, updated_at = $at, resource_version = $rv, revision = $revision,
    topology_at = CASE WHEN status = $status THEN topology_at ELSE $at END
  WHERE id = $id`;

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

export interface SqliteStoreOptions {
  /** Absolute or relative path of the database file. */
  path: string;
  /** How often to look for writes of other processes on the same file. */
  syncIntervalMs?: number;
}

/**
 * The SQLite store on `node:sqlite`: WAL journal, one connection, writes group-committed by a
 * {@link WriteBatcher}. `synchronous = NORMAL` in WAL mode makes a committed transaction survive a
 * crash of the process (`kill -9`); only a power loss can take the last commits.
 */
export class SqliteStore extends SnapshotBackedStore implements RegistryStore {
  private readonly db: DatabaseSync;
  protected readonly batcher: WriteBatcher<WriteOp>;
  private readonly statements: Record<string, StatementSync>;
  protected readonly syncer: SnapshotSync;

  constructor(options: SqliteStoreOptions) {
    super();
    if (options.path !== ':memory:') requireDirectoryOf(options.path);
    this.db = new DatabaseSync(options.path);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      PRAGMA foreign_keys = ON;
    `);
    migrateSqlite(this.db);
    this.statements = this.prepareStatements();
    this.batcher = new WriteBatcher<WriteOp>({ runBatch: async (ops) => this.runBatch(ops) });
    this.syncer = new SnapshotSync({
      pull: () => this.pullChanges(),
      intervalMs: options.syncIntervalMs ?? 500,
      maxStalenessMs: 1000,
    });
    const startedAt = performance.now();
    this.pullChanges();
    this.syncer.markFresh(startedAt);
    this.syncer.start();
  }

  private prepareStatements(): Record<string, StatementSync> {
    const p = (sql: string) => this.db.prepare(sql);
    return {
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      savepoint: p('SAVEPOINT op'),
      release: p('RELEASE op'),
      rollbackToSavepoint: p('ROLLBACK TO op'),
      bumpRevision: p('UPDATE mesh_state SET revision = revision + 1 WHERE id = 1 RETURNING revision'),
      readRevision: p('SELECT revision FROM mesh_state WHERE id = 1'),
      nextSeq: p('SELECT coalesce(max(seq), 0) + 1 AS seq FROM mesh_agents'),
      upsert: p(`INSERT INTO mesh_agents
          (id, seq, name, namespace, status, created_at, updated_at, resource_version, last_heartbeat, revision, topology_at, doc)
        VALUES ($id, $seq, $name, $namespace, $status, $created_at, $updated_at, $resource_version, $last_heartbeat, $revision,
          $topology_at, $doc)
        ON CONFLICT (id) DO UPDATE SET
          name = excluded.name, namespace = excluded.namespace, status = excluded.status,
          updated_at = excluded.updated_at, resource_version = excluded.resource_version,
          last_heartbeat = excluded.last_heartbeat, revision = excluded.revision, topology_at = excluded.topology_at,
          doc = excluded.doc
        RETURNING created_at, seq, seq = $seq AS is_new`),
      deleteTombstone: p('DELETE FROM mesh_tombstones WHERE id = ?'),
      heartbeat: p(`${HEARTBEAT_UPDATE} RETURNING *`),
      // The same, when the transaction already knows the rest of the agent.
      heartbeatColumns: p(`${HEARTBEAT_UPDATE} RETURNING topology_at`),
      status: p(`UPDATE mesh_agents
        SET status = $to, updated_at = $at, resource_version = $rv, revision = $revision, topology_at = $at
        WHERE id = $id AND status = $from AND last_heartbeat IS $last_heartbeat RETURNING *`),
      delete: p('DELETE FROM mesh_agents WHERE id = ? RETURNING id'),
      deleteIf: p('DELETE FROM mesh_agents WHERE id = ? AND status = ? AND updated_at = ? RETURNING id'),
      insertTombstone: p('INSERT OR REPLACE INTO mesh_tombstones (id, revision) VALUES (?, ?)'),
      selectChanged: p('SELECT * FROM mesh_agents WHERE revision > ? ORDER BY seq'),
      selectDeleted: p('SELECT id, revision FROM mesh_tombstones WHERE revision > ?'),
      claimSweep: p(`UPDATE mesh_state SET sweep_claimed_at = $now
        WHERE id = 1 AND sweep_claimed_at <= $now - $gap RETURNING id`),
      ping: p('SELECT 1 AS ok'),
    };
  }

  /** Loads what was committed since `syncedRevision` (everything, the first time). */
  private pullChanges(): void {
    if (this.isClosed) return;
    const { revision } = this.statements.readRevision!.get() as { revision: number };
    if (revision <= this.syncedRevision) return;
    const since = this.syncedRevision;
    const rows = this.statements.selectChanged!.all(since) as unknown as StoredRow[];
    const deleted = this.statements.selectDeleted!.all(since) as unknown as StoredDeletion[];
    this.snapshot.apply(
      rows.map(storedAgent),
      deleted.map((row) => ({ id: fromColumnText(row.id), revision: Number(row.revision) })),
    );
    this.syncedRevision = revision;
    this.snapshot.forgetDeletionsUpTo(revision);
  }

  private runBatch(ops: readonly WriteOp[]): (unknown | Error)[] {
    const s = this.statements;
    const results: (unknown | Error)[] = [];
    s.begin!.run();
    let batch: BatchEffects;
    try {
      batch = this.batchEffects((s.bumpRevision!.get() as { revision: number }).revision);
      for (const op of ops) {
        const effect: SnapshotEffect = { changed: [], deleted: [] };
        if (!needsSavepoint(op)) {
          results.push(this.runOp(op, batch, effect));
          batch.add(effect);
          continue;
        }
        s.savepoint!.run();
        try {
          results.push(this.runOp(op, batch, effect));
          batch.add(effect);
          s.release!.run();
        } catch (error) {
          s.rollbackToSavepoint!.run();
          s.release!.run();
          results.push(error instanceof Error ? error : new Error(String(error)));
        }
      }
      s.commit!.run();
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
    // Only now, after the commit, do readers see the change.
    batch.applyToSnapshot();
    // Writers take turns on the revision row, so nobody else committed in between when ours
    // directly follows the last one we pulled; otherwise the next pull fetches the gap.
    if (batch.revision === this.syncedRevision + 1) this.syncedRevision = batch.revision;
    return results;
  }

  private runOp(op: WriteOp, batch: BatchEffects, effect: SnapshotEffect): unknown {
    const s = this.statements;
    const { revision } = batch;
    switch (op.kind) {
      case 'upsert': {
        const { agent } = op;
        const { seq } = s.nextSeq!.get() as { seq: number };
        const row = s.upsert!.get({
          $id: toColumnText(agent.id),
          $seq: seq,
          $name: toColumnText(agent.name),
          $namespace: toColumnText(agent.namespace),
          $status: agent.status,
          $created_at: agent.createdAt,
          $updated_at: agent.updatedAt,
          $resource_version: agent.resourceVersion,
          $last_heartbeat: agent.lastHeartbeat,
          $revision: revision,
          $topology_at: agent.topologyAt,
          $doc: toAgentDocument(agent),
        }) as { created_at: number; seq: number; is_new: number };
        s.deleteTombstone!.run(toColumnText(agent.id));
        const stored = { ...agent, createdAt: Number(row.created_at) };
        effect.changed.push({ record: stored, seq: Number(row.seq), revision });
        return { agent: stored, isNew: row.is_new === 1 };
      }
      case 'heartbeat': {
        const rv = resourceVersionOf(op.at);
        const params = {
          $status: op.status,
          $at: op.at,
          $rv: rv,
          $revision: revision,
          $id: toColumnText(op.id),
        };
        const known = batch.current(op.id);
        if (known !== undefined) {
          const row = s.heartbeatColumns!.get(params) as { topology_at: number } | undefined;
          if (row === undefined) return undefined;
          const change = {
            status: op.status,
            at: op.at,
            resourceVersion: rv,
            topologyAt: Number(row.topology_at),
          };
          const updated = heartbeatApplied(known, change, revision);
          effect.changed.push(updated);
          return updated.record;
        }
        const row = s.heartbeat!.get(params) as StoredRow | undefined;
        if (row === undefined) return undefined;
        const updated = storedAgent(row);
        effect.changed.push(updated);
        return updated.record;
      }
      case 'status': {
        const applied: StatusChange[] = [];
        for (const change of op.changes) {
          const rv = resourceVersionOf(change.at);
          const row = s.status!.get({
            $to: change.toStatus,
            $at: change.at,
            $rv: rv,
            $revision: revision,
            $id: toColumnText(change.id),
            $from: change.fromStatus,
            $last_heartbeat: change.lastHeartbeat,
          }) as StoredRow | undefined;
          if (row === undefined) continue;
          effect.changed.push(storedAgent(row));
          applied.push(change);
        }
        return applied;
      }
      case 'delete': {
        const id = toColumnText(op.id);
        const row = op.onlyIf
          ? s.deleteIf!.get(id, op.onlyIf.status, op.onlyIf.updatedAt)
          : s.delete!.get(id);
        if (row === undefined) return false;
        s.insertTombstone!.run(id, revision);
        effect.deleted.push({ id: op.id, revision });
        return true;
      }
    }
  }

  async claimHealthSweep(minGapMicros: number): Promise<boolean> {
    const row = this.statements.claimSweep!.get({ $now: Date.now() * 1000, $gap: minGapMicros });
    return row !== undefined;
  }

  async ping(): Promise<void> {
    this.statements.ping!.get();
  }

  protected async closeDatabase(): Promise<void> {
    this.db.close();
  }
}
