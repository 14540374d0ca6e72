import { describe, expect, it } from 'vitest';
import {
  findRequiredCycle,
  RequiredEdgeGraph,
  type RequiredEdges,
  requiredCycleMessage,
  requiredEdgesOf,
} from '../../../src/mesh/resolution/required-cycle.js';

/** `{a: ['b']}` → edges. */
function edges(spec: Record<string, string[]>): RequiredEdges {
  return new Map(Object.entries(spec).map(([from, to]) => [from, new Set(to)]));
}

function cycleOf(spec: Record<string, string[]>): string[] | undefined {
  const graph = edges(spec);
  return findRequiredCycle(graph.keys(), (node) => graph.get(node) ?? []);
}

/** A plain recursive transcription of upstream's search, to hold the iterative one to it. */
function referenceCycle(graph: RequiredEdges): string[] | undefined {
  const color = new Map<string, number>();
  const stack: string[] = [];
  let found: string[] | undefined;
  const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const dfs = (node: string): boolean => {
    color.set(node, 1);
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort(byteOrder)) {
      if (color.get(next) === 1) {
        found = [...stack.slice(stack.indexOf(next)), next];
        return true;
      }
      if (color.get(next) === undefined && dfs(next)) return true;
    }
    stack.pop();
    color.set(node, 2);
    return false;
  };
  for (const root of [...graph.keys()].sort(byteOrder)) {
    if (color.get(root) === undefined && dfs(root)) return found;
  }
  return undefined;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('requiredEdgesOf', () => {
  it('takes only required dependencies with a capability, of tools with a capability', () => {
    const graph = requiredEdgesOf([
      {
        name: 'a',
        dependencies: [
          { capability: 'b', required: true },
          { capability: 'c', required: false },
          { capability: 'd' },
          { capability: '', required: true },
        ],
      },
      { name: 'a', dependencies: [{ capability: 'e', required: true }] },
      { name: '', dependencies: [{ capability: 'f', required: true }] },
      { name: 'g' },
    ]);
    expect([...graph].map(([from, to]) => [from, [...to]])).toEqual([['a', ['b', 'e']]]);
  });
});

describe('findRequiredCycle', () => {
  it('names the loop from the node it returns to, as upstream words it', () => {
    const cycle = cycleOf({ a: ['b'], d: ['e'], e: ['f'], f: ['g'], g: ['d'] });
    expect(cycle).toEqual(['d', 'e', 'f', 'g', 'd']);
    expect(requiredCycleMessage(cycle ?? [])).toBe('required dependency cycle: d → e → f → g → d');
  });

  it('finds a self-dependency', () => {
    expect(cycleOf({ k: ['k'] })).toEqual(['k', 'k']);
  });

  it('finds nothing in a graph without cycles, diamonds included', () => {
    expect(cycleOf({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] })).toBeUndefined();
  });

  it('reports the first cycle of a search in byte order', () => {
    expect(cycleOf({ c: ['a'], b: ['a'], a: ['c', 'b'] })).toEqual(['a', 'b', 'a']);
    expect(cycleOf({ Z: ['a'], a: ['Z'] })).toEqual(['Z', 'a', 'Z']);
  });

  it('agrees with upstream’s recursive search on random graphs', () => {
    const next = random(7);
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (let round = 0; round < 300; round++) {
      const graph: RequiredEdges = new Map();
      const edgeCount = Math.floor(next() * 12);
      for (let i = 0; i < edgeCount; i++) {
        const from = names[Math.floor(next() * names.length)] as string;
        const to = names[Math.floor(next() * names.length)] as string;
        graph.set(from, (graph.get(from) ?? new Set()).add(to));
      }
      expect(findRequiredCycle(graph.keys(), (n) => graph.get(n) ?? [])).toEqual(referenceCycle(graph));
    }
  });
});

describe('RequiredEdgeGraph', () => {
  it('refuses an edge that closes a cycle with another agent’s stored edges', () => {
    const graph = new RequiredEdgeGraph();
    graph.setAgent('A', edges({ a: ['b'] }));
    expect(graph.cycleWith('B', edges({ b: ['a'] }))).toEqual(['a', 'b', 'a']);
    expect(graph.cycleWith('B', edges({ b: ['c'] }))).toBeUndefined();
  });

  it('replaces the registering agent’s own stored edges by the ones it sends', () => {
    const graph = new RequiredEdgeGraph();
    graph.setAgent('A', edges({ a: ['b'] }));
    expect(graph.cycleWith('A', edges({ a: ['b'] }))).toBeUndefined();
    graph.setAgent('B', edges({ b: ['c'] }));
    // A's stored a → b goes; its new c → a would close a → b → c → a only with it.
    expect(graph.cycleWith('A', edges({ c: ['a'] }))).toBeUndefined();
    expect(graph.cycleWith('C', edges({ c: ['a'] }))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps an edge two agents declare until both are gone', () => {
    const graph = new RequiredEdgeGraph();
    graph.setAgent('A1', edges({ a: ['b'] }));
    graph.setAgent('A2', edges({ a: ['b'] }));
    graph.removeAgent('A1');
    expect(graph.cycleWith('B', edges({ b: ['a'] }))).toEqual(['a', 'b', 'a']);
    graph.removeAgent('A2');
    expect(graph.cycleWith('B', edges({ b: ['a'] }))).toBeUndefined();
  });

  it('refuses every registration with required edges while the stored graph has a cycle, and none without', () => {
    const graph = new RequiredEdgeGraph();
    graph.setAgent('A', edges({ a: ['b'] }));
    graph.setAgent('B', edges({ b: ['a'] }));
    expect(graph.cycleWith('X', edges({ x: ['y'] }))).toEqual(['a', 'b', 'a']);
    expect(graph.cycleWith('X', new Map())).toBeUndefined();
    // B itself may break the loop.
    expect(graph.cycleWith('B', edges({ b: ['c'] }))).toBeUndefined();
  });

  it('counts the edges of registrations being written by other agents', () => {
    const graph = new RequiredEdgeGraph();
    expect(graph.cycleWith('B', edges({ b: ['a'] }), [edges({ a: ['b'] })])).toEqual(['a', 'b', 'a']);
  });

  it('answers as a full search of the merged graph would, on random meshes', () => {
    const next = random(11);
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const pick = () => names[Math.floor(next() * names.length)] as string;
    const randomEdges = (count: number): RequiredEdges => {
      const result: RequiredEdges = new Map();
      for (let i = 0; i < count; i++) {
        const from = pick();
        result.set(from, (result.get(from) ?? new Set()).add(pick()));
      }
      return result;
    };
    for (let round = 0; round < 300; round++) {
      const graph = new RequiredEdgeGraph();
      const stored = new Map<string, RequiredEdges>();
      for (const agent of ['A', 'B', 'C', 'D']) {
        const own = randomEdges(Math.floor(next() * 3));
        stored.set(agent, own);
        graph.setAgent(agent, own);
      }
      const agent = ['A', 'B', 'X'][Math.floor(next() * 3)] as string;
      const incoming = randomEdges(1 + Math.floor(next() * 2));
      const merged: RequiredEdges = new Map();
      for (const [id, own] of [...stored, ['incoming', incoming] as const]) {
        if (id === agent) continue;
        for (const [from, to] of own) merged.set(from, new Set([...(merged.get(from) ?? []), ...to]));
      }
      expect(graph.cycleWith(agent, incoming)).toEqual(referenceCycle(merged));
    }
  });
});
