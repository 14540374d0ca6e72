/**
 * Required-dependency cycles, refused as the upstream Go registry refuses them: a registration
 * (full heartbeat) whose tools' `required` dependencies would close a cycle of required edges is
 * not written, and is answered `required dependency cycle: a → b → a`.
 *
 * The graph is by capability name (an edge `a → b` when a tool with capability `a` requires `b`),
 * over the tools of every registered agent whatever its status, with the registering agent's own
 * stored edges replaced by the ones it sends. A cycle is reported as upstream finds it: depth
 * first from the roots in byte order, neighbours in byte order, the first back edge naming the
 * loop from the node it returns to. A registration without required edges is never refused, even
 * when the stored graph has a cycle.
 *
 * {@link RequiredEdgeGraph} keeps the stored edges agent by agent. Checking a registration costs
 * a walk of what its new edges reach, not of the whole graph, as long as the stored graph is known
 * to have no cycle (remembered until its edges change). Pure: no I/O.
 */

import { compareCodePoints } from './semver-constraint.js';

/** capability → the capabilities it requires. */
export type RequiredEdges = Map<string, Set<string>>;

/** The required edges a set of tools declares (tools and dependencies without a capability add none). */
export function requiredEdgesOf(
  tools: readonly {
    readonly name: string;
    readonly dependencies?: readonly {
      readonly capability: string;
      readonly required?: boolean | undefined;
    }[];
  }[],
): RequiredEdges {
  const edges: RequiredEdges = new Map();
  for (const tool of tools) {
    if (tool.name === '') continue;
    for (const dep of tool.dependencies ?? []) {
      if (dep.required !== true || dep.capability === '') continue;
      let targets = edges.get(tool.name);
      if (targets === undefined) {
        targets = new Set();
        edges.set(tool.name, targets);
      }
      targets.add(dep.capability);
    }
  }
  return edges;
}

/** The refusal's message, as upstream words it. */
export function requiredCycleMessage(cycle: readonly string[]): string {
  return `required dependency cycle: ${cycle.join(' → ')}`;
}

function sameEdges(a: RequiredEdges | undefined, b: RequiredEdges): boolean {
  if (a === undefined) return b.size === 0;
  if (a.size !== b.size) return false;
  for (const [from, targets] of b) {
    const other = a.get(from);
    if (other === undefined || other.size !== targets.size) return false;
    for (const to of targets) if (!other.has(to)) return false;
  }
  return true;
}

interface Frame {
  readonly node: string;
  readonly next: readonly string[];
  index: number;
}

/**
 * The first cycle upstream's depth-first search finds (`[a, b, a]`), or undefined. `roots` are
 * the nodes with edges, `neighbours` a node's targets; both are visited in byte order.
 */
export function findRequiredCycle(
  roots: Iterable<string>,
  neighbours: (node: string) => Iterable<string>,
): string[] | undefined {
  const DONE = 2;
  const ON_STACK = 1;
  const color = new Map<string, number>();
  const sorted = (nodes: Iterable<string>) => [...nodes].sort(compareCodePoints);
  for (const root of sorted(roots)) {
    if (color.has(root)) continue;
    const stack: Frame[] = [{ node: root, next: sorted(neighbours(root)), index: 0 }];
    color.set(root, ON_STACK);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const next = frame.next[frame.index++];
      if (next === undefined) {
        color.set(frame.node, DONE);
        stack.pop();
        continue;
      }
      const seen = color.get(next);
      if (seen === ON_STACK) {
        const from = stack.findIndex((f) => f.node === next);
        return [...stack.slice(from).map((f) => f.node), next];
      }
      if (seen === undefined) {
        color.set(next, ON_STACK);
        stack.push({ node: next, next: sorted(neighbours(next)), index: 0 });
      }
    }
  }
  return undefined;
}

/** The stored required edges of every agent, and the check of a registration against them. */
export class RequiredEdgeGraph {
  readonly #byAgent = new Map<string, RequiredEdges>();
  /** from → to → how many agents declare that edge. */
  readonly #counts = new Map<string, Map<string, number>>();
  /** Whether the stored graph has no cycle; undefined until asked after a change. */
  #isAcyclic: boolean | undefined = true;

  /** Replaces the agent's stored edges. */
  setAgent(agentId: string, edges: RequiredEdges): void {
    const previous = this.#byAgent.get(agentId);
    if (sameEdges(previous, edges)) return;
    if (previous !== undefined) this.#count(previous, -1);
    if (edges.size === 0) this.#byAgent.delete(agentId);
    else {
      this.#byAgent.set(agentId, edges);
      this.#count(edges, 1);
    }
    this.#isAcyclic = undefined;
  }

  removeAgent(agentId: string): void {
    this.setAgent(agentId, new Map());
  }

  #count(edges: RequiredEdges, delta: number): void {
    for (const [from, targets] of edges) {
      let counts = this.#counts.get(from);
      if (counts === undefined) {
        counts = new Map();
        this.#counts.set(from, counts);
      }
      for (const to of targets) {
        const count = (counts.get(to) ?? 0) + delta;
        if (count === 0) counts.delete(to);
        else counts.set(to, count);
      }
      if (counts.size === 0) this.#counts.delete(from);
    }
  }

  /**
   * The cycle the agent's registration with `incoming` edges would close, or undefined. `others`
   * are edges of registrations of other agents that are being written now (they count as if
   * stored, so two concurrent registrations cannot each close half of a cycle).
   */
  cycleWith(
    agentId: string,
    incoming: RequiredEdges,
    others: Iterable<RequiredEdges> = [],
  ): string[] | undefined {
    if (incoming.size === 0) return undefined;
    const own = this.#byAgent.get(agentId);
    const extra = [incoming, ...others];
    const neighbours = (node: string): Set<string> => {
      const targets = new Set<string>();
      for (const [to, count] of this.#counts.get(node) ?? []) {
        if (count > (own?.get(node)?.has(to) === true ? 1 : 0)) targets.add(to);
      }
      for (const edges of extra) for (const to of edges.get(node) ?? []) targets.add(to);
      return targets;
    };
    const roots = () => {
      const nodes = new Set<string>();
      // A node without edges (left) cannot be on a cycle: visiting it changes nothing.
      for (const node of this.#counts.keys()) nodes.add(node);
      for (const edges of extra) for (const node of edges.keys()) nodes.add(node);
      return nodes;
    };
    // Without other writes in flight and with a stored graph free of cycles (so without the
    // agent's own edges too), any cycle runs through an incoming edge: look only from those.
    if (extra.length === 1 && this.#storedIsAcyclic() && !reachesASource(incoming, neighbours)) {
      return undefined;
    }
    return findRequiredCycle(roots(), neighbours);
  }

  #storedIsAcyclic(): boolean {
    this.#isAcyclic ??=
      findRequiredCycle(this.#counts.keys(), (node) => this.#counts.get(node)?.keys() ?? []) === undefined;
    return this.#isAcyclic;
  }
}

/** Whether some incoming edge's source can be reached from an incoming edge's target. */
function reachesASource(incoming: RequiredEdges, neighbours: (node: string) => Iterable<string>): boolean {
  const sources = new Set(incoming.keys());
  const seen = new Set<string>();
  const pending: string[] = [];
  for (const targets of incoming.values()) for (const to of targets) pending.push(to);
  while (pending.length > 0) {
    const node = pending.pop() as string;
    if (sources.has(node)) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const next of neighbours(node)) if (!seen.has(next)) pending.push(next);
  }
  return false;
}
