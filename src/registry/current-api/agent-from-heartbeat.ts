import type {
  A2aSurface,
  AgentRecord,
  CapabilityRecord,
  LlmProviderRequest,
  ToolDependency,
} from '../../mesh/agent.js';
import { topologyAtOfRegistration } from '../../mesh/status.js';
import { type Micros, resourceVersionOf } from '../../shared/clock.js';
import type { CurrentHeartbeatRequest } from './schemas/current-heartbeat.js';

/**
 * `http://host:port`, or `stdio://<agent_id>` without a port (registry-api-current.md §2);
 * `https://` for an agent with a TLS entity, which serves TLS (as the Go registry's endpoints).
 */
export function endpointOf(body: CurrentHeartbeatRequest, isTls = false): string {
  const port = body.http_port ?? 0;
  const scheme = isTls ? 'https' : 'http';
  return port === 0 ? `stdio://${body.agent_id}` : `${scheme}://${body.http_host ?? '127.0.0.1'}:${port}`;
}

/** The surfaces that name both a path and a skill, in the order sent (the Go registry's rule). */
function a2aSurfacesOf(body: CurrentHeartbeatRequest): A2aSurface[] {
  const surfaces: A2aSurface[] = [];
  for (const entry of body.surfaces ?? []) {
    if (entry?.path && entry.skill_id) surfaces.push({ path: entry.path, skillId: entry.skill_id });
  }
  return surfaces;
}

/** The provider spec as upstream stores it: the capability, and the other fields sent non-null. */
function llmProviderOf(spec: NonNullable<CurrentHeartbeatRequest['tools'][number]['llm_provider']>) {
  const stored: LlmProviderRequest = { capability: spec.capability ?? '' };
  if (spec.namespace != null) stored.namespace = spec.namespace;
  if (spec.tags != null) stored.tags = [...spec.tags];
  if (spec.version != null) stored.version = spec.version;
  return stored;
}

/** A dependency's schema-stage fields, those sent non-null. */
function expectedSchemaOf(
  dep: NonNullable<CurrentHeartbeatRequest['tools'][number]['dependencies']>[number],
) {
  const fields: Pick<ToolDependency, 'matchMode' | 'expectedSchemaHash' | 'expectedSchemaCanonical'> = {};
  if (dep.matchMode != null) fields.matchMode = dep.matchMode;
  if (dep.expectedSchemaHash != null) fields.expectedSchemaHash = dep.expectedSchemaHash;
  if (dep.expectedSchemaCanonical != null) fields.expectedSchemaCanonical = dep.expectedSchemaCanonical;
  return fields;
}

/** A tool's canonical schemas, their hashes and the normalizer's warnings, those sent non-null. */
function schemaFieldsOf(tool: CurrentHeartbeatRequest['tools'][number]) {
  const fields: Pick<
    CapabilityRecord,
    | 'inputSchemaCanonical'
    | 'inputSchemaHash'
    | 'outputSchemaCanonical'
    | 'outputSchemaHash'
    | 'schemaWarnings'
  > = {};
  if (tool.inputSchemaCanonical != null) fields.inputSchemaCanonical = tool.inputSchemaCanonical;
  if (tool.inputSchemaHash != null) fields.inputSchemaHash = tool.inputSchemaHash;
  if (tool.outputSchemaCanonical != null) fields.outputSchemaCanonical = tool.outputSchemaCanonical;
  if (tool.outputSchemaHash != null) fields.outputSchemaHash = tool.outputSchemaHash;
  if (tool.schemaWarnings != null) fields.schemaWarnings = [...tool.schemaWarnings];
  return fields;
}

function toCapability(tool: CurrentHeartbeatRequest['tools'][number]): CapabilityRecord {
  return {
    name: tool.capability,
    description: tool.description ?? '',
    // An empty version is 1.0.0, as the Go registry stores it.
    version: tool.version || '1.0.0',
    tags: tool.tags ?? [],
    category: null,
    stability: 'stable',
    functionName: tool.function_name,
    kwargs: tool.kwargs ?? {},
    dependencies: (tool.dependencies ?? []).map(
      (dep): ToolDependency => ({
        capability: dep.capability,
        tags: (dep.tags ?? []).map((t) => (Array.isArray(t) ? [...t] : t)),
        version: dep.version ?? '',
        namespace: dep.namespace,
        required: dep.required ?? undefined,
        ...expectedSchemaOf(dep),
      }),
    ),
    ...(tool.inputSchema === undefined ? {} : { inputSchema: tool.inputSchema }),
    ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema }),
    ...schemaFieldsOf(tool),
    ...(tool.llm_filter == null ? {} : { llmFilter: tool.llm_filter }),
    ...(tool.llm_provider == null ? {} : { llmProvider: llmProviderOf(tool.llm_provider) }),
  };
}

/**
 * The stored agent for a full current-protocol heartbeat. `previous` is what the store had: its
 * topology time is kept when nothing consumers resolve against changed. `callerEntity` is the TLS
 * entity the request was verified as ('' without one): the agent's entity is the one it first
 * registered with, kept from then on (registration trust refuses other callers before this).
 */
export function agentFromHeartbeat(
  body: CurrentHeartbeatRequest,
  now: Micros,
  timeoutSeconds: number,
  previous: AgentRecord | undefined,
  callerEntity = '',
): AgentRecord {
  const entityId = previous?.current?.entityId || callerEntity;
  const capabilities = body.tools.map(toCapability);
  const surfaces = a2aSurfacesOf(body);
  const dependencyNames = [
    ...new Set(capabilities.flatMap((c) => (c.dependencies ?? []).map((d) => d.capability))),
  ];
  const agent: AgentRecord = {
    id: body.agent_id,
    name: body.name ?? body.agent_id,
    namespace: body.namespace ?? 'default',
    labels: {},
    annotations: { registered_via: 'heartbeat' },
    createdAt: now,
    updatedAt: now,
    resourceVersion: resourceVersionOf(now),
    endpoint: endpointOf(body, entityId !== ''),
    capabilities,
    dependencies: dependencyNames,
    status: 'healthy',
    lastHeartbeat: now,
    healthInterval: 5,
    timeoutThreshold: timeoutSeconds,
    evictionThreshold: timeoutSeconds,
    agentType: body.agent_type ?? 'mcp_agent',
    config: {},
    securityContext: null,
    protocol: 'current',
    current: {
      runtime: body.runtime ?? 'python',
      version: body.version ?? '1.0.0',
      description: body.description ?? '',
      httpHost: body.http_host ?? '',
      httpPort: body.http_port ?? 0,
      a2aProducer: body.a2a_producer ?? false,
      a2aConsumer: body.a2a_consumer ?? false,
      fullHeartbeatAt: now,
      ...(surfaces.length === 0 ? {} : { a2aSurfaces: surfaces }),
      ...(entityId === '' ? {} : { entityId }),
    },
    topologyAt: now,
  };
  const topologyAt = topologyAtOfRegistration(agent, previous);
  return topologyAt === agent.topologyAt ? agent : { ...agent, topologyAt };
}
