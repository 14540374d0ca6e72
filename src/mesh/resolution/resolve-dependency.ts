/**
 * Dependency resolution (spec registry-api-current.md §3) and the wire shape of its result (§2),
 * as the upstream Go registry does them:
 *
 * 1. capability equal (exact, case-sensitive);
 * 2. provider agent healthy and, when the caller asks, available (availability.ts: its required
 *    dependencies resolve, transitively);
 * 3. tags (see tag-match.ts), which also give the score;
 * 4. version constraint (see semver-constraint.ts);
 * 5. the schema stage, for a dependency with a `matchMode` (schema-compatibility.ts): the
 *    provider's published output schema must satisfy the one the consumer expects;
 * 6. choice: highest tag score, then highest version (valid semver above invalid), then smallest
 *    `agent_id`; two functions of one agent that tie on all three keep their candidate order.
 *
 * Upstream facts worth knowing (read from its resolver): the dependency's `namespace` is parsed
 * but never used to filter providers, and the consumer's own agent is not excluded (an agent may
 * satisfy its own dependency). Both are the defaults here; {@link ResolveOptions} can turn on
 * either filter. Pure: no I/O.
 */

import {
  hasSchemaStage,
  type PublishedOutputSchema,
  type SchemaExpectation,
  schemaVerdict,
} from './schema-compatibility.js';
import { compareCodePoints, compareVersions, compileConstraint } from './semver-constraint.js';
import { scoreTags, type TagSpec } from './tag-match.js';

/** One tool (function) of a registered agent, as a candidate provider. */
export interface ProviderTool extends PublishedOutputSchema {
  agentId: string;
  agentName?: string;
  namespace: string;
  isHealthy: boolean;
  /** `http://<host>:<port>`, or `stdio://<agent_id>` when the agent has no port. */
  endpoint: string;
  functionName: string;
  capability: string;
  version: string;
  tags: readonly string[];
  kwargs: Record<string, unknown>;
}

/** One declared dependency of a consumer's tool (with the schema stage's expectation, if any). */
export interface DependencySpec extends SchemaExpectation {
  capability: string;
  tags?: TagSpec;
  version?: string;
  namespace?: string;
}

/** Filters beyond capability, health, tags and version. */
export interface ResolveOptions<T extends ProviderTool = ProviderTool> {
  /** Only providers whose agent namespace equals the dependency's (when it names one); upstream: off. */
  readonly matchNamespace?: boolean;
  /** Never resolve to a tool of the consumer's own agent; upstream: off. */
  readonly excludeConsumer?: boolean;
  /**
   * Whether a healthy provider that matches is available (its required dependencies resolve,
   * see availability.ts); asked last, so only of the providers that pass every other stage.
   */
  readonly isAvailable?: (tool: T) => boolean;
}

/** Whether `tool` (with tag score `score`) ranks above the current `best`. */
function outranks(score: number, tool: ProviderTool, bestScore: number, best: ProviderTool): boolean {
  if (score !== bestScore) return score > bestScore;
  const byVersion = compareVersions(tool.version, best.version);
  if (byVersion !== 0) return byVersion > 0;
  return compareCodePoints(tool.agentId, best.agentId) < 0;
}

/**
 * Picks the provider for one dependency among `candidates` (typically
 * `CapabilityIndex.candidates(dep.capability)`), or undefined when none qualifies. One pass, no
 * sorting; the answer does not depend on the order of candidates from different agents.
 */
