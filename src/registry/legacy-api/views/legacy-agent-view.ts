import type { AgentRecord, CapabilityRecord } from '../../../mesh/agent.js';
import { isoZ } from '../../../shared/clock.js';

/** A capability in the wire order of spec §3.2. */
export function legacyCapabilityView(cap: CapabilityRecord) {
  return {
    name: cap.name,
    description: cap.description,
    version: cap.version,
    compatibility_versions: [] as string[],
    parameters_schema: null,
    security_requirements: null,
    tags: cap.tags,
    category: cap.category,
    stability: cap.stability,
  };
}

/** An agent in the wire order of spec §3.1. */
export function legacyAgentView(agent: AgentRecord) {
  return {
    id: agent.id,
    name: agent.name,
    namespace: agent.namespace,
    labels: agent.labels,
    annotations: agent.annotations,
    created_at: isoZ(agent.createdAt),
    updated_at: isoZ(agent.updatedAt),
    resource_version: agent.resourceVersion,
    endpoint: agent.endpoint,
    capabilities: agent.capabilities.map(legacyCapabilityView),
    dependencies: agent.dependencies,
    status: agent.status,
    last_heartbeat: agent.lastHeartbeat === null ? null : isoZ(agent.lastHeartbeat),
    health_interval: agent.healthInterval,
    timeout_threshold: agent.timeoutThreshold,
    eviction_threshold: agent.evictionThreshold,
    agent_type: agent.agentType,
    config: agent.config,
    security_context: agent.securityContext,
  };
}

const agentJson = new WeakMap<AgentRecord, { updatedAt: number; json: string }>();

/**
 * The agent's JSON text, computed once per version of an agent and shared by every listing that
 * shows it. Every change makes a new record except a steady heartbeat, which writes the record's
 * times in place (`AgentSnapshot`), hence the check of `updatedAt`.
 */
export function legacyAgentJson(agent: AgentRecord): string {
  const cached = agentJson.get(agent);
  if (cached !== undefined && cached.updatedAt === agent.updatedAt) return cached.json;
  const json = JSON.stringify(legacyAgentView(agent));
  agentJson.set(agent, { updatedAt: agent.updatedAt, json });
  return json;
}

/** A capability search item (spec §3.3). */
export function capabilitySearchItemJson(agent: AgentRecord, cap: CapabilityRecord): string {
  return JSON.stringify({
    ...legacyCapabilityView(cap),
    agent_id: agent.id,
    agent_name: agent.name,
    agent_namespace: agent.namespace,
    agent_status: agent.status,
    agent_endpoint: agent.endpoint,
  });
}
