import { type Static, Type } from 'typebox';
import { JsonObject } from '../../http/common-schemas.js';
import { NAME, REQUEST_LIMITS, TEXT } from '../../http/request-limits.js';
import { A2aSurfaceReply } from '../views/a2a-surface-view.js';

/** A dependency a tool declares (registry-api-current.md §2). Unknown keys are kept, not refused. */
export const ToolDependencyRequest = Type.Object({
  capability: Type.String({ minLength: 1, ...NAME }),
  tags: Type.Optional(
    Type.Array(
      Type.Union([
        Type.String(NAME),
        Type.Array(Type.String(NAME), { maxItems: REQUEST_LIMITS.tagsPerEntry }),
      ]),
      { maxItems: REQUEST_LIMITS.tagsPerEntry },
    ),
  ),
  /** `null` is no constraint, as for the Go registry. */
  version: Type.Optional(Type.Union([Type.String(NAME), Type.Null()])),
  namespace: Type.Optional(Type.String(NAME)),
  /** `null` is optional (not required), as for the Go registry. */
  required: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  /** The schema stage: `subset` or `strict` (other text counts as `subset`); absent, null or empty: none. */
  matchMode: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** The canonical schema the consumer expects of the provider's output, and its hash. */
  expectedSchemaHash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  expectedSchemaCanonical: Type.Optional(Type.Union([JsonObject, Type.Null()])),
});
export type ToolDependencyRequest = Static<typeof ToolDependencyRequest>;

/** One A2A skill an `a2a` agent serves (the Go registry's A2ASurface; unknown keys are ignored). */
export const A2aSurfaceRequest = Type.Object({
  path: Type.Optional(Type.String()),
  skill_id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  input_modes: Type.Optional(Type.Array(Type.String())),
  output_modes: Type.Optional(Type.Array(Type.String())),
  tags: Type.Optional(Type.Array(Type.String())),
});

