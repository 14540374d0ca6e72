import { type Static, Type } from 'typebox';
import { JsonObject, Nullable } from '../../http/common-schemas.js';

/** `POST /agents/register_with_metadata` body (spec §4.4.1). `metadata` is mapped in the handler. */
export const RegisterRequest = Type.Object(
  {
    agent_id: Type.String(),
    metadata: JsonObject,
    timestamp: Type.String(),
  },
  { $id: 'AgentRegistrationRequest' },
);
export type RegisterRequest = Static<typeof RegisterRequest>;

export const RegisterReply = Type.Object({
  status: Type.Literal('success'),
  agent_id: Type.String(),
  resource_version: Type.String(),
  timestamp: Type.String(),
  message: Type.String(),
});

export const LegacyCapability = Type.Object({
  name: Type.String(),
  description: Nullable(Type.String()),
  version: Type.String(),
  compatibility_versions: Type.Array(Type.String()),
  parameters_schema: Type.Union([JsonObject, Type.Null()]),
  security_requirements: Type.Union([Type.Array(Type.String()), Type.Null()]),
  tags: Type.Array(Type.String()),
  category: Nullable(Type.String()),
  stability: Type.String(),
});

/** The agent object of `GET /agents` (spec §3.1), keys in wire order. */
export const LegacyAgent = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    namespace: Type.String(),
    labels: Type.Record(Type.String(), Type.String()),
    annotations: Type.Record(Type.String(), Type.String()),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    resource_version: Type.String(),
    endpoint: Type.String(),
    capabilities: Type.Array(LegacyCapability),
    dependencies: Type.Array(Type.String()),
    status: Type.String(),
    last_heartbeat: Nullable(Type.String({ format: 'date-time' })),
    health_interval: Type.Integer(),
    timeout_threshold: Type.Integer(),
    eviction_threshold: Type.Integer(),
    agent_type: Type.String(),
    config: JsonObject,
    security_context: Nullable(Type.String()),
  },
  { $id: 'AgentRegistration' },
);

export const AgentsQuery = Type.Object({
  namespace: Type.Optional(Type.String()),
  status: Type.Optional(Type.String({ description: 'Defaults to healthy' })),
  capability: Type.Optional(Type.String()),
  capability_category: Type.Optional(Type.String()),
  capability_stability: Type.Optional(Type.String()),
  capability_tags: Type.Optional(Type.String({ description: 'Comma-separated, not trimmed' })),
  label_selector: Type.Optional(Type.String({ description: 'key=value[,key=value...]' })),
  fuzzy_match: Type.Optional(Type.Boolean({ default: false })),
  version_constraint: Type.Optional(Type.String()),
});
export type AgentsQuery = Static<typeof AgentsQuery>;

export const AgentsReply = Type.Object({
  agents: Type.Array(LegacyAgent),
  count: Type.Integer(),
  timestamp: Type.String(),
});

export const CapabilitiesQuery = Type.Object({
  agent_id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  description_contains: Type.Optional(Type.String()),
  category: Type.Optional(Type.String()),
  tags: Type.Optional(Type.String()),
  stability: Type.Optional(Type.String()),
  version_constraint: Type.Optional(Type.String()),
  fuzzy_match: Type.Optional(Type.Boolean({ default: false })),
  include_deprecated: Type.Optional(Type.Boolean({ default: false })),
  agent_namespace: Type.Optional(Type.String()),
  agent_status: Type.Optional(Type.String({ default: 'healthy' })),
});
export type CapabilitiesQuery = Static<typeof CapabilitiesQuery>;

export const CapabilitySearchItem = Type.Object({
  ...LegacyCapability.properties,
  agent_id: Type.String(),
  agent_name: Type.String(),
  agent_namespace: Type.String(),
  agent_status: Type.String(),
  agent_endpoint: Type.String(),
});

export const CapabilitiesReply = Type.Object({
  capabilities: Type.Array(CapabilitySearchItem),
  count: Type.Integer(),
  timestamp: Type.String(),
});
