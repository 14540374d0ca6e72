/**
 * The tools an `@mesh.llm` function gets (`llm_tools` of the heartbeat answer), chosen by its
 * `llm_filter` with the rules of the upstream Go registry 3.7.1:
 *
 * - the pool is every tool that has an input schema (an object) of a healthy agent, in the order
 *   the registry wrote them (agent by agent, the most recent full heartbeat last);
 * - `llm_filter` is an object with an array `filter`; without it the function gets no entry;
 * - `filter_mode` `"*"`: the whole pool except the consumer's own tools (the only place they are
 *   left out); otherwise each element of `filter` in turn: `"*"` is the whole pool, another
 *   string is the tools of that capability, an object narrows the pool by `capability` (a
 *   string), then by `tags` (strings only; sorted by tag score, highest first), then by
 *   `version` (a constraint); anything else gives the function no entry;
 * - one tool per function name (the first wins): LLM APIs want unique tool names;
 * - `best_match` then keeps one tool per capability: the higher version (both valid semver),
 *   else the one with more tags. Groups come in the order their capability first appears
 *   (upstream's order is a Go map's: unspecified).
 *
 * Pure: no I/O.
 */

import type { ProviderTool } from './resolve-dependency.js';
import { sortKeysDeep } from './resolve-dependency.js';
import { compareSemVer, compileConstraint, parseVersion } from './semver-constraint.js';
import { scoreTags } from './tag-match.js';

/** A tool an LLM may be given: a provider tool with what the LLM needs to call it. */
export interface LlmToolCandidate extends ProviderTool {
  description: string;
  /** The tool's JSON schema; tools without one are never given to an LLM. */
  inputSchema: Record<string, unknown> | undefined;
  /** The agent's HTTP host and port, from which {@link llmEndpoint} builds where to call it. */
  httpHost: string;
  httpPort: number;
  /** The agent registered with a TLS entity: it serves HTTPS. */
  isTls?: boolean;
}

/**
 * The tools to choose from, in the registry's write order. Only those {@link isOffered} count;
 * a pool may hold others.
 */
export interface LlmToolPool {
  /** Every tool. */
  all(): readonly LlmToolCandidate[];
  /** Those of one capability (exact name). */
  of(capability: string): readonly LlmToolCandidate[];
}

/** Whether an LLM may be given the tool: its agent is healthy and it has an input schema. */
export function isOffered(tool: LlmToolCandidate): boolean {
  return tool.isHealthy && tool.inputSchema !== undefined;
}

/** A pool over tools already in write order. */
export function poolOf(tools: readonly LlmToolCandidate[]): LlmToolPool {
  return {
    all: () => tools,
    of: (capability) => tools.filter((tool) => tool.capability === capability),
  };
}

/** One entry of `llm_tools[function]`, keys in the Go registry's order. */
export interface LlmToolEntry {
  readonly capability: string;
  readonly description: string;
  readonly endpoint: string;
  readonly inputSchema: Record<string, unknown>;
  readonly name: string;
  readonly tags: string[];
  readonly version: string;
}

/**
 * The endpoint the Go registry gives LLM tools and providers: `stdio://<agent>` without a port,
 * else `http://<host>:<port>` with an empty or `0.0.0.0` host read as `localhost`. `forProvider`
 * selects the provider variant of the scheme stripping (upstream has two): the tools' strips a
 * leading `http://` or `https://` whatever follows, the provider's only when something follows.
 * `https://` for an agent with a TLS entity (`isTls`), as upstream.
 */
