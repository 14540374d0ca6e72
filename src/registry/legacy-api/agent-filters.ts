import type { AgentRecord } from '../../mesh/agent.js';
import { isFuzzyMatch } from '../../mesh/matching/fuzzy-match.js';
import { matchesLabels, parseLabelSelector } from '../../mesh/matching/label-selector.js';
import { satisfiesLegacyConstraint } from '../../mesh/matching/legacy-version-constraint.js';
import { splitTagList } from '../../mesh/matching/tag-list.js';
import type { AgentsQuery } from './schemas/legacy-agents.js';

/** The query of `GET /agents` with the spec's defaults applied; also the cache key (§7). */
export interface AgentFilter {
  namespace: string | undefined;
  /**
   * The status asked for; without one, legacy agents are listed when healthy (the Python
   * registry's default, §4.5.1) and current-protocol agents whatever their status (the Go
   * registry's: `meshctl list --all` counts the unhealthy ones itself).
   */
  status: string | undefined;
  capability: string | undefined;
  capabilityCategory: string | undefined;
  capabilityStability: string | undefined;
  capabilityTags: string[] | undefined;
  labels: Map<string, string> | undefined;
  isFuzzy: boolean;
  versionConstraint: string | undefined;
}

const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/**
 * Applies defaults (empty strings mean "not given"; see {@link AgentFilter.status} for a missing
 * `status`).
 * Throws LabelSelectorError for a malformed selector.
 */
export function toAgentFilter(query: AgentsQuery): AgentFilter {
  const selector = given(query.label_selector);
  const tags = given(query.capability_tags);
  return {
    namespace: given(query.namespace),
    status: given(query.status),
    capability: given(query.capability),
    capabilityCategory: given(query.capability_category),
    capabilityStability: given(query.capability_stability),
    capabilityTags: tags === undefined ? undefined : splitTagList(tags),
    labels: selector === undefined ? undefined : parseLabelSelector(selector),
    isFuzzy: query.fuzzy_match ?? false,
    versionConstraint: given(query.version_constraint),
  };
}

export function agentFilterKey(filter: AgentFilter): string {
  return JSON.stringify([
    filter.namespace,
    filter.status,
    filter.capability,
    filter.capabilityCategory,
    filter.capabilityStability,
    filter.capabilityTags,
    filter.labels === undefined ? undefined : [...filter.labels],
    filter.isFuzzy,
    filter.versionConstraint,
  ]);
}

/** The filter pipeline of spec §4.5.2 for one agent. */
export function matchesAgentFilter(agent: AgentRecord, f: AgentFilter): boolean {
  if (f.status === undefined) {
    if (agent.protocol === 'legacy' && agent.status !== 'healthy') return false;
  } else if (agent.status !== f.status) {
    return false;
  }
  if (f.namespace !== undefined && agent.namespace !== f.namespace) return false;
  const caps = agent.capabilities;
  if (f.capability !== undefined) {
    const wanted = f.capability;
    // PRESERVE (§5.1): exact, case-sensitive here; fuzzy only when asked.
    const found = f.isFuzzy
      ? caps.some((c) => isFuzzyMatch(wanted, c.name))
      : caps.some((c) => c.name === wanted);
    if (!found) return false;
  }
  if (
    f.capabilityCategory !== undefined ||
    f.capabilityStability !== undefined ||
    f.capabilityTags !== undefined
  ) {
    const tags = f.capabilityTags;
    const one = caps.some(
      (c) =>
        (f.capabilityCategory === undefined || c.category === f.capabilityCategory) &&
        (f.capabilityStability === undefined || c.stability === f.capabilityStability) &&
        (tags === undefined || c.tags.some((t) => tags.includes(t))),
    );
    if (!one) return false;
  }
  if (f.versionConstraint !== undefined) {
    const constraint = f.versionConstraint;
    if (!caps.some((c) => satisfiesLegacyConstraint(c.version, constraint))) return false;
  }
  if (f.labels !== undefined && !matchesLabels(agent.labels, f.labels)) return false;
  return true;
}
