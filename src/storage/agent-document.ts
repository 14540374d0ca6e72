import type { AgentRecord } from '../mesh/agent.js';

/**
 * The columns both stores keep outside the JSON document: what heartbeats and health sweeps
 * change, so those writes never rewrite the document.
 */
export interface AgentRow {
  id: string;
  seq: number;
  name: string;
  namespace: string;
  status: string;
  created_at: number;
  updated_at: number;
  resource_version: string;
  last_heartbeat: number | null;
  topology_at: number;
  /**
   * The TLS entity that owns the agent ('' for none): the document's `current.entityId`, kept in a
   * column too so that a registration can be refused by the database itself when another entity
   * owns the row (two replicas, each not yet aware of the other's first registration).
   */
  entity_id: string;
  doc: string;
}

type AgentDocument = Omit<
  AgentRecord,
  | 'id'
  | 'name'
  | 'namespace'
  | 'status'
  | 'createdAt'
  | 'updatedAt'
  | 'resourceVersion'
  | 'lastHeartbeat'
  | 'topologyAt'
>;

/** The JSON document of an agent: every field that is not a column of its own. */
export function toAgentDocument(agent: AgentRecord): string {
  const {
    id: _id,
    name: _name,
    namespace: _namespace,
    status: _status,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    resourceVersion: _resourceVersion,
    lastHeartbeat: _lastHeartbeat,
    topologyAt: _topologyAt,
    ...rest
  } = agent;
  return JSON.stringify(rest satisfies AgentDocument);
}

/** Rebuilds an agent from its row; the columns win over anything in the document. */
export function fromAgentRow(row: AgentRow): AgentRecord {
  const doc = JSON.parse(row.doc) as AgentDocument;
  return {
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    labels: doc.labels,
    annotations: doc.annotations,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    resourceVersion: row.resource_version,
    endpoint: doc.endpoint,
    capabilities: doc.capabilities,
    dependencies: doc.dependencies,
    status: row.status as AgentRecord['status'],
    lastHeartbeat: row.last_heartbeat === null ? null : Number(row.last_heartbeat),
    healthInterval: doc.healthInterval,
    timeoutThreshold: doc.timeoutThreshold,
    evictionThreshold: doc.evictionThreshold,
    agentType: doc.agentType,
    config: doc.config,
    securityContext: doc.securityContext,
    protocol: doc.protocol,
    ...(doc.current === undefined ? {} : { current: doc.current }),
    topologyAt: Number(row.topology_at),
  };
}
