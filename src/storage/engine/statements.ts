/** The engine's SQL, the same on every dialect, and typed helpers to run statements. */

import type { AgentStatus } from '../../mesh/agent.js';
import { type AgentColumns, type Connection, type Params, type Statement, statement } from '../dialect.js';
import { type Io, perform } from './io.js';
import type { StoredRow } from './stored-row.js';

/** Runs `sql` and answers its rows. */
export function* rows<P extends Params, R>(tx: Connection, sql: Statement<P, R>, params: P): Io<R[]> {
  return yield* perform(() => tx.query(sql, params));
}

/** Runs `sql` and answers its first row, if any. */
export function* firstRow<P extends Params, R>(
  tx: Connection,
  sql: Statement<P, R>,
  params: P,
): Io<R | undefined> {
  return (yield* rows(tx, sql, params))[0];
}

/** Runs a command without parameters (transaction control); answers the command that ran. */
export function* execute(tx: Connection, sql: string): Io<string> {
  return yield* perform(() => tx.execute(sql));
}

type Revision = { revision: number };

/**
 * The transaction's revision, for the rows it writes. Inside a write transaction, after
 * {@link BUMP_REVISION}, it reads our own bumped value (on both databases): so no statement of a
 * batch waits for the answer of the bump, and all of them can be sent at once.
 */
export const REVISION = '(SELECT revision FROM mesh_state WHERE id = 1)';

/**
 * The database's revision and its incarnation (the dialect's expression: which server, timeline,
 * since when), read before every pull and inside it.
 */
export function readRevision(incarnation: string) {
  return statement<Params, Revision & { incarnation: string }>(
    'readRevision',
    `SELECT revision, ${incarnation} AS incarnation FROM mesh_state WHERE id = 1`,
  );
}

export const BUMP_REVISION = statement<Params, Revision>(
  'bumpRevision',
  'UPDATE mesh_state SET revision = revision + 1 WHERE id = 1 RETURNING revision',
);

export const DELETE_TOMBSTONE = statement<{ id: string }, never>(
  'deleteTombstone',
  'DELETE FROM mesh_tombstones WHERE id = $id',
);

/**
 * A heartbeat: updates the columns it changes (topology_at as mesh/status.ts's
 * topologyAtAfterHeartbeat says, decided on the row itself) and returns the row, its document only
 * when the transaction's revision is not `$expected`, the revision at which the engine knows the
 * agent as the database has it (-1: it does not), so that it need not read back and parse the
 * document it already holds.
 */
export const HEARTBEAT = statement<
  { status: AgentStatus; at: number; rv: string; id: string; expected: number },
  Omit<StoredRow, 'doc'> & { doc: string | null }
>(
  'heartbeat',
  `UPDATE mesh_agents
    SET status = $status, last_heartbeat = $at, updated_at = $at, resource_version = $rv, revision = ${REVISION},
      topology_at = CASE WHEN status = $status THEN topology_at ELSE $at END
    WHERE id = $id
    RETURNING id, seq, name, namespace, status, created_at, updated_at, resource_version, last_heartbeat, revision,
      topology_at, CASE WHEN revision = $expected THEN NULL ELSE doc END AS doc`,
);

export const STATUS = statement<
  {
    to: AgentStatus;
    at: number;
    rv: string;
    id: string;
    from: AgentStatus;
    last_heartbeat: number | null;
  },
  StoredRow
>(
  'status',
  `UPDATE mesh_agents
    SET status = $to, updated_at = $at, resource_version = $rv, revision = ${REVISION}, topology_at = $at
    WHERE id = $id AND status = $from AND last_heartbeat IS NOT DISTINCT FROM $last_heartbeat RETURNING *`,
);

/**
 * A deletion is two statements on the same condition, neither waiting for the other's answer: the
 * tombstone of the agent if its row matches, then the row's deletion (SQLite has no DELETE in a
 * WITH clause). Writers take turns on the revision row, so both see the same row.
 */