/** An `@mesh.llm` tool's provider spec: typed as upstream binds it (a wrong type is a 400). */
export const LlmProviderRequest = Type.Object({
  capability: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  namespace: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  tags: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  version: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const ToolRequest = Type.Object({
  function_name: Type.String({ minLength: 1, ...NAME }),
  capability: Type.String({ minLength: 1, ...NAME }),
  version: Type.Optional(Type.String(NAME)),
  tags: Type.Optional(Type.Array(Type.String(NAME), { maxItems: REQUEST_LIMITS.tagsPerEntry })),
  description: Type.Optional(Type.String(TEXT)),
  dependencies: Type.Optional(
    Type.Array(ToolDependencyRequest, { maxItems: REQUEST_LIMITS.dependenciesPerTool }),
  ),
  inputSchema: Type.Optional(Type.Unknown()),
  outputSchema: Type.Optional(Type.Unknown()),
  /**
   * The SDK's canonical (normalized) schemas with their content hashes (`sha256:<hex>`): kept once
   * per hash in the schema catalogue (`GET /schemas`) when both are sent, the hash non-empty.
   */
  inputSchemaCanonical: Type.Optional(Type.Union([JsonObject, Type.Null()])),
  inputSchemaHash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  outputSchemaCanonical: Type.Optional(Type.Union([JsonObject, Type.Null()])),
  outputSchemaHash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  schemaWarnings: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  kwargs: Type.Optional(JsonObject),
  /** `{filter: [...], filter_mode?, inject_param?}`, free-form as upstream keeps it (an object or null). */
  llm_filter: Type.Optional(Type.Union([JsonObject, Type.Null()])),
  llm_provider: Type.Optional(Type.Union([LlmProviderRequest, Type.Null()])),
});
export type ToolRequest = Static<typeof ToolRequest>;

/** The key that marks a `POST /heartbeat` body as the current protocol's (registry-api-current.md §6). */
export const CURRENT_HEARTBEAT_KEY = 'tools';

/** True for a body of the current protocol: an object with its own `tools` key, valid or not. */
export function isCurrentHeartbeat(body: unknown): boolean {
  return (
    body !== null &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    Object.hasOwn(body, CURRENT_HEARTBEAT_KEY)
  );
}

/** The full agent of the current protocol's `POST /heartbeat` (a body with a `tools` key, §6). */
export const CurrentHeartbeatRequest = Type.Object(
  {
    agent_id: Type.String({ minLength: 1, maxLength: 256 }),
    name: Type.Optional(Type.String(NAME)),
    agent_type: Type.Optional(Type.String(NAME)),
    version: Type.Optional(Type.String(NAME)),
    http_host: Type.Optional(Type.String(NAME)),
    http_port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    namespace: Type.Optional(Type.String(NAME)),
    status: Type.Optional(Type.String(NAME)),
    runtime: Type.Optional(Type.String(NAME)),
    tools: Type.Array(ToolRequest, { maxItems: REQUEST_LIMITS.toolsPerAgent }),
    a2a_producer: Type.Optional(Type.Boolean()),
    a2a_consumer: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String(TEXT)),
    /** An `a2a` agent's surfaces: entries without a `path` and a `skill_id` are ignored. */
    surfaces: Type.Optional(
      Type.Union([Type.Array(Type.Union([A2aSurfaceRequest, Type.Null()])), Type.Null()]),
    ),
  },
  { $id: 'MeshAgentRegistration' },
);
export type CurrentHeartbeatRequest = Static<typeof CurrentHeartbeatRequest>;

export const DependencyResolution = Type.Object({
  agent_id: Type.String(),
  capability: Type.String(),
  endpoint: Type.String(),
  function_name: Type.String(),
  kwargs: Type.Optional(JsonObject),
  status: Type.String(),
});

/** One tool an `@mesh.llm` function's LLM may call (an entry of `llm_tools`). */
export const LlmToolInfo = Type.Object({
  capability: Type.String(),
  description: Type.String(),
  endpoint: Type.String(),
  inputSchema: JsonObject,
  name: Type.String(),
  tags: Type.Array(Type.String()),
  version: Type.String(),
});

/** The provider an `@mesh.llm` function delegates to (an entry of `llm_providers`). */
export const ResolvedLlmProvider = Type.Object({
  agent_id: Type.String(),
  capability: Type.String(),
  endpoint: Type.String(),
  kwargs: Type.Optional(JsonObject),
  name: Type.String(),
  status: Type.Literal('available'),
  tags: Type.Optional(Type.Array(Type.String())),
  vendor: Type.String(),
  version: Type.Optional(Type.String()),
});

export const CurrentHeartbeatReply = Type.Object({
  agent_id: Type.String(),
  dependencies_resolved: Type.Record(Type.String(), Type.Array(DependencyResolution)),
  /** Present only when some function's `llm_provider` resolved. */
  llm_providers: Type.Optional(Type.Record(Type.String(), ResolvedLlmProvider)),
  /** One key per function whose `llm_filter` has a `filter` array (ours and upstream's rule). */
  llm_tools: Type.Record(Type.String(), Type.Array(LlmToolInfo)),
  message: Type.String(),
  status: Type.String(),
  /** An `a2a` agent that sent `surfaces`: each with its public URLs (when a prefix is configured). */
  surfaces: Type.Optional(Type.Array(A2aSurfaceReply)),
  timestamp: Type.String(),
});

/** A registration the Go registry refuses after reading it (a required cycle): 200, nothing written. */
export const CurrentHeartbeatRefusal = Type.Object({
  agent_id: Type.String(),
  message: Type.String(),
  status: Type.Literal('error'),
  timestamp: Type.String(),
});

/** The Go registry's error shape, used for current-protocol bodies. */
export const CurrentErrorReply = Type.Object({ error: Type.String(), timestamp: Type.String() });
