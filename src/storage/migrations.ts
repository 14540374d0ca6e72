/**
 * The one numbered migration list of both dialects. Each step has its SQL for SQLite and for
 * PostgreSQL side by side, so the two schemas cannot drift apart; `engine/migrate.ts` applies the
 * list on either database, through its dialect (under PostgreSQL's advisory lock). Applied
 * versions are recorded in `mesh_schema_migrations`.
 *
 * Our tables carry a `mesh_` prefix so that a database file of the Python original (tables
 * `agents`, `capabilities`, ...) can be opened and imported in place without touching its tables
 * (spec registry-api.md §9).
 */
export interface Migration {
  version: number;
  name: string;
  /** SQL for SQLite, or the name of a step the SQLite runner performs in code. */
  sqlite: string | { step: 'import-python-database' };
  /**
   * SQL for PostgreSQL. Written so that objects that already exist are not an error (a database
   * prepared by hand or a migration interrupted between statements).
   */
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create agent tables',
    sqlite: `
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
      CREATE INDEX mesh_tombstones_revision ON mesh_tombstones (revision);`,
    // TEXT, not JSONB, for the document: JSONB reorders object keys (labels and config are listed
    // in the order the agent sent them), and PostgreSQL's JSON types refuse the `\u0000` and lone
    // surrogate escapes that agents may send and JSON.stringify writes.
    postgres: `
      CREATE TABLE IF NOT EXISTS mesh_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision BIGINT NOT NULL
      );
      INSERT INTO mesh_state (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
      CREATE TABLE IF NOT EXISTS mesh_agents (
        id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        name TEXT NOT NULL,
        namespace TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        resource_version TEXT NOT NULL,
        last_heartbeat BIGINT,
        revision BIGINT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS mesh_agents_revision ON mesh_agents (revision);
      CREATE INDEX IF NOT EXISTS mesh_agents_seq ON mesh_agents (seq);
      CREATE TABLE IF NOT EXISTS mesh_tombstones (
        id TEXT PRIMARY KEY,
        revision BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS mesh_tombstones_revision ON mesh_tombstones (revision);`,
  },
  {
    version: 2,
    name: 'import a database of the Python registry',
    sqlite: { step: 'import-python-database' },
    // The Python registry only ever ran on SQLite (spec registry-api.md §9.1): nothing to import.
    postgres: '',
  },
  {
    version: 3,
    name: 'topology change time per agent',
    sqlite: `
      ALTER TABLE mesh_agents ADD COLUMN topology_at INTEGER NOT NULL DEFAULT 0;
      UPDATE mesh_agents SET topology_at = updated_at;`,
    postgres: `
      ALTER TABLE mesh_agents ADD COLUMN IF NOT EXISTS topology_at BIGINT NOT NULL DEFAULT 0;
      UPDATE mesh_agents SET topology_at = updated_at WHERE topology_at = 0;`,
  },
  {
    version: 4,
    name: 'health sweep claim time',
    // When a replica last claimed the health sweep, so one replica sweeps per period.
    sqlite: 'ALTER TABLE mesh_state ADD COLUMN sweep_claimed_at INTEGER NOT NULL DEFAULT 0;',
    postgres: 'ALTER TABLE mesh_state ADD COLUMN IF NOT EXISTS sweep_claimed_at BIGINT NOT NULL DEFAULT 0;',
  },
  {
    version: 5,
    name: 'event log, schema catalogue and drain flag',
    // Events are read newest first, by id, with at most one filter besides the limit; `at` is in
    // microseconds. A schema is kept once per content hash; `canonical` is its JSON text.
    sqlite: `
      CREATE TABLE mesh_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_type TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        agent_name TEXT NOT NULL,
        function_name TEXT NOT NULL,
        at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX mesh_events_agent ON mesh_events (agent_id, id);
      CREATE INDEX mesh_events_type ON mesh_events (event_type, id);
      CREATE TABLE mesh_schemas (
        hash TEXT PRIMARY KEY,
        canonical TEXT NOT NULL,
        runtime_origin TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX mesh_schemas_created ON mesh_schemas (created_at);
      ALTER TABLE mesh_state ADD COLUMN draining INTEGER NOT NULL DEFAULT 0;`,
    postgres: `
      CREATE TABLE IF NOT EXISTS mesh_events (
        id BIGSERIAL PRIMARY KEY,
        event_type TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        agent_name TEXT NOT NULL,
        function_name TEXT NOT NULL,
        at BIGINT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS mesh_events_agent ON mesh_events (agent_id, id);
      CREATE INDEX IF NOT EXISTS mesh_events_type ON mesh_events (event_type, id);
      CREATE TABLE IF NOT EXISTS mesh_schemas (
        hash TEXT PRIMARY KEY,
        canonical TEXT NOT NULL,
        runtime_origin TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS mesh_schemas_created ON mesh_schemas (created_at);
      ALTER TABLE mesh_state ADD COLUMN IF NOT EXISTS draining INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 6,
    name: 'jobs and job events',
    // MeshJobs (`task=True` tools): times in µs; JSON columns as text (key order as sent);
    // `event_seq` is the last seq handed to the job's events (an append bumps it under the row's
    // lock, so concurrent appends never collide). Claims look for the oldest unowned working job
    // of a capability; sweeps for expired leases, owners and deadlines. Ids compare bytewise on
    // both (page cursors), hence COLLATE "C" on PostgreSQL.
    sqlite: `
      CREATE TABLE mesh_jobs (
        id TEXT PRIMARY KEY,
        capability TEXT NOT NULL,
        status TEXT NOT NULL,
        owner_instance_id TEXT,
        claim_epoch INTEGER NOT NULL DEFAULT 0,
        attempt_count INTEGER NOT NULL DEFAULT 0,
        max_retries INTEGER NOT NULL,
        max_duration INTEGER,
        total_deadline INTEGER,
        lease_expires_at INTEGER,
        last_heartbeat_at INTEGER,
        submitted_at INTEGER NOT NULL,
        submitted_by TEXT,
        submitted_payload TEXT NOT NULL,
        progress REAL,
        progress_message TEXT,
        result TEXT,
        error TEXT,
        recv_cursor TEXT,
        event_seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX mesh_jobs_claimable ON mesh_jobs (capability, status, submitted_at);
      CREATE INDEX mesh_jobs_lease ON mesh_jobs (lease_expires_at);
      CREATE INDEX mesh_jobs_owner ON mesh_jobs (owner_instance_id);
      CREATE INDEX mesh_jobs_status ON mesh_jobs (status);
      CREATE INDEX mesh_jobs_submitted ON mesh_jobs (submitted_at, id);
      CREATE TABLE mesh_job_events (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        payload TEXT,
        trace_context TEXT,
        posted_by TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (job_id, seq)
      );`,
    postgres: `
      CREATE TABLE IF NOT EXISTS mesh_jobs (
        id TEXT COLLATE "C" PRIMARY KEY,
        capability TEXT NOT NULL,
        status TEXT NOT NULL,
        owner_instance_id TEXT,
        claim_epoch BIGINT NOT NULL DEFAULT 0,
        attempt_count BIGINT NOT NULL DEFAULT 0,
        max_retries BIGINT NOT NULL,
        max_duration BIGINT,
        total_deadline BIGINT,
        lease_expires_at BIGINT,
        last_heartbeat_at BIGINT,
        submitted_at BIGINT NOT NULL,
        submitted_by TEXT,
        submitted_payload TEXT NOT NULL,
        progress DOUBLE PRECISION,
        progress_message TEXT,
        result TEXT,
        error TEXT,
        recv_cursor TEXT,
        event_seq BIGINT NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS mesh_jobs_claimable ON mesh_jobs (capability, status, submitted_at);
      CREATE INDEX IF NOT EXISTS mesh_jobs_lease ON mesh_jobs (lease_expires_at);
      CREATE INDEX IF NOT EXISTS mesh_jobs_owner ON mesh_jobs (owner_instance_id);
      CREATE INDEX IF NOT EXISTS mesh_jobs_status ON mesh_jobs (status);
      CREATE INDEX IF NOT EXISTS mesh_jobs_submitted ON mesh_jobs (submitted_at, id);
      CREATE TABLE IF NOT EXISTS mesh_job_events (
        job_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT,
        trace_context TEXT,
        posted_by TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (job_id, seq)
      );`,
  },
  {
    version: 7,
    name: 'unclaimed jobs index',
    // A claim wants the oldest unowned working job of a capability. Through mesh_jobs_claimable it
    // stepped over every held job of the capability first (held jobs stay `working`): claims slowed
    // as jobs were held (bench `job-claims`). This index holds only the unowned ones.
    sqlite: `
      CREATE INDEX mesh_jobs_unclaimed ON mesh_jobs (capability, submitted_at, id)
        WHERE status = 'working' AND owner_instance_id IS NULL;`,
    postgres: `
      CREATE INDEX IF NOT EXISTS mesh_jobs_unclaimed ON mesh_jobs (capability, submitted_at, id)
        WHERE status = 'working' AND owner_instance_id IS NULL;`,
  },
  {
    version: 8,
    name: 'agent entity column',
    // Registration trust: the upsert of an agent is refused by the database when the stored row
    // belongs to another entity (engine/statements.ts), whichever replica sends it.
    sqlite: `
      ALTER TABLE mesh_agents ADD COLUMN entity_id TEXT NOT NULL DEFAULT '';
      UPDATE mesh_agents SET entity_id = coalesce(json_extract(doc, '$.current.entityId'), '')
        WHERE json_extract(doc, '$.current.entityId') IS NOT NULL;`,
    postgres: `
      ALTER TABLE mesh_agents ADD COLUMN IF NOT EXISTS entity_id TEXT NOT NULL DEFAULT '';
      UPDATE mesh_agents SET entity_id = coalesce(doc::jsonb #>> '{current,entityId}', '')
        WHERE doc::jsonb #>> '{current,entityId}' IS NOT NULL;`,
  },
];

/** The table of applied versions, the same in both dialects. */
export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS mesh_schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
