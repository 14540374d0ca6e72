/**
 * The LLM provider of an `@mesh.llm` function that delegates to the mesh (`llm_providers` of the
 * heartbeat answer), chosen by its `llm_provider` spec with the rules of the upstream Go registry
 * 3.7.1:
 *
 * - `capability` must be a non-empty string, else the function gets no provider;
 * - candidates: the tools of that capability with an input schema, of healthy agents, in the
 *   registry's write order (see llm-tool-filter.ts); the consumer's own tools are not left out and
 *   `namespace` is ignored, as upstream;
 * - a non-empty `version` keeps those that satisfy it;
 * - with tags (strings, at least one), those that pass them, ordered by tag score, then higher
 *   version (valid semver above invalid), then smaller agent id; the first wins. Without tags, the
 *   first candidate wins.
 *
 * Pure: no I/O.
 */

import type { LlmToolCandidate } from './llm-tool-filter.js';
import { isOffered, llmEndpoint, requestedTags } from './llm-tool-filter.js';
import { sortKeysDeep } from './resolve-dependency.js';
import { compareCodePoints, compareVersions, compileConstraint } from './semver-constraint.js';
import { scoreTags } from './tag-match.js';

/** What a function asks for (the stored `llm_provider`). */
export interface LlmProviderSpec {
  capability?: string | null;
  namespace?: string | null;
  tags?: readonly string[] | null;
  version?: string | null;
}

/** One entry of `llm_providers`, keys in the Go registry's order. */
export interface LlmProviderEntry {
  readonly agent_id: string;
  readonly capability: string;
  readonly endpoint: string;
  /** The provider tool's kwargs (keys sorted at every level); absent when it has none. */
  readonly kwargs?: Record<string, unknown>;
  readonly name: string;
  readonly status: 'available';
  /** Absent when the provider tool has no tags. */
  readonly tags?: string[];
  /** `kwargs.vendor` when it is a string, else `"unknown"`. */
  readonly vendor: string;
  /** Absent when empty. */
  readonly version?: string;
}

/**
 * Chooses the provider for a spec among `candidates` (the pool's tools of the spec's capability,
 * in write order), or undefined when none qualifies.
 */
export function selectLlmProvider(
  spec: LlmProviderSpec,
  candidates: readonly LlmToolCandidate[],
): LlmToolCandidate | undefined {
  const capability = spec.capability;
  if (typeof capability !== 'string' || capability === '') return undefined;
  let tools = candidates.filter((tool) => tool.capability === capability && isOffered(tool));
  if (typeof spec.version === 'string' && spec.version !== '') {
    const matches = compileConstraint(spec.version);
    tools = tools.filter((tool) => matches(tool.version));
  }
  const tags = requestedTags(spec.tags);
  if (tags === undefined) return tools[0];
  const scored: { tool: LlmToolCandidate; score: number }[] = [];
  for (const tool of tools) {
    const score = scoreTags(tool.tags, tags);
    if (score !== undefined) scored.push({ tool, score });
  }
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      compareVersions(b.tool.version, a.tool.version) ||
      compareCodePoints(a.tool.agentId, b.tool.agentId),
  );
  return scored[0]?.tool;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `llm_providers` entry for a chosen provider tool. */
export function toLlmProviderEntry(tool: LlmToolCandidate): LlmProviderEntry {
  const kwargs = isPlainObject(tool.kwargs) ? tool.kwargs : {};
  const vendor = typeof kwargs.vendor === 'string' ? kwargs.vendor : 'unknown';
  return {
    agent_id: tool.agentId,
    capability: tool.capability,
    endpoint: llmEndpoint(tool.agentId, tool.httpHost, tool.httpPort, true, tool.isTls),
    ...(Object.keys(kwargs).length === 0 ? {} : { kwargs: sortKeysDeep(kwargs) as Record<string, unknown> }),
    name: tool.functionName,
    status: 'available',
    ...(tool.tags.length === 0 ? {} : { tags: [...tool.tags] }),
    vendor,
    ...(tool.version === '' ? {} : { version: tool.version }),
  };
}
