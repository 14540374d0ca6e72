import type { AgentStatus } from '../../mesh/agent.js';
import { type AgentRow, fromAgentRow } from '../agent-document.js';
import { fromColumnText } from '../column-text.js';
import type { StoredAgent, StoredDeletion } from './agent-snapshot.js';

/** An agents row with the columns the snapshot needs besides the record. */
export type StoredRow = AgentRow & { revision: number };

export function storedAgent(row: StoredRow): StoredAgent {
  const decoded = {
    ...row,
    id: fromColumnText(row.id),
    name: fromColumnText(row.name),
    namespace: fromColumnText(row.namespace),
  };
  return { record: fromAgentRow(decoded), seq: Number(row.seq), revision: Number(row.revision) };
}

export function storedDeletion(row: StoredDeletion): StoredDeletion {
  return { id: fromColumnText(row.id), revision: Number(row.revision) };
}

/** A heartbeat's new column values, applied to the agent as the transaction knows it. */
export function heartbeatApplied(
  base: StoredAgent,
  change: { status: AgentStatus; at: number; resourceVersion: string; topologyAt: number },
  revision: number,
): StoredAgent {
  return {
    record: {
      ...base.record,
      status: change.status,
      lastHeartbeat: change.at,
      updatedAt: change.at,
      resourceVersion: change.resourceVersion,
      topologyAt: change.topologyAt,
    },
    seq: base.seq,
    revision,
    heartbeatOf: base.record,
  };
}
