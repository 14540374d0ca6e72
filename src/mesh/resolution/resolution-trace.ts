/**
 * The audit of one dependency resolution, stage by stage, as the upstream Go registry records it
 * in its `dependency_resolved` / `dependency_unresolved` events (what `meshctl audit` shows):
 * health → capability_match → tags → version → schema → tiebreaker, each with the candidates it
 * kept and those it evicted (and why). It chooses the provider {@link resolveDependency} chooses
 * (a test holds the two to it); the fast path stays the single pass, and this runs only where an
 * audit is written. Pure: no I/O.
 */

import { createHash } from 'node:crypto';
import { type DependencySpec, type ProviderTool, sortKeysDeep } from './resolve-dependency.js';
import { schemaVerdict } from './schema-compatibility.js';
import { compareCodePoints, compareVersions, compileConstraint } from './semver-constraint.js';
import { scoreTags, type TagSpec } from './tag-match.js';

export type EvictionReason =
  | 'MissingTag'
  | 'ExtraTagDisallowed'
  | 'VersionConstraintFailed'
  | 'SchemaIncompatible'
  | 'Unhealthy'
  | 'Unavailable';

export interface AuditEvicted {
  id: string;
  reason: EvictionReason;
  details?: Record<string, unknown>;
}

export interface AuditStage {
  stage: 'health' | 'capability_match' | 'tags' | 'version' | 'schema' | 'tiebreaker';
  kept: string[];
  evicted?: AuditEvicted[];
  /** Tiebreaker only: `<agent_id>:<function_name>` of the winner. */
  chosen?: string;
  reason?: string;
}

/** The trace as its event's `data` holds it (keys in the upstream registry's order). */
export interface AuditTrace {
  consumer: string;
  dep_index: number;
  spec: { capability: string; tags?: string[]; version_constraint?: string; schema_mode: string };
  stages: AuditStage[];
  chosen?: { agent_id: string; endpoint: string; function_name: string };
  prior_chosen?: string;
}

export interface TraceOptions<T extends ProviderTool> {
  /** The status of an unhealthy provider's agent, for the health stage's details. */
  statusOf?: (tool: T) => string;
  /** Why a healthy provider is unavailable (a required dependency of its does not resolve). */
  unavailableReason?: (tool: T) => string | undefined;
}

function candidateId(tool: ProviderTool): string {
  return `${tool.agentId}:${tool.functionName}`;
}

/** Why tags rejected a provider, as upstream classifies it. */
function tagFailure(providerTags: readonly string[], spec: TagSpec): Omit<AuditEvicted, 'id'> {
  const missing: string[] = [];
  const groups: (readonly string[])[] = [];
  for (const entry of spec) {
    if (typeof entry !== 'string') {
      if (Array.isArray(entry)) groups.push(entry.filter((m): m is string => typeof m === 'string'));
      continue;
    }
    if (entry === '') continue;
    const name = entry.slice(1);
    if (entry[0] === '-') {
      if (name !== '' && providerTags.includes(name))
        return { reason: 'ExtraTagDisallowed', details: { disallowed: [name] } };
    } else if (entry[0] !== '+' && !providerTags.includes(entry)) {
      missing.push(entry);
    }
  }
  if (missing.length > 0) return { reason: 'MissingTag', details: { missing } };
  for (const group of groups) {
    let matched = false;
    for (const member of group) {
      if (member === '') continue;
      const name = member.slice(1);
      if (member[0] === '-') {
        if (name !== '' && providerTags.includes(name))
          return { reason: 'ExtraTagDisallowed', details: { disallowed: [name] } };
      } else if (providerTags.includes(member[0] === '+' ? name : member)) {
        matched = true;
      }
    }
    if (!matched) return { reason: 'MissingTag', details: { missing_one_of: [...group] } };
  }
  return { reason: 'MissingTag' };
}

function stage(
  name: AuditStage['stage'],
  kept: readonly ProviderTool[],
  evicted: AuditEvicted[],
): AuditStage {
  return { stage: name, kept: kept.map(candidateId), ...(evicted.length > 0 ? { evicted } : {}) };
}

/**
 * Traces the resolution of `dep` among `candidates` (the providers of its capability, in the
 * order the registry keeps them) for the consumer's function's dependency at `depIndex`. Answers
 * the trace (without `prior_chosen`) and the provider chosen, if any.
 */
