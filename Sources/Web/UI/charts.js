// Small SVG charts: a metric across versions, horizontal bars, and the timeline of a run's blocks.

import {s, show} from './dom.js';

/** `points`: `[{label, value, marked}]` in order; a line with a dot per point, `marked` ones ringed. */
export function lineChart(points, {label, width = 640, height = 220} = {}) {
  const left = 56;
  const right = 16;
  const top = 16;
  const bottom = 48;
  const values = points.map((point) => point.value);
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    low -= Math.abs(low) * 0.05 || 0.5;
    high += Math.abs(high) * 0.05 || 0.5;
  }
  const x = (index) => left + (points.length === 1 ? (width - left - right) / 2 : index * (width - left - right) / (points.length - 1));
  const y = (value) => top + (high - value) * (height - top - bottom) / (high - low);
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label});
  for (const tick of [low, (low + high) / 2, high]) {
    svg.append(s('line', {class: 'grid', x1: left, x2: width - right, y1: y(tick), y2: y(tick)}),
      s('text', {class: 'axis', x: left - 6, y: y(tick) + 4, 'text-anchor': 'end'}, show(tick)));
  }
  svg.append(s('polyline', {class: 'series', points: points.map((point, index) => `${x(index)},${y(point.value)}`).join(' ')}));
  points.forEach((point, index) => {
    svg.append(s('circle', {class: point.marked ? 'dot marked' : 'dot', cx: x(index), cy: y(point.value), r: point.marked ? 6 : 4},
      s('title', {}, `${point.label}: ${show(point.value)}`)));
    if (points.length <= 12 || index === 0 || index === points.length - 1) {
      const anchor = points.length > 1 && index === 0 ? 'start' : (points.length > 1 && index === points.length - 1 ? 'end' : 'middle');
      svg.append(s('text', {class: 'axis', x: x(index), y: height - bottom + 18, 'text-anchor': anchor}, point.label.slice(-6)));
    }
  });
  return svg;
}

/** `bars`: `[{label, value}]`, largest first, as horizontal bars scaled to the largest. */
export function barChart(bars, {label, width = 640} = {}) {
  const labelWidth = 200;
  const row = 22;
  const height = bars.length * row + 8;
  const largest = Math.max(...bars.map((bar) => Math.abs(bar.value)), Number.EPSILON);
  const span = width - labelWidth - 70;
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label});
  bars.forEach((bar, index) => {
    const y = 4 + index * row;
    svg.append(
      s('text', {class: 'axis', x: labelWidth - 8, y: y + 14, 'text-anchor': 'end'}, bar.label),
      s('rect', {class: 'bar', x: labelWidth, y: y + 2, height: row - 6, width: Math.max(1, Math.abs(bar.value) / largest * span)},
        s('title', {}, `${bar.label}: ${show(bar.value)}`)),
      s('text', {class: 'axis', x: labelWidth + Math.abs(bar.value) / largest * span + 6, y: y + 14}, show(bar.value)));
  });
  return svg;
}

/**
 * `rows`: `[{label, start, end, status}]` with times in ms (`end` null while running: drawn up to `now`).
 * One bar per block from its start, as long as it took, on one time axis from the first start.
 */
export function timeline(rows, now, {label, width = 960} = {}) {
  const labelWidth = 150;
  const row = 24;
  const started = rows.filter((entry) => entry.start !== null);
  const origin = Math.min(...started.map((entry) => entry.start), now);
  const finish = Math.max(...started.map((entry) => entry.end ?? now), origin + 1);
  const span = width - labelWidth - 60;
  const scale = span / (finish - origin);
  const height = rows.length * row + 28;
  const svg = s('svg', {class: 'chart timeline', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label});
  for (const fraction of [0, 0.5, 1]) {
    const x = labelWidth + fraction * span;
    svg.append(s('line', {class: 'grid', x1: x, x2: x, y1: 0, y2: height - 20}),
      s('text', {class: 'axis', x, y: height - 6, 'text-anchor': 'middle'}, `${((finish - origin) * fraction / 1000).toFixed(1)} s`));
  }
  rows.forEach((entry, index) => {
    const y = index * row + 4;
    svg.append(s('text', {class: 'axis', x: labelWidth - 8, y: y + 14, 'text-anchor': 'end'}, entry.label));
    if (entry.start === null) return;
    const end = entry.end ?? now;
    const duration = (end - entry.start) / 1000;
    svg.append(s('rect', {class: `bar status-${entry.status}`, x: labelWidth + (entry.start - origin) * scale, y: y + 2,
      width: Math.max(2, (end - entry.start) * scale), height: row - 8, 'data-block': entry.label},
    s('title', {}, `${entry.label}: ${entry.status}, ${duration.toFixed(2)} s`)));
  });
  return svg;
}
