/**
 * Whether a provider is available, as the upstream Go registry decides it: a tool is available
 * when its agent is healthy and every one of its `required` dependencies resolves to an available
 * provider (the same matching as any resolution: capability, tags, version). The rule applies
 * transitively, so a provider whose required chain breaks anywhere is unavailable, and an
 * unavailable provider is never picked, exactly like an unhealthy one. Optional dependencies
 * never matter.
 *
 * Upstream keys a verdict by agent and capability, so when an agent has several tools with one
 * capability, the first of them (in declaration order) decides for all: the caller gives each
 * tool the required dependencies of that first tool ({@link AvailabilityTool}).
 *
 * Verdicts are remembered until {@link ProviderAvailability.clear} (the caller clears them when
 * the providers it knows change), so a heartbeat only pays for the chains it has not seen yet. A
 * required cycle (refused at registration, see required-cycle.ts, but possible in older data)
 * fails closed: the tool met again on its own chain is unavailable. Pure: no I/O.
 */

import { type DependencySpec, type ProviderTool, resolveDependency } from './resolve-dependency.js';
import { compileConstraint } from './semver-constraint.js';
import { scoreTags } from './tag-match.js';

export interface AvailabilityTool extends ProviderTool {
  /** The required dependencies of the agent's first tool with this tool's capability. */
  readonly requiredDependencies: readonly DependencySpec[];
}

/** The required ones of a tool's dependencies, in declaration order. */
export function requiredDependenciesOf<D extends DependencySpec & { required?: boolean | undefined }>(
  dependencies: readonly D[] | undefined,
): D[] {
  return (dependencies ?? []).filter((dep) => dep.required === true);
}

/** Go's `fmt` text of a string slice: `[a b c]`. */
function goStringSlice(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** The reason for a required dependency no provider matches, naming its constraints. */
function unresolvedReason(dep: DependencySpec): string {
  const parts: string[] = [];
  const tags = (dep.tags ?? []).filter((tag): tag is string => typeof tag === 'string');
  if (tags.length > 0) parts.push(`tags=${goStringSlice(tags)}`);
  if (dep.version) parts.push(`version ${dep.version}`);
  return parts.length === 0
    ? `required dep '${dep.capability}' unresolved`
    : `required dep '${dep.capability}' unresolved (no provider matches ${parts.join(', ')})`;
}

/**
 * Upstream's one-level reason for a required dependency that did not resolve, from the providers
 * of its capability (all of them, in index order): only providers that match its tags and version
 * count; the first unhealthy one is named, else the first matching one (unavailable through its
 * own chain); with none, the dependency is unresolved.
 */
export function brokenRequirementReason(dep: DependencySpec, providers: Iterable<ProviderTool>): string {
  const versionMatches = compileConstraint(dep.version ?? '');
  let firstMatching: ProviderTool | undefined;
  for (const provider of providers) {
    if (provider.capability !== dep.capability) continue;
    if (scoreTags(provider.tags, dep.tags) === undefined || !versionMatches(provider.version)) continue;
    if (!provider.isHealthy) {
      return `required dep '${dep.capability}' unavailable (provider ${provider.agentId} unhealthy)`;
    }
    firstMatching ??= provider;
  }
  if (firstMatching === undefined) return unresolvedReason(dep);
  return `required dep '${dep.capability}' unavailable (provider ${firstMatching.agentId} unavailable)`;
}

/** Availability of the tools `candidatesOf` knows, with the verdicts remembered. */
export class ProviderAvailability<T extends AvailabilityTool> {
  /** tool → '' (available) or the reason it is not; only tools with required dependencies. */
  readonly #verdicts = new Map<T, string>();
  /** The tools whose chains are being evaluated: meeting one again is a cycle. */
  readonly #visiting = new Set<T>();

  /**
   * `candidatesOf` gives every provider of a capability (the reasons name them); `candidatesFor`,
   * when given, those of them that can match a dependency (CapabilityIndex.candidatesFor).
   */
  constructor(
    private readonly candidatesOf: (capability: string) => Iterable<T>,
    private readonly candidatesFor: (dep: DependencySpec) => Iterable<T> = (dep) =>
      candidatesOf(dep.capability),
  ) {}

  /** Forgets every verdict; call whenever a provider, its health or its dependencies change. */
  clear(): void {
    this.#verdicts.clear();
  }

  /** Healthy, and every required dependency resolves to an available provider. */
  readonly isAvailable = (tool: T): boolean => tool.isHealthy && this.unavailableReason(tool) === '';

  /**
   * '' when every required dependency of the tool resolves to an available provider, else the
   * reason naming the first that does not. The tool's own health is the caller's to check.
   */
  unavailableReason(tool: T): string {
    if (tool.requiredDependencies.length === 0) return '';
    const known = this.#verdicts.get(tool);
    if (known !== undefined) return known;
    if (this.#visiting.has(tool)) return `required dependency evaluation cycle at '${tool.capability}'`;
    this.#visiting.add(tool);
    let reason = '';
    try {
      for (const dep of tool.requiredDependencies) {
        if (dep.capability === '' || this.resolve(dep, tool.agentId) !== undefined) continue;
        reason = brokenRequirementReason(dep, this.candidatesOf(dep.capability));
        break;
      }
    } finally {
      this.#visiting.delete(tool);
    }
    this.#verdicts.set(tool, reason);
    return reason;
  }

  /** Resolves a dependency among the available providers of its capability. */
  resolve(dep: DependencySpec, consumerAgentId: string): T | undefined {
    return resolveDependency(dep, this.candidatesFor(dep), consumerAgentId, {
      isAvailable: this.isAvailable,
    });
  }
}
