import type { AgentRecord, CapabilityRecord } from '../../mesh/agent.js';
import { isFuzzyMatch } from '../../mesh/matching/fuzzy-match.js';
import { satisfiesLegacyConstraint } from '../../mesh/matching/legacy-version-constraint.js';
import { splitTagList } from '../../mesh/matching/tag-list.js';
import { RequestValidationError, valueError } from '../http/validation/request-validation-error.js';
import { isValidStability, LEGACY_MESSAGES } from './legacy-rules.js';
import type { CapabilitiesQuery } from './schemas/legacy-agents.js';

/** Search mode of `GET /capabilities` with defaults applied (spec §4.6.1); also the cache key. */
export interface CapabilitySearch {
  name: string | undefined;
  descriptionContains: string | undefined;
  category: string | undefined;
  tags: string[] | undefined;
  stability: string | undefined;
  versionConstraint: string | undefined;
  isFuzzy: boolean;
  includeDeprecated: boolean;
  agentNamespace: string | undefined;
  agentStatus: string | undefined;
}

const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** Applies defaults; an unknown `stability` answers 422 (decision for §13.3, was a 500). */
export function toCapabilitySearch(query: CapabilitiesQuery): CapabilitySearch {
  const stability = given(query.stability);
  if (stability !== undefined && !isValidStability(stability)) {
    throw new RequestValidationError([
      valueError(['query', 'stability'], LEGACY_MESSAGES.stability, stability),
    ]);
  }
  const tags = query.tags;
  return {
    name: given(query.name),
    descriptionContains: given(query.description_contains),
    category: given(query.category),
    tags: tags === undefined || tags === '' ? undefined : splitTagList(tags),
    stability,
    versionConstraint: given(query.version_constraint),
    isFuzzy: query.fuzzy_match ?? false,
    includeDeprecated: query.include_deprecated ?? false,
    agentNamespace: given(query.agent_namespace),
    // PRESERVE (§4.6.1): absent means healthy, an explicitly empty value means any status.
    agentStatus: query.agent_status === undefined ? 'healthy' : given(query.agent_status),
  };
}

export function capabilitySearchKey(search: CapabilitySearch): string {
  return JSON.stringify(Object.values(search));
}

export function agentMatchesSearch(agent: AgentRecord, s: CapabilitySearch): boolean {
  return (
    (s.agentStatus === undefined || agent.status === s.agentStatus) &&
    (s.agentNamespace === undefined || agent.namespace === s.agentNamespace)
  );
}

/** The capability rules of spec §4.6.3. */
export function capabilityMatchesSearch(cap: CapabilityRecord, s: CapabilitySearch): boolean {
  if (cap.stability === 'deprecated' && !s.includeDeprecated) return false;
  if (s.name !== undefined) {
    const isMatch = s.isFuzzy
      ? isFuzzyMatch(s.name, cap.name)
      : cap.name.toLowerCase().includes(s.name.toLowerCase());
    if (!isMatch) return false;
  }
  // PRESERVE (§4.6.1): capabilities without a description always pass this filter.
  if (s.descriptionContains !== undefined && cap.description) {
    if (!cap.description.toLowerCase().includes(s.descriptionContains.toLowerCase())) return false;
  }
  if (s.category !== undefined && cap.category !== s.category) return false;
  if (s.stability !== undefined && cap.stability !== s.stability) return false;
  if (s.tags !== undefined) {
    const tags = s.tags;
    if (!cap.tags.some((t) => tags.includes(t))) return false;
  }
  if (s.versionConstraint !== undefined && !satisfiesLegacyConstraint(cap.version, s.versionConstraint))
    return false;
  return true;
}
