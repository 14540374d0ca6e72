import { Type } from 'typebox';
import { Nullable } from '../../http/common-schemas.js';

export const HealthReply = Type.Object({ status: Type.String(), service: Type.String() });

/** `GET /health/{agent_id}` (spec §3.4). */
export const AgentHealthReply = Type.Object({
  agent_id: Type.String(),
  status: Type.String(),
  last_heartbeat: Nullable(Type.String()),
  next_heartbeat_expected: Nullable(Type.String()),
  time_since_heartbeat: Nullable(Type.Number()),
  timeout_threshold: Type.Integer(),
  eviction_threshold: Type.Integer(),
  is_expired: Type.Boolean(),
  message: Type.String(),
});

/** `GET /metrics` (spec §3.5). */
export const MetricsReply = Type.Object({
  total_agents: Type.Integer(),
  healthy_agents: Type.Integer(),
  degraded_agents: Type.Integer(),
  expired_agents: Type.Integer(),
  offline_agents: Type.Integer(),
  pending_agents: Type.Integer(),
  total_capabilities: Type.Integer(),
  unique_capability_types: Type.Integer(),
  uptime_seconds: Type.Number(),
  heartbeats_processed: Type.Integer(),
  registrations_processed: Type.Integer(),
  last_updated: Type.String(),
});