export interface Deletion<P extends Params> {
  readonly tombstone: Statement<P, never>;
  readonly row: Statement<P, { id: string }>;
}

function deletion<P extends Params>(
  names: { tombstone: string; row: string },
  condition: string,
): Deletion<P> {
  return {
    tombstone: statement<P, never>(
      names.tombstone,
      // The WHERE before ON CONFLICT also keeps SQLite from reading ON as a join's.
      `INSERT INTO mesh_tombstones (id, revision) SELECT id, ${REVISION} FROM mesh_agents WHERE ${condition}
        ON CONFLICT (id) DO UPDATE SET revision = excluded.revision`,
    ),
    row: statement<P, { id: string }>(names.row, `DELETE FROM mesh_agents WHERE ${condition} RETURNING id`),
  };
}

export const DELETE = deletion<{ id: string }>({ tombstone: 'tombstone', row: 'delete' }, 'id = $id');

export const DELETE_IF = deletion<{ id: string; status: AgentStatus; updated_at: number }>(
  { tombstone: 'tombstoneIf', row: 'deleteIf' },
  'id = $id AND status = $status AND updated_at = $updated_at',
);

export const SELECT_CHANGED = statement<{ since: number }, StoredRow>(
  'selectChanged',
  'SELECT * FROM mesh_agents WHERE revision > $since ORDER BY seq',
);

export const SELECT_DELETED = statement<{ since: number }, { id: string; revision: number }>(
  'selectDeleted',
  'SELECT id, revision FROM mesh_tombstones WHERE revision > $since',
);

/**
 * A registration: inserts the agent, or updates it keeping `created_at` and `seq`. The dialect
 * says how the row gets its `seq` and how to tell an insert from an update (`is_new`).
 */
export function upsertAgentStatement<P extends AgentColumns, IsNew>(expressions: {
  seq: string;
  isNew: string;
}): Statement<P, { created_at: number; seq: number; is_new: IsNew }> {
  // An agent owned by a TLS entity is replaced only by a registration of that entity: checked here,
  // in the database, so that it also holds between replicas that do not know of each other's
  // latest writes yet. A refused upsert changes nothing and returns no row.
  return statement(
    'upsert',
    `INSERT INTO mesh_agents
      (id, seq, name, namespace, status, created_at, updated_at, resource_version, last_heartbeat, revision,
       topology_at, entity_id, doc)
    VALUES ($id, ${expressions.seq}, $name, $namespace, $status, $created_at, $updated_at, $resource_version,
      $last_heartbeat, ${REVISION}, $topology_at, $entity_id, $doc)
    ON CONFLICT (id) DO UPDATE SET
      name = excluded.name, namespace = excluded.namespace, status = excluded.status,
      updated_at = excluded.updated_at, resource_version = excluded.resource_version,
      last_heartbeat = excluded.last_heartbeat, revision = excluded.revision, topology_at = excluded.topology_at,
      entity_id = excluded.entity_id, doc = excluded.doc
      WHERE mesh_agents.entity_id = '' OR mesh_agents.entity_id = excluded.entity_id
    RETURNING created_at, seq, ${expressions.isNew} AS is_new`,
  );
}

/**
 * A certificate rotation: the agent's topology time moves to `$at` (while it is still healthy),
 * so its next `HEAD /heartbeat` answers 202 and it registers again.
 */
export const TOUCH_TOPOLOGY = statement<{ id: string; at: number; rv: string }, StoredRow>(
  'touchTopology',
  `UPDATE mesh_agents
    SET topology_at = $at, updated_at = $at, resource_version = $rv, revision = ${REVISION}
    WHERE id = $id AND status = 'healthy' RETURNING *`,
);

/** Registry-wide: whether job claims are paused (`/admin/drain`). */
export const SET_DRAINING = statement<{ draining: number }, never>(
  'setDraining',
  'UPDATE mesh_state SET draining = $draining WHERE id = 1',
);

export const READ_DRAINING = statement<Params, { draining: number }>(
  'readDraining',
  'SELECT draining FROM mesh_state WHERE id = 1',
);
