// What the project holds beside pipelines: dataset versions and the plugin libraries.

import {api} from './api.js';
import {h, replace, section, show, table, when} from './dom.js';

export async function datasetsPage(main) {
  const {datasets} = await api('/api/datasets?_limit=100');
  replace(main, h('h1', {}, 'Datasets'), h('p', {class: 'muted'}, 'Dataset versions, newest first (the 100 newest).'),
    datasets.length === 0 ? h('p', {}, 'No dataset version yet.') : table(
      ['Version', 'Rows', 'Features', 'Label', 'Label rate', 'Hash', 'Block', 'Run', 'Created'],
      datasets.map((data) => h('tr', {},
        h('th', {scope: 'row'}, data.version),
        h('td', {class: 'number'}, String(data.row_count)),
        h('td', {class: 'number'}, h('span', {title: data.features.join(', ')}, String(data.feature_count))),
        h('td', {}, data.label || '—'),
        h('td', {class: 'number'}, data.label_rate === undefined ? '—' : show(data.label_rate)),
        h('td', {}, h('code', {title: data.hash}, data.hash.replace(/^sha256:/, '').slice(0, 12))),
        h('td', {}, data.block),
        h('td', {}, h('a', {href: `#/runs/${data.pipeline_run_id}`}, `run ${data.pipeline_run_id}`)),
        h('td', {}, when(data.created_at)))),
      {id: 'datasets'}));
}

export async function pluginsPage(main) {
  const {plugins} = await api('/api/plugins');
  replace(main, h('h1', {}, 'Plugins'),
    h('p', {class: 'muted'}, 'Searched, in order: ', plugins.search_path.map((path, index) => [index ? ', ' : '', h('code', {}, path)])),
    section(`Libraries (${plugins.libraries.length})`, plugins.libraries.map((library) => h('article', {class: 'library'},
      h('h3', {}, library.name, ' ', h('span', {class: 'muted'}, `${library.version} · ABI ${library.abi_version}`)),
      h('p', {class: 'muted'}, h('code', {}, library.path), library.sha256 ? ` · sha256 ${library.sha256.slice(0, 12)}…` : ''),
      table(['Block kind', 'Type', 'Description', 'Configuration keys'], library.block_kinds.map((kind) => h('tr', {},
        h('th', {scope: 'row'}, h('code', {}, kind.name)),
        h('td', {}, kind.type),
        h('td', {}, kind.description),
        h('td', {}, kind.configuration_keys.map((key) => h('code', {class: 'pair', title: `${key.type}${key.required ? ', required' : ''}: ${key.description}`}, key.name)))))),
      library.functions.length ? h('p', {}, 'Functions: ', library.functions.map((fn) => h('code', {class: 'pair', title: fn.signature}, fn.name))) : null))),
    section(`Refused libraries (${plugins.refused.length})`, plugins.refused.length === 0 ? h('p', {}, 'None: every library found was loaded.')
      : table(['Library', 'Why it was refused'], plugins.refused.map((refused) => h('tr', {},
        h('td', {}, h('code', {}, refused.path)), h('td', {class: 'error'}, refused.reason))), {id: 'refused'})));
}
