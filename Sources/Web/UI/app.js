// The page's router: `#/pipelines`, `#/pipelines/<uuid>`, `#/runs/<id>`, `#/models`, `#/datasets`,
// `#/plugins`. Each page draws into <main> and returns what stops its timers and streams.

import {api} from './api.js';
import {h, notice, replace} from './dom.js';
import {pipelinesPage, pipelinePage} from './pipelines.js';
import {runPage} from './run.js';
import {modelsPage} from './models.js';
import {datasetsPage, pluginsPage} from './catalog.js';

const routes = [
  [/^#\/pipelines\/([^/]+)$/, 'pipelines', ([uuid]) => (main) => pipelinePage(main, decodeURIComponent(uuid))],
  [/^#\/pipelines$/, 'pipelines', () => pipelinesPage],
  [/^#\/runs\/(\d+)$/, 'pipelines', ([id]) => (main) => runPage(main, Number(id))],
  [/^#\/models$/, 'models', () => modelsPage],
  [/^#\/datasets$/, 'datasets', () => datasetsPage],
  [/^#\/plugins$/, 'plugins', () => pluginsPage],
];

let stopPage = null;
/** Counts navigations, so a page still loading when the reader moves on is stopped, not left running. */
let navigation = 0;

async function route() {
  const current = ++navigation;
  if (stopPage) stopPage();
  stopPage = null;
  notice(null);
  serverStatus();
  const hash = location.hash || '#/pipelines';
  const match = routes.map(([pattern, section, page]) => [hash.match(pattern), section, page]).find(([found]) => found);
  const main = document.getElementById('main');
  for (const link of document.querySelectorAll('nav a')) {
    if (match && link.dataset.section === match[1]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!match) {
    replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', {href: '#/pipelines'}, 'Pipelines')));
    return;
  }
  // Each page draws into its own element: one still loading after the reader moved on draws out of sight.
  const view = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  replace(main, view);
  const [found, , page] = match;
  try {
    const stop = (await page(found.slice(1))(view)) || null;
    if (current !== navigation) {
      if (stop) stop();
      return;
    }
    stopPage = stop;
  } catch (error) {
    if (current !== navigation) return;
    replace(view, h('h1', {}, 'Cannot show this page'), h('p', {class: 'error'}, error.message));
  }
  main.focus({preventScroll: true});
}

async function serverStatus() {
  try {
    const {statuses: [status]} = await api('/api/statuses');
    document.getElementById('server-status').textContent =
      `${status.project_uuid} · ${status.active_runs} active run${status.active_runs === 1 ? '' : 's'}`;
  } catch (error) {
    document.getElementById('server-status').textContent = 'server unreachable';
  }
}

window.addEventListener('hashchange', route);
route();
