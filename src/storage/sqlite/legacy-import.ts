import type { DatabaseSync } from 'node:sqlite';
import type { AgentRecord, AgentStatus, CapabilityRecord } from '../../mesh/agent.js';
import { normalizeName } from '../../mesh/names.js';
import { thresholdsFor } from '../../mesh/thresholds.js';
import { parseTimestamp } from '../../shared/clock.js';
import { toAgentDocument } from '../agent-document.js';
import { parseStoredValue } from './python-literal.js';

const LEGACY_STATUSES = new Set<AgentStatus>(['pending', 'healthy', 'degraded', 'expired', 'offline']);

interface LegacyAgentRow {
  id: string;
  name: string;
  namespace: string;
  endpoint: string;
  status: string;
  labels: string | null;
  annotations: string | null;
  created_at: string;
  updated_at: string;
  resource_version: string;
  last_heartbeat: string | null;
  health_interval: number | null;
  config: string | null;
  security_context: string | null;
  dependencies: string | null;
}

interface LegacyCapabilityRow {
  agent_id: string;
  name: string;
  description: string | null;
  version: string | null;
}

function hasLegacyTables(db: DatabaseSync): boolean {
  const row = db
    .prepare(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('agents', 'capabilities')",
    )
    .get() as { n: number };
  return row.n === 2;
}

function asStringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function requireTimestamp(text: string | null, field: string): number {
  const micros = text === null ? undefined : parseTimestamp(text);
  if (micros === undefined) throw new Error(`${field} is not a timestamp: ${String(text)}`);
  return micros;
}

/** Rebuilds one agent of the Python registry's tables (spec §9.2, §9.5). */
function toAgentRecord(row: LegacyAgentRow, capabilities: LegacyCapabilityRow[]): AgentRecord {
  if (!LEGACY_STATUSES.has(row.status as AgentStatus)) throw new Error(`unknown status ${row.status}`);
  const annotations = asStringMap(parseStoredValue(row.annotations));
  // The original never stored agent_type and reloaded every agent as "default" with 60/120
  // thresholds (§9.5); the annotation it did store gives the type back.
  const agentType = normalizeName(annotations.original_agent_type ?? 'mesh-agent');
  const { timeout, eviction } = thresholdsFor(agentType);
  const config = parseStoredValue(row.config);
  const dependencies = parseStoredValue(row.dependencies);
  return {
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    labels: asStringMap(parseStoredValue(row.labels)),
    annotations,
    createdAt: requireTimestamp(row.created_at, 'created_at'),
    updatedAt: requireTimestamp(row.updated_at, 'updated_at'),
    resourceVersion: row.resource_version,
    endpoint: row.endpoint,
    capabilities: capabilities.map(
      (cap): CapabilityRecord => ({
        name: cap.name,
        description: cap.description,
        version: cap.version ?? '1.0.0',
        tags: [],
        category: null,
        stability: 'stable',
      }),
    ),
    dependencies: Array.isArray(dependencies)
      ? dependencies.filter((d): d is string => typeof d === 'string')
      : [],
    status: row.status as AgentStatus,
    lastHeartbeat:
      row.last_heartbeat === null ? null : requireTimestamp(row.last_heartbeat, 'last_heartbeat'),
    healthInterval: row.health_interval ?? 30,
    timeoutThreshold: timeout,
    evictionThreshold: eviction,
    agentType,
    config:
      config !== null && typeof config === 'object' && !Array.isArray(config)
        ? (config as Record<string, unknown>)
        : {},
    securityContext: row.security_context,
    protocol: 'legacy',
    topologyAt: requireTimestamp(row.updated_at, 'updated_at'),
  };
}

export interface LegacyImportResult {
  imported: number;
  skipped: { id: string; reason: string }[];
}

/**
 * Copies the agents of a Python registry database (tables `agents` and `capabilities`, columns
 * in Python literal syntax, parsed without evaluation) into our tables. The original tables are
 * left as they are. A row that cannot be rebuilt is skipped and reported, instead of abandoning
 * the whole load as the original did (§9.5).
 */
export function importLegacyDatabase(db: DatabaseSync): LegacyImportResult {
  const result: LegacyImportResult = { imported: 0, skipped: [] };
  if (!hasLegacyTables(db)) return result;
  // The original loaded agents by updated_at descending; that order becomes our listing order.
  const rows = db
    .prepare('SELECT * FROM agents ORDER BY updated_at DESC')
    .all() as unknown as LegacyAgentRow[];
  const capabilityRows = db
    .prepare('SELECT agent_id, name, description, version FROM capabilities ORDER BY id')
    .all() as unknown as LegacyCapabilityRow[];
  const byAgent = Map.groupBy(capabilityRows, (row: LegacyCapabilityRow) => row.agent_id);
  const insert = db.prepare(`INSERT OR IGNORE INTO mesh_agents
    (id, seq, name, namespace, status, created_at, updated_at, resource_version, last_heartbeat, revision, doc)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`);
  let seq = 0;
  for (const row of rows) {
    try {
      const agent = toAgentRecord(row, byAgent.get(row.id) ?? []);
      seq += 1;
      insert.run(
        agent.id,
        seq,
        agent.name,
        agent.namespace,
        agent.status,
        agent.createdAt,
        agent.updatedAt,
        agent.resourceVersion,
        agent.lastHeartbeat,
        toAgentDocument(agent),
      );
      result.imported += 1;
    } catch (error) {
      result.skipped.push({
        id: String(row.id),
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (result.imported > 0) db.prepare('UPDATE mesh_state SET revision = 1 WHERE id = 1').run();
  return result;
}
