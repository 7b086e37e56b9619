// A directed acyclic graph drawn as SVG, left to right: each node in the column of its longest path from
// a root, edges as curves. Used for a pipeline's blocks and for the lineage of models.

import {s} from './dom.js';

const NODE_WIDTH = 166;
const NODE_HEIGHT = 46;
const COLUMN_GAP = 44;
const ROW_GAP = 18;
const MARGIN = 12;

/** Column of each node: 0 for a root, else one more than its deepest predecessor. Cycles are cut. */
export function layers(nodes, edges) {
  const incoming = new Map(nodes.map((node) => [node.id, []]));
  for (const edge of edges) if (incoming.has(edge.to) && incoming.has(edge.from)) incoming.get(edge.to).push(edge.from);
  const depth = new Map();
  const visiting = new Set();
  const visit = (id) => {
    if (depth.has(id)) return depth.get(id);
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const value = incoming.get(id).reduce((deepest, from) => Math.max(deepest, visit(from) + 1), 0);
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  nodes.forEach((node) => visit(node.id));
  return depth;
}

/** Positions: columns by `layers`, each column ordered by the mean row of its predecessors (fewer crossings). */
export function layout(nodes, edges) {
  const depth = layers(nodes, edges);
  const columns = [];
  for (const node of nodes) (columns[depth.get(node.id)] ||= []).push(node.id);
  const row = new Map();
  columns.forEach((column, index) => {
    if (index > 0) {
      const mean = (id) => {
        const rows = edges.filter((edge) => edge.to === id && row.has(edge.from)).map((edge) => row.get(edge.from));
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
      };
      const order = new Map(column.map((id) => [id, mean(id)]));
      column.sort((a, b) => order.get(a) - order.get(b));
    }
    column.forEach((id, position) => row.set(id, position));
  });
  const tallest = Math.max(1, ...columns.map((column) => column.length));
  const height = MARGIN * 2 + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP;
  const positions = new Map();
  columns.forEach((column, index) => {
    const columnHeight = column.length * NODE_HEIGHT + (column.length - 1) * ROW_GAP;
    const top = (height - columnHeight) / 2;
    column.forEach((id, position) => positions.set(id, {
      x: MARGIN + index * (NODE_WIDTH + COLUMN_GAP),
      y: top + position * (NODE_HEIGHT + ROW_GAP),
    }));
  });
  const width = MARGIN * 2 + columns.length * NODE_WIDTH + Math.max(0, columns.length - 1) * COLUMN_GAP;
  return {positions, width, height};
}

function clip(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * The SVG of a graph. `nodes`: `{id, label, detail, className, title}`; `edges`: `{from, to, label}`.
 * `onSelect(id)` makes each node a keyboard-reachable button.
 */
export function drawGraph({nodes, edges, onSelect, label}) {
  const {positions, width, height} = layout(nodes, edges);
  const markerID = `arrow-${Math.random().toString(36).slice(2)}`;
  const svg = s('svg', {class: 'graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': label},
    s('defs', {}, s('marker', {id: markerID, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto'},
      s('path', {d: 'M0,0 L10,5 L0,10 z', class: 'arrow'}))));
  for (const edge of edges) {
    const from = positions.get(edge.from);
    const to = positions.get(edge.to);
    if (!from || !to) continue;
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + NODE_HEIGHT / 2;
    const x2 = to.x;
    const y2 = to.y + NODE_HEIGHT / 2;
    const bend = Math.max(24, (x2 - x1) / 2);
    const path = s('path', {class: 'edge', d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
      'marker-end': `url(#${markerID})`});
    if (edge.label) path.append(s('title', {}, edge.label));
    svg.append(path);
  }
  for (const node of nodes) {
    const {x, y} = positions.get(node.id);
    const group = s('g', {class: `node ${node.className || ''}`, transform: `translate(${x},${y})`, 'data-id': node.id},
      s('title', {}, node.title || node.label),
      s('rect', {width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6}),
      s('text', {x: 10, y: 19, class: 'label'}, clip(node.label, 21)),
      s('text', {x: 10, y: 36, class: 'detail'}, clip(node.detail || '', 23)));
    if (onSelect) {
      group.setAttribute('tabindex', '0');
      group.setAttribute('role', 'button');
      group.setAttribute('aria-label', `${node.label}${node.detail ? `, ${node.detail}` : ''}`);
      group.addEventListener('click', () => onSelect(node.id));
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onSelect(node.id);
        }
      });
    }
    svg.append(group);
  }
  return svg;
}