export function resolveDependency<T extends ProviderTool>(
  dep: DependencySpec,
  candidates: Iterable<T>,
  consumerAgentId: string,
  options: ResolveOptions<T> = {},
): T | undefined {
  if (dep.capability === '') return undefined;
  const versionMatches = compileConstraint(dep.version ?? '');
  const hasSchema = hasSchemaStage(dep);
  const namespace = options.matchNamespace === true && dep.namespace ? dep.namespace : undefined;
  const excluded = options.excludeConsumer === true ? consumerAgentId : undefined;
  let best: T | undefined;
  let bestScore = 0;
  for (const tool of candidates) {
    if (tool.capability !== dep.capability || !tool.isHealthy) continue;
    if (tool.agentId === excluded || (namespace !== undefined && tool.namespace !== namespace)) continue;
    const score = scoreTags(tool.tags, dep.tags);
    if (score === undefined || !versionMatches(tool.version)) continue;
    if (hasSchema && !schemaVerdict(dep, tool).compatible) continue;
    if (options.isAvailable !== undefined && !options.isAvailable(tool)) continue;
    if (best === undefined || outranks(score, tool, bestScore, best)) {
      best = tool;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Resolves one position of a tool's `dependencies` array that holds OR alternatives (an array of
 * specs, upstream's form): the first alternative that resolves wins. When none does, the result
 * carries the first alternative (or an empty capability when there is none), whose capability the
 * unresolved wire entry names.
 */
export function resolveAlternatives(
  alternatives: readonly DependencySpec[],
  candidatesFor: (capability: string) => Iterable<ProviderTool>,
  consumerAgentId: string,
  options: ResolveOptions = {},
): { spec: DependencySpec; tool: ProviderTool | undefined } {
  for (const spec of alternatives) {
    const tool = resolveDependency(spec, candidatesFor(spec.capability), consumerAgentId, options);
    if (tool !== undefined) return { spec, tool };
  }
  return { spec: alternatives[0] ?? { capability: '' }, tool: undefined };
}

/** A resolved entry of `dependencies_resolved`, keys in the Go registry's order. */
export interface AvailableResolution {
  readonly agent_id: string;
  readonly capability: string;
  readonly endpoint: string;
  readonly function_name: string;
  /** The provider's kwargs, keys sorted at every level; absent when the provider has none. */
  readonly kwargs?: Record<string, unknown>;
  readonly status: 'available';
}

/** The entry for a dependency nobody provides (keeps the position in the array). */
export interface UnresolvedResolution {
  readonly agent_id: '';
  readonly capability: string;
  readonly endpoint: '';
  readonly function_name: '';
  readonly status: 'unresolved';
}

export type DependencyResolution = AvailableResolution | UnresolvedResolution;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy with object keys in Go's JSON order (byte order of the key) at every level. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isPlainObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareCodePoints)) {
    // defineProperty only for a `__proto__` key, so that it stays an own property: on every key it
    // would turn the object into a slow dictionary (an audit event's thousand evictions took 5 ms).
    if (key === '__proto__') {
      Object.defineProperty(sorted, key, {
        value: sortKeysDeep(value[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else sorted[key] = sortKeysDeep(value[key]);
  }
  return sorted;
}

/**
 * The exact `dependencies_resolved` entry for a resolution, with its keys in the order the Go
 * registry writes them, so `JSON.stringify` reproduces its bytes (see the SDK 3.8.0 fixture):
 * `{agent_id, capability, endpoint, function_name, kwargs, status:"available"}`, kwargs left out
 * when empty (Go's `omitempty`), or `{agent_id:"", capability, endpoint:"", function_name:"",
 * status:"unresolved"}` without kwargs. Caveat: JavaScript enumerates integer-like keys
 * (`"9"`, `"10"`) numerically before other keys, so such kwargs keys cannot follow Go's order.
 */
export function toResolution(tool: ProviderTool | undefined, dep: DependencySpec): DependencyResolution {
  if (tool === undefined) {
    return {
      agent_id: '',
      capability: dep.capability,
      endpoint: '',
      function_name: '',
      status: 'unresolved',
    };
  }
  const base = { agent_id: tool.agentId, capability: tool.capability, endpoint: tool.endpoint };
  if (!isPlainObject(tool.kwargs) || Object.keys(tool.kwargs).length === 0) {
    return { ...base, function_name: tool.functionName, status: 'available' };
  }
  const kwargs = sortKeysDeep(tool.kwargs) as Record<string, unknown>;
  return { ...base, function_name: tool.functionName, kwargs, status: 'available' };
}
