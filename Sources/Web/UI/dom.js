// Building the page from data without ever parsing data as HTML: every text goes in as a text node.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An element: `h('button', {class: 'primary', onclick: f}, 'Run')`. Children are nodes or text. */
export function h(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** An SVG element, same arguments as `h`. */
export function s(tag, attributes = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces every child of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** A status as a coloured badge; the class is the status, kept to known characters. */
export function badge(status) {
  const name = String(status || 'never run');
  return h('span', {class: `badge status-${name.replace(/[^a-z_]/g, '')}`, 'data-status': name}, name);
}

/** A table in a box that scrolls sideways when the table is wider than the page. */
export function table(headers, rows, attributes = {}) {
  return h('div', {class: 'table-scroll'}, h('table', attributes,
    h('thead', {}, h('tr', {}, headers.map((title) => h('th', {scope: 'col'}, title)))),
    h('tbody', {}, rows)));
}

export function section(title, ...children) {
  return h('section', {class: 'panel'}, h('h2', {}, title), ...children);
}

/** `2026-12-03T07:35:45.120Z` → the reader's local time; '—' for none. */
export function when(text) {
  if (!text) return '—';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? String(text) : date.toLocaleString();
}

export function seconds(value) {
  if (value === undefined || value === null) return '—';
  return value < 10 ? `${value.toFixed(2)} s` : `${value.toFixed(1)} s`;
}

/** A JSON value as compact text (configuration values, metrics). */
export function show(value) {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function number(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Shows an error (or clears it with null) where screen readers announce it. */
export function notice(message) {
  const box = document.getElementById('notice');
  box.hidden = !message;
  box.textContent = message || '';
}
