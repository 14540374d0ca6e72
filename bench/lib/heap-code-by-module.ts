/**
 * A V8 heap snapshot's code attributed to the module it came from: every function's
 * SharedFunctionInfo names its script, so the function's compiled form (bytecode and its constant
 * pool, scope info), its closures with their feedback, and the script's source string are summed
 * by the script's package (`node_modules/<name>`), our own folder (`dist/<dir>`), Node's own
 * modules, or code generated at run time (scripts without a name: `new Function`). What no function of a script holds (data the code made) stays unattributed.
 */

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** `fastify`, `@fastify/swagger-ui`, `ours: registry`, `Node's own modules`, … */
export function moduleGroup(url: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inPackage) return inPackage[1]!;
  const ours = /\/dist\/([^/]+)\//.exec(url);
  if (ours) return `ours: ${ours[1]}`;
  if (url === '')
    return 'generated at run time (new Function: ajv validators, fast-json-stringify serializers)';
  if (url.startsWith('node:') || !url.includes('/')) return "Node's own modules";
  return 'other scripts';
}

/** Bytes of code per module group. */
export function codeByModule(json: Snapshot): Map<string, number> {
  const meta = json.snapshot.meta;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  ) as [number, number, number, number];
  const { nodes, edges, strings } = json;
  const count = nodes.length / nodeWidth;
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += nodes[n * nodeWidth + edgeCountAt]! * edgeWidth;
  }
  firstEdge[count] = edges.length;
  const edgesOf = function* (n: number): Generator<[string, number]> {
    for (let e = firstEdge[n]!; e < firstEdge[n + 1]!; e += edgeWidth) {
      const type = edgeTypes[edges[e]!]!;
      if (type !== 'internal') continue;
      yield [strings[edges[e + 1]!]!, edges[e + 2]! / nodeWidth];
    }
  };
  const edgeTo = (n: number, name: string) => {
    for (const [edgeName, to] of edgesOf(n)) if (edgeName === name) return to;
    return undefined;
  };
  const claimed = new Uint8Array(count);
  const sums = new Map<string, number>();
  const claim = (n: number | undefined, group: string, depth: number) => {
    if (n === undefined || claimed[n]) return;
    const type = nodeTypes[nodes[n * nodeWidth + typeAt]!];
    if (type === 'hidden' || type === 'object shape' || type === 'object' || type === 'closure') return;
    claimed[n] = 1;
    sums.set(group, (sums.get(group) ?? 0) + nodes[n * nodeWidth + sizeAt]!);
    // The compiled function's parts: bytecode, its constant pool and tables, scope info.
    if (depth > 0)
      for (const [name, to] of edgesOf(n))
        if (name !== 'map' && name !== 'script' && name !== 'name_or_scope_info') claim(to, group, depth - 1);
  };
  const groupOfScript = new Map<number, string>();
  const scriptGroup = (script: number) => {
    let group = groupOfScript.get(script);
    if (group === undefined) {
      group = moduleGroup(strings[nodes[script * nodeWidth + nameAt]!]!);
      groupOfScript.set(script, group);
      // The script's source string.
      claim(edgeTo(script, 'source'), group, 0);
    }
    return group;
  };
  const sfiGroup = new Map<number, string>();
  for (let n = 0; n < count; n++) {
    if (nodeTypes[nodes[n * nodeWidth + typeAt]!] !== 'code') continue;
    const script = edgeTo(n, 'script');
    if (script === undefined) continue;
    const group = scriptGroup(script);
    sfiGroup.set(n, group);
    claimed[n] = 1;
    sums.set(group, (sums.get(group) ?? 0) + nodes[n * nodeWidth + sizeAt]!);
    for (const [name, to] of edgesOf(n)) if (name !== 'map' && name !== 'script') claim(to, group, 2);
  }
  // Closures and their feedback (the JIT's profile of each function).
  for (let n = 0; n < count; n++) {
    if (nodeTypes[nodes[n * nodeWidth + typeAt]!] !== 'closure') continue;
    const shared = edgeTo(n, 'shared');
    const group = shared === undefined ? undefined : sfiGroup.get(shared);
    if (group === undefined) continue;
    sums.set(group, (sums.get(group) ?? 0) + nodes[n * nodeWidth + sizeAt]!);
    const cell = edgeTo(n, 'feedback_cell');
    if (cell !== undefined) {
      claim(cell, group, 0);
      claim(edgeTo(cell, 'value'), group, 1);
    }
  }
  return sums;
}
