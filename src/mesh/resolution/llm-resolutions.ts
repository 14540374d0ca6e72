/**
 * What `GET /agents` lists of an `@mesh.llm` agent's wiring: `llm_tool_resolutions` (one entry
 * per element of each `llm_filter`'s `filter` and tool it matched) and `llm_provider_resolutions`
 * (one per `llm_provider`), built from the same choices as the heartbeat answer's `llm_tools` and
 * `llm_providers` (llm-tool-filter.ts, llm-provider.ts), with the rules by which the upstream Go
 * registry 3.7.1 stores its resolution rows:
 *
 * - a filter element is a capability name (a string) or an object's `capability` (a string, else
 *   `""`) and `tags` (its strings); an element with neither is skipped;
 * - an element's matches are the function's `llm_tools` of that capability (all of them for an
 *   element with tags only), each one `available` entry; none, or no `llm_tools` entry for the
 *   function at all, gives one `unresolved` entry. So `"*"` matches only tools whose capability
 *   is `"*"`, and `filter_mode` (a string, else `"all"`) is only repeated in the entries;
 * - an `llm_provider` with a non-empty string `capability` gives one entry, `available` with the
 *   function's `llm_providers` choice, else `unresolved`;
 * - entries are listed `available` ones first, each group in the order above (Go's rows come
 *   back by its (consumer, status) index; its third status, `unavailable`, marks rows whose
 *   provider went away after the consumer's last full heartbeat, which live choices never have).
 *
 * Pure: no I/O.
 */

import type { LlmProviderSpec } from './llm-provider.js';
import { type LlmToolCandidate, llmEndpoint } from './llm-tool-filter.js';

type ResolutionStatus = 'available' | 'unresolved';

/** One entry of `llm_tool_resolutions`, keys in the Go registry's order. */
export interface LlmToolResolution {
  readonly endpoint?: string;
  readonly filter_capability: string;
  readonly filter_mode: string;
  readonly filter_tags?: string[];
  readonly function_name: string;
  readonly mcp_tool?: string;
  readonly provider_agent_id?: string;
  readonly provider_capability?: string;
  readonly status: ResolutionStatus;
}

/** One entry of `llm_provider_resolutions`, keys in the Go registry's order. */
export interface LlmProviderResolution {
  readonly endpoint?: string;
  readonly function_name: string;
  readonly mcp_tool?: string;
  readonly provider_agent_id?: string;
  readonly required_capability: string;
  readonly required_tags?: string[];
  readonly status: ResolutionStatus;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string members of `value` when it is an array, else none (Go's getStringSlice). */
function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** What one `filter` element asks for, or undefined when it asks for nothing. */
function filterElement(element: unknown): { capability: string; tags: string[] } | undefined {
  let capability = '';
  let tags: string[] = [];
  if (typeof element === 'string') capability = element;
  else if (isPlainObject(element)) {
    if (typeof element.capability === 'string') capability = element.capability;
    tags = stringsOf(element.tags);
  }
  return capability === '' && tags.length === 0 ? undefined : { capability, tags };
}

/** Available entries first, each group keeping its order. */
function availableFirst<T extends { status: ResolutionStatus }>(entries: T[]): T[] {
  return [
    ...entries.filter((entry) => entry.status === 'available'),
    ...entries.filter((entry) => entry.status !== 'available'),
  ];
}

/** The `llm_filter` of one of an agent's functions, and the function's `llm_tools` (if any). */
export interface LlmFilterWiring {
  functionName: string;
  llmFilter: unknown;
  selected: readonly LlmToolCandidate[] | undefined;
}

/** `llm_tool_resolutions` for an agent's functions with `llm_filter`, in the agent's tool order. */
export function llmToolResolutions(wirings: readonly LlmFilterWiring[]): LlmToolResolution[] {
  const entries: LlmToolResolution[] = [];
  for (const { functionName, llmFilter, selected } of wirings) {
    if (!isPlainObject(llmFilter) || !Array.isArray(llmFilter.filter)) continue;
    const mode = typeof llmFilter.filter_mode === 'string' ? llmFilter.filter_mode : 'all';
    for (const element of llmFilter.filter) {
      const asked = filterElement(element);
      if (asked === undefined) continue;
      const head = {
        filter_capability: asked.capability,
        filter_mode: mode,
        ...(asked.tags.length === 0 ? {} : { filter_tags: asked.tags }),
        function_name: functionName,
      };
      const matches = (selected ?? []).filter(
        (tool) => asked.capability === '' || tool.capability === asked.capability,
      );
      if (matches.length === 0) entries.push({ ...head, status: 'unresolved' });
      for (const tool of matches) {
        entries.push({
          endpoint: llmEndpoint(tool.agentId, tool.httpHost, tool.httpPort, false, tool.isTls),
          ...head,
          mcp_tool: tool.functionName,
          provider_agent_id: tool.agentId,
          provider_capability: tool.capability,
          status: 'available',
        });
      }
    }
  }
  return availableFirst(entries);
}

/** The `llm_provider` of one of an agent's functions, and the function's `llm_providers` choice. */
export interface LlmProviderWiring {
  functionName: string;
  spec: LlmProviderSpec;
  chosen: LlmToolCandidate | undefined;
}

/** `llm_provider_resolutions` for an agent's functions with `llm_provider`, in its tool order. */
export function llmProviderResolutions(wirings: readonly LlmProviderWiring[]): LlmProviderResolution[] {
  const entries: LlmProviderResolution[] = [];
  for (const { functionName, spec, chosen } of wirings) {
    const capability = spec.capability;
    if (typeof capability !== 'string' || capability === '') continue;
    const tags = stringsOf(spec.tags);
    const required = {
      required_capability: capability,
      ...(tags.length === 0 ? {} : { required_tags: tags }),
    };
    entries.push(
      chosen === undefined
        ? { function_name: functionName, ...required, status: 'unresolved' }
        : {
            endpoint: llmEndpoint(chosen.agentId, chosen.httpHost, chosen.httpPort, true, chosen.isTls),
            function_name: functionName,
            mcp_tool: chosen.functionName,
            provider_agent_id: chosen.agentId,
            ...required,
            status: 'available',
          },
    );
  }
  return availableFirst(entries);
}
