/**
 * The dashboard's dependency graph, browser code as text (served inside `/ui/dashboard.js`):
 * agents in columns, providers left of their consumers; an edge per resolved dependency, and a
 * dashed one to a "missing" node per capability nothing resolves. Written without template
 * literals so that it can live in this one.
 */
export const GRAPH_SCRIPT = String.raw`
const SVG_NS = 'http://www.w3.org/2000/svg';
const NODE_W = 190;
const NODE_H = 40;
const COL_GAP = 120;
const ROW_GAP = 18;

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function clip(text, max) {
  return text.length > max ? text.slice(0, max - 1) + '\u2026' : text;
}

/** Column of each node: 0 for what depends on nothing, else one right of its furthest provider. */
function layers(nodes, edges) {
  const depth = new Map(nodes.map((n) => [n.key, 0]));
  for (let round = 0; round < nodes.length; round += 1) {
    let moved = false;
    for (const edge of edges) {
      const want = depth.get(edge.to) + 1;
      if (depth.get(edge.from) < want) {
        depth.set(edge.from, want);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return depth;
}

/**
 * Draws the graph into the <svg>. nodes: {key, label, status, missing}; edges: {from, to, label,
 * unresolved}, from the consumer to the provider.
 */
function drawGraph(root, nodes, edges) {
  root.replaceChildren();
  if (nodes.length === 0) {
    root.setAttribute('width', '10');
    root.setAttribute('height', '10');
    return;
  }
  const depth = layers(nodes, edges);
  const columns = [];
  for (const node of nodes) {
    const col = depth.get(node.key);
    (columns[col] = columns[col] || []).push(node);
  }
  const place = new Map();
  let height = 0;
  columns.forEach((column, col) => {
    (column || []).forEach((node, row) => {
      const x = 10 + col * (NODE_W + COL_GAP);
      const y = 10 + row * (NODE_H + ROW_GAP);
      place.set(node.key, { x, y });
      height = Math.max(height, y + NODE_H + 10);
    });
  });
  const width = 20 + columns.length * (NODE_W + COL_GAP) - COL_GAP;
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  const defs = svg('defs');
  for (const [id, color] of [['arrow', '#3b5bdb'], ['arrow-bad', '#c4272f']]) {
    const marker = svg('marker', { id, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
    marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
    defs.append(marker);
  }
  root.append(defs);
  for (const edge of edges) {
    const a = place.get(edge.from);
    const b = place.get(edge.to);
    if (!a || !b) continue;
    const x1 = a.x;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x + NODE_W;
    const y2 = b.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    const group = svg('g', { 'data-from': edge.from, 'data-to': edge.to });
    group.append(
      svg('path', {
        class: edge.unresolved ? 'edge unresolved' : 'edge',
        d: 'M' + x1 + ',' + y1 + ' C' + mid + ',' + y1 + ' ' + mid + ',' + y2 + ' ' + x2 + ',' + y2,
      }),
    );
    // Beside the consumer, where labels of different consumers do not meet.
    group.append(svg('text', { class: 'edge-label', x: x1 - 6, y: y1 - 6, 'text-anchor': 'end' }, clip(edge.label, 18)));
    root.append(group);
  }
  for (const node of nodes) {
    const p = place.get(node.key);
    const group = svg('g', {
      class: 'node ' + (node.missing ? 'missing' : node.status),
      transform: 'translate(' + p.x + ',' + p.y + ')',
      'data-key': node.key,
    });
    group.append(svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }));
    group.append(svg('text', { x: 10, y: 17 }, clip(node.label, 26)));
    group.append(svg('text', { x: 10, y: 32, class: 'edge-label' }, node.missing ? 'unresolved' : node.status));
    group.append(svg('title', {}, node.title || node.label));
    root.append(group);
  }
}
`;