export function llmEndpoint(
  agentId: string,
  host: string,
  port: number,
  forProvider = false,
  isTls = false,
): string {
  if (port === 0) return `stdio://${agentId}`;
  let name = host === '' || host === '0.0.0.0' ? 'localhost' : host;
  if (forProvider) {
    if (name.length > 7 && name.startsWith('http://')) name = name.slice(7);
    if (name.length > 8 && name.startsWith('https://')) name = name.slice(8);
  } else {
    if (name.startsWith('http://')) name = name.slice(7);
    if (name.startsWith('https://')) name = name.slice(8);
  }
  return `${isTls ? 'https' : 'http'}://${name}:${port}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string members of a `tags` value, or undefined when it does not filter (not an array, or empty). */
export function requestedTags(tags: unknown): string[] | undefined {
  if (!Array.isArray(tags)) return undefined;
  const strings = tags.filter((t): t is string => typeof t === 'string');
  return strings.length === 0 ? undefined : strings;
}

/** The tools that pass the tags, highest tag score first (ties keep their order). */
function byTags(tools: readonly LlmToolCandidate[], tags: readonly string[]): LlmToolCandidate[] {
  const scored: { tool: LlmToolCandidate; score: number }[] = [];
  for (const tool of tools) {
    const score = scoreTags(tool.tags, tags);
    if (score !== undefined) scored.push({ tool, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.tool);
}

/** The matches of one element of `filter`, or undefined for an element of no known form. */
function matchElement(element: unknown, pool: LlmToolPool): readonly LlmToolCandidate[] | undefined {
  if (typeof element === 'string') {
    return (element === '*' ? pool.all() : pool.of(element)).filter(isOffered);
  }
  if (!isPlainObject(element)) return undefined;
  const capability = element.capability;
  let tools = (typeof capability === 'string' ? pool.of(capability) : pool.all()).filter(isOffered);
  if (Object.hasOwn(element, 'tags')) {
    const tags = requestedTags(element.tags);
    if (tags !== undefined) tools = byTags(tools, tags);
  }
  const version = element.version;
  if (typeof version === 'string') {
    const matches = compileConstraint(version);
    tools = tools.filter((tool) => matches(tool.version));
  }
  return tools;
}

/** The first tool of each function name, in order. */
function uniqueByFunctionName(tools: Iterable<LlmToolCandidate>): LlmToolCandidate[] {
  const seen = new Set<string>();
  const unique: LlmToolCandidate[] = [];
  for (const tool of tools) {
    if (seen.has(tool.functionName)) continue;
    seen.add(tool.functionName);
    unique.push(tool);
  }
  return unique;
}

/** Whether `a` beats `b` in `best_match`: higher version when both parse, else more tags. */
function isBetter(a: LlmToolCandidate, b: LlmToolCandidate): boolean {
  const va = parseVersion(a.version);
  const vb = parseVersion(b.version);
  if (va !== undefined && vb !== undefined) {
    const order = compareSemVer(va, vb);
    if (order !== 0) return order > 0;
  }
  return a.tags.length > b.tags.length;
}

/** One tool per capability, in the order each capability first appears. */
function bestPerCapability(tools: readonly LlmToolCandidate[]): LlmToolCandidate[] {
  const best = new Map<string, LlmToolCandidate>();
  for (const tool of tools) {
    const current = best.get(tool.capability);
    if (current === undefined || isBetter(tool, current)) best.set(tool.capability, tool);
  }
  return [...best.values()];
}

/** A tool as `llm_tools` lists it (its input schema's keys in Go's order). */
export function toLlmToolEntry(
  tool: LlmToolCandidate & { inputSchema: Record<string, unknown> },
): LlmToolEntry {
  return {
    capability: tool.capability,
    description: tool.description,
    endpoint: llmEndpoint(tool.agentId, tool.httpHost, tool.httpPort, false, tool.isTls),
    inputSchema: sortKeysDeep(tool.inputSchema) as Record<string, unknown>,
    name: tool.functionName,
    tags: [...tool.tags],
    version: tool.version,
  };
}

/** The tools as `llm_tools[function]` lists them (those with an input schema). */
export function llmToolEntries(tools: readonly LlmToolCandidate[]): LlmToolEntry[] {
  const listed: LlmToolEntry[] = [];
  for (const tool of tools) {
    const { inputSchema } = tool;
    if (inputSchema !== undefined) listed.push(toLlmToolEntry({ ...tool, inputSchema }));
  }
  return listed;
}

/**
 * The tools for one function's `llm_filter` (as the agent sent it), in the order `llm_tools`
 * lists them, or undefined when the function gets no `llm_tools` entry: no object with an array
 * `filter`, or an element of `filter` that is neither a string nor an object.
 */
export function selectLlmToolCandidates(
  llmFilter: unknown,
  pool: LlmToolPool,
  consumerAgentId: string,
): LlmToolCandidate[] | undefined {
  if (!isPlainObject(llmFilter)) return undefined;
  const filter = llmFilter.filter;
  if (!Array.isArray(filter)) return undefined;
  const mode = typeof llmFilter.filter_mode === 'string' ? llmFilter.filter_mode : 'all';
  if (mode === '*') {
    return uniqueByFunctionName(
      pool.all().filter((tool) => isOffered(tool) && tool.agentId !== consumerAgentId),
    );
  }
  const matched: LlmToolCandidate[] = [];
  for (const element of filter) {
    const tools = matchElement(element, pool);
    if (tools === undefined) return undefined;
    matched.push(...tools);
  }
  const unique = uniqueByFunctionName(matched);
  return mode === 'best_match' ? bestPerCapability(unique) : unique;
}

/** {@link selectLlmToolCandidates} as `llm_tools[function]` lists them. */
export function selectLlmTools(
  llmFilter: unknown,
  pool: LlmToolPool,
  consumerAgentId: string,
): LlmToolEntry[] | undefined {
  const selected = selectLlmToolCandidates(llmFilter, pool, consumerAgentId);
  return selected === undefined ? undefined : llmToolEntries(selected);
}