export function traceResolution<T extends ProviderTool>(
  consumer: string,
  depIndex: number,
  dep: DependencySpec,
  candidates: Iterable<T>,
  options: TraceOptions<T> = {},
): { trace: AuditTrace; chosen: T | undefined } {
  const plainTags = (dep.tags ?? []).filter((tag): tag is string => typeof tag === 'string');
  const trace: AuditTrace = {
    consumer,
    dep_index: depIndex,
    spec: {
      capability: dep.capability,
      ...(plainTags.length > 0 ? { tags: plainTags } : {}),
      ...(dep.version ? { version_constraint: dep.version } : {}),
      schema_mode: dep.matchMode || 'none',
    },
    stages: [],
  };
  const done = () => ({ trace, chosen: undefined });

  const healthy: T[] = [];
  const unhealthy: AuditEvicted[] = [];
  for (const tool of candidates) {
    if (tool.capability !== dep.capability) continue;
    if (!tool.isHealthy) {
      const status = options.statusOf?.(tool) ?? 'unhealthy';
      unhealthy.push({ id: candidateId(tool), reason: 'Unhealthy', details: { status } });
      continue;
    }
    const unavailable = options.unavailableReason?.(tool);
    if (unavailable) {
      unhealthy.push({ id: candidateId(tool), reason: 'Unavailable', details: { reason: unavailable } });
      continue;
    }
    healthy.push(tool);
  }
  trace.stages.push(stage('health', healthy, unhealthy));
  if (healthy.length === 0) return done();
  trace.stages.push(stage('capability_match', healthy, []));

  const scored: { tool: T; score: number }[] = [];
  const tagEvicted: AuditEvicted[] = [];
  const hasTags = (dep.tags ?? []).length > 0;
  for (const tool of healthy) {
    const score = hasTags ? scoreTags(tool.tags, dep.tags) : 0;
    if (score === undefined)
      tagEvicted.push({ id: candidateId(tool), ...tagFailure(tool.tags, dep.tags ?? []) });
    else scored.push({ tool, score });
  }
  trace.stages.push(
    stage(
      'tags',
      scored.map((s) => s.tool),
      tagEvicted,
    ),
  );
  if (scored.length === 0) return done();

  const versionMatches = compileConstraint(dep.version ?? '');
  const versioned = scored.filter((s) => !dep.version || versionMatches(s.tool.version));
  const versionEvicted = scored
    .filter((s) => dep.version && !versionMatches(s.tool.version))
    .map(
      (s): AuditEvicted => ({
        id: candidateId(s.tool),
        reason: 'VersionConstraintFailed',
        details: { version: s.tool.version, constraint: dep.version },
      }),
    );
  trace.stages.push(
    stage(
      'version',
      versioned.map((s) => s.tool),
      versionEvicted,
    ),
  );
  if (versioned.length === 0) return done();

  const schemaKept: { tool: T; score: number }[] = [];
  const schemaEvicted: AuditEvicted[] = [];
  for (const entry of versioned) {
    const verdict = schemaVerdict(dep, entry.tool);
    if (verdict.compatible) schemaKept.push(entry);
    else
      schemaEvicted.push({
        id: candidateId(entry.tool),
        reason: 'SchemaIncompatible',
        details: verdict.eviction,
      });
  }
  trace.stages.push(
    stage(
      'schema',
      schemaKept.map((s) => s.tool),
      schemaEvicted,
    ),
  );
  if (schemaKept.length === 0) return done();

  // Tag score, then higher version, then smaller agent id; a stable sort keeps ties in order.
  const ranked = schemaKept
    .map((entry, position) => ({ ...entry, position }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        compareVersions(b.tool.version, a.tool.version) ||
        compareCodePoints(a.tool.agentId, b.tool.agentId) ||
        a.position - b.position,
    );
  const winner = ranked[0]!.tool;
  trace.stages.push({
    stage: 'tiebreaker',
    kept: ranked.map((r) => candidateId(r.tool)),
    chosen: candidateId(winner),
    reason: 'HighestScoreThenVersion',
  });
  trace.chosen = { agent_id: winner.agentId, endpoint: winner.endpoint, function_name: winner.functionName };
  return { trace, chosen: winner };
}

/** Whether the trace had a choice to make: some stage saw two candidates or more. */
function isInteresting(trace: AuditTrace): boolean {
  return trace.stages.some((s) => s.kept.length + (s.evicted?.length ?? 0) >= 2);
}

/**
 * The trace's identity for de-duplication: everything but `prior_chosen`, with tags, kept and
 * evicted lists sorted (their order carries no meaning).
 */
export function traceFingerprint(trace: AuditTrace): string {
  let fingerprint = fingerprints.get(trace);
  if (fingerprint === undefined) {
    fingerprint = fingerprintText(trace);
    fingerprints.set(trace, fingerprint);
  }
  return fingerprint;
}

/** Fingerprints by trace object: a trace is judged, then remembered by the same fingerprint. */
const fingerprints = new WeakMap<AuditTrace, string>();

/**
 * A digest, not the text: a trace among 1,000 providers is about 100 KB of JSON, and every
 * dependency position keeps its last fingerprint (resolution-audit.ts, up to 10,000 of them).
 */
function fingerprintText(trace: AuditTrace): string {
  const { prior_chosen: _prior, ...rest } = trace;
  return digest(
    JSON.stringify({
      ...rest,
      spec: {
        ...rest.spec,
        ...(rest.spec.tags ? { tags: [...rest.spec.tags].sort(compareCodePoints) } : {}),
      },
      stages: sortedStagesDigest(rest.stages),
    }),
  );
}

const digest = (text: string): string => createHash('sha256').update(text).digest('base64');

/**
 * The sorted stages' digest, by stages array: traces shared by many positions (the topology gives
 * them one stages array) are sorted, written and digested once, not once per position.
 */
const stagesDigests = new WeakMap<readonly AuditStage[], string>();

function sortedStagesDigest(stages: readonly AuditStage[]): string {
  let known = stagesDigests.get(stages);
  if (known === undefined) {
    known = digest(
      JSON.stringify(
        stages.map((s) => ({
          ...s,
          kept: [...s.kept].sort(compareCodePoints),
          ...(s.evicted ? { evicted: [...s.evicted].sort((a, b) => compareCodePoints(a.id, b.id)) } : {}),
        })),
      ),
    );
    stagesDigests.set(stages, known);
  }
  return known;
}

/** Stands for the stages while the rest is written; no trace holds this text. */
const STAGES_PLACEHOLDER = `stages-${Math.random().toString(36).slice(2)}-${Date.now()}`;

/**
 * The trace as its event's `data` is stored: Go's key order at every level (as `sortedData`
 * gives), arrays in their order. The stages, shared by every position the topology gave the same
 * trace, are written once: a dependency with a thousand providers has a thousand evictions.
 */
export function auditEventText(data: AuditTrace): string {
  const stagesText = storedStagesText(data.stages);
  const text = JSON.stringify(sortKeysDeep({ ...data, stages: STAGES_PLACEHOLDER }));
  return text.replace(`"${STAGES_PLACEHOLDER}"`, () => stagesText);
}

/** The stages' stored text (Go's key order, arrays unsorted), by stages array. */
const goStagesTexts = new WeakMap<readonly AuditStage[], string>();

function storedStagesText(stages: readonly AuditStage[]): string {
  let text = goStagesTexts.get(stages);
  if (text === undefined) {
    text = JSON.stringify(sortKeysDeep(stages));
    goStagesTexts.set(stages, text);
  }
  return text;
}

/**
 * The texts a trace's judgment and event need, computed one at a time (each remembered by its
 * stages array): a caller that slices its work runs the next step in another turn when the last
 * one took long. With 1,000 providers each step takes a few milliseconds the first time.
 */
export const TRACE_TEXT_STEPS: readonly ((trace: AuditTrace) => unknown)[] = [
  traceFingerprint,
  (trace) => storedStagesText(trace.stages),
];

/** What the log already says about one dependency position (its latest events). */
export interface AuditHistory {
  /** The provider of its latest `dependency_resolved` event ('' when none). */
  priorChosen: string;
  /** Its latest event of either kind, if any. */
  last?: { type: 'dependency_resolved' | 'dependency_unresolved'; fingerprint: string } | undefined;
}

/**
 * Whether a new trace is worth an event, as upstream decides: an unresolved dependency when there
 * was a choice, an eviction or a provider before; a resolved one when there was a choice, the
 * provider changed or it was unresolved before; never the same trace twice in a row.
 */
export function auditEventFor(
  trace: AuditTrace,
  history: AuditHistory,
): { type: 'dependency_resolved' | 'dependency_unresolved'; data: AuditTrace } | undefined {
  const data: AuditTrace = {
    ...trace,
    ...(history.priorChosen ? { prior_chosen: history.priorChosen } : {}),
  };
  let type: 'dependency_resolved' | 'dependency_unresolved';
  if (trace.chosen === undefined) {
    type = 'dependency_unresolved';
    const hasEvictions = trace.stages.some((s) => (s.evicted?.length ?? 0) > 0);
    if (!isInteresting(trace) && !hasEvictions && history.priorChosen === '') return undefined;
  } else {
    type = 'dependency_resolved';
    const flipped = history.priorChosen !== '' && history.priorChosen !== trace.chosen.agent_id;
    const wasUnresolved = history.last?.type === 'dependency_unresolved';
    if (!isInteresting(trace) && !flipped && !wasUnresolved) return undefined;
  }
  if (history.last !== undefined && history.last.fingerprint === traceFingerprint(trace)) return undefined;
  return { type, data };
}
