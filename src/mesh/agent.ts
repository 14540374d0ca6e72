/**
 * The agent as the mesh knows it, in the spec's words: what both protocols register, what
 * the store keeps and what the views show. Types only.
 */
import type { Micros } from '../shared/clock.js';

/** Lifecycle statuses of both protocols (legacy §6.1; current §4 adds `unhealthy`). */
export type AgentStatus = 'pending' | 'healthy' | 'degraded' | 'expired' | 'offline' | 'unhealthy';

/** Which protocol registered the agent; decides which listing shape shows it. */
export type AgentProtocol = 'legacy' | 'current';

/** A dependency a current-protocol tool declares (registry-api-current.md §2). */
export interface ToolDependency {
  capability: string;
  tags: (string | string[])[];
  version: string;
  namespace: string | undefined;
  required: boolean | undefined;
  /**
   * The schema stage (`schema-compatibility.ts`): `subset` or `strict` (other text counts as
   * `subset`); absent or empty, no schema stage. With the canonical schema the consumer expects of
   * the provider's output, and its hash, as sent.
   */
  matchMode?: string;
  expectedSchemaHash?: string;
  expectedSchemaCanonical?: Record<string, unknown>;
}

/**
 * One capability of an agent. Legacy registrations fill name/description/version/tags (the rest
 * has the spec's fixed values); current-protocol tools fill the tool fields as well.
 */
export interface CapabilityRecord {
  name: string;
  description: string | null;
  version: string;
  tags: string[];
  category: string | null;
  stability: string;
  /** Current protocol only: the tool that provides the capability. */
  functionName?: string;
  /** Current protocol only: echoed to consumers in resolutions. */
  kwargs?: Record<string, unknown>;
  /** Current protocol only: what this tool depends on. */
  dependencies?: ToolDependency[];
  /** Current protocol only: schema fields kept verbatim for listings. */
  inputSchema?: unknown;
  outputSchema?: unknown;
  /**
   * Current protocol only: the canonical (normalized) input and output schemas and their content
   * hashes (`sha256:<hex>`), and the normalizer's warnings, as sent. The schema catalogue keeps the
   * canonical schemas; the schema stage of resolution compares the output ones.
   */
  inputSchemaCanonical?: Record<string, unknown>;
  inputSchemaHash?: string;
  outputSchemaCanonical?: Record<string, unknown>;
  outputSchemaHash?: string;
  schemaWarnings?: string[];
  /** Current protocol only: an `@mesh.llm` tool's filter of the tools its LLM gets, as sent. */
  llmFilter?: Record<string, unknown>;
  /** Current protocol only: an `@mesh.llm` tool's LLM provider spec (the fields sent non-null). */
  llmProvider?: LlmProviderRequest;
}

/** What an `@mesh.llm` tool asks of its LLM provider (upstream's LLMProvider). */
export interface LlmProviderRequest {
  capability: string;
  namespace?: string;
  tags?: string[];
  version?: string;
}

/** Fields of a current-protocol agent that legacy agents do not have. */
export interface CurrentAgentDetails {
  runtime: string;
  version: string;
  description: string;
  httpHost: string;
  httpPort: number;
  a2aProducer: boolean;
  a2aConsumer: boolean;
  /** When the agent last sent its full payload (`POST /heartbeat`). */
  fullHeartbeatAt: Micros;
  /** An `a2a` agent's surfaces (one per `@mesh.a2a`), as `/a2a/agents` lists them. */
  a2aSurfaces?: A2aSurface[];
  /**
   * The TLS entity the agent registered as (upstream's `entity_id`, from the client certificate
   * its registration was verified with). Such an agent serves TLS: the registry's proxy reaches it
   * over HTTPS. Set only by registration trust; absent for agents that registered without one.
   */
  entityId?: string;
}

/** Where an A2A skill of an agent is served, relative to the public URL prefix. */
export interface A2aSurface {
  path: string;
  skillId: string;
}

/** The stored agent: every field of registry-api.md §3.1, plus the current protocol's details. */
export interface AgentRecord {
  id: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createdAt: Micros;
  updatedAt: Micros;
  resourceVersion: string;
  endpoint: string;
  capabilities: CapabilityRecord[];
  dependencies: string[];
  status: AgentStatus;
  lastHeartbeat: Micros | null;
  healthInterval: number;
  timeoutThreshold: number;
  evictionThreshold: number;
  agentType: string;
  config: Record<string, unknown>;
  securityContext: string | null;
  protocol: AgentProtocol;
  current?: CurrentAgentDetails;
  /**
   * When this agent last changed in a way its consumers must re-resolve for: registered, tools or
   * endpoint changed, status changed, deregistered. Stores set it on every status change.
   */
  topologyAt: Micros;
}
