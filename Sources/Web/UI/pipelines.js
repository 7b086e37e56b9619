// The pipelines: their list, and one pipeline with its DAG, its blocks, the Run form, its triggers and its
// recent runs.

import {api} from './api.js';
import {badge, h, notice, replace, section, show, table, when} from './dom.js';
import {drawGraph} from './graph.js';
import {runOnce, showTriggers} from './triggers.js';

const RUNS_PER_PAGE = 10;

export async function pipelinesPage(main) {
  const {pipelines} = await api('/api/pipelines?_limit=1000');
  replace(main, h('h1', {}, 'Pipelines'),
    pipelines.length === 0 ? h('p', {}, 'This project has no pipeline yet.') : table(
      ['Pipeline', 'Blocks', 'Last run', 'Problems'],
      pipelines.map((pipeline) => h('tr', {},
        h('td', {}, h('a', {href: `#/pipelines/${encodeURIComponent(pipeline.uuid)}`}, pipeline.name),
          pipeline.name !== pipeline.uuid ? h('span', {class: 'muted'}, ` ${pipeline.uuid}`) : null),
        h('td', {}, String(pipeline.blocks.length)),
        h('td', {}, pipeline.last_run_id ? h('a', {href: `#/runs/${pipeline.last_run_id}`}, `run ${pipeline.last_run_id}`) : '—'),
        h('td', {}, pipeline.errors.length ? h('span', {class: 'error'}, pipeline.errors.map((problem) => problem.message).join('; ')) : '—'))),
      {class: 'list', id: 'pipelines'}));
}

export async function pipelinePage(main, uuid) {
  const {pipeline} = await api(`/api/pipelines/${encodeURIComponent(uuid)}`);
  const details = h('div', {class: 'block-details', id: 'block-details', 'aria-live': 'polite'},
    h('p', {class: 'muted'}, 'Select a block to see its plugin and configuration.'));
  const runs = h('div', {id: 'pipeline-runs'});
  const form = h('div', {id: 'run-form-slot'});
  const byUUID = new Map(pipeline.blocks.map((block) => [block.uuid, block]));
  const graph = pipeline.blocks.length ? drawGraph({
    label: `Blocks of ${pipeline.name}`,
    nodes: pipeline.blocks.map((block) => ({
      id: block.uuid, label: block.name || block.uuid, detail: `${block.type} · ${block.status || 'never run'}`,
      className: `status-${block.status || 'none'}`, title: `${block.uuid} (${block.plugin}): ${block.status || 'never run'}`,
    })),
    edges: pipeline.blocks.flatMap((block) => block.upstream_blocks.map((upstream) => ({from: upstream, to: block.uuid}))),
    onSelect: (id) => showBlock(details, byUUID.get(id)),
  }) : h('p', {}, 'No blocks.');
  const runButton = h('button', {class: 'primary', id: 'run-pipeline', disabled: pipeline.errors.length > 0,
    onclick: () => replace(form, runForm(pipeline, () => replace(form)))}, 'Run');
  const triggers = h('div', {id: 'pipeline-triggers'});
  const triggerNote = h('p', {class: 'muted', id: 'trigger-note', role: 'status'});
  const onceButton = (id) => h('button', {id, disabled: pipeline.errors.length > 0,
    onclick: () => runOnce(triggers, pipeline.uuid, triggerNote)}, 'Run@once');
  replace(main,
    h('div', {class: 'title-row'}, h('h1', {}, pipeline.name), runButton, onceButton('run-once')),
    h('p', {class: 'muted'}, pipeline.file, pipeline.last_run_id ? [' · last run ', h('a', {href: `#/runs/${pipeline.last_run_id}`}, `run ${pipeline.last_run_id}`)] : null),
    pipeline.errors.length ? section('Problems', h('ul', {class: 'error'}, pipeline.errors.map((problem) =>
      h('li', {}, problem.block ? `${problem.block}: ` : '', problem.message)))) : null,
    form,
    section('Blocks', h('p', {class: 'muted'}, 'Coloured by their status in the last run.'), h('div', {class: 'graph-scroll'}, graph), legend(), details),
    section('Triggers', h('div', {class: 'actions'}, onceButton('run-once-triggers')), triggerNote, triggers),
    section('Recent runs', runs));
  await Promise.all([showRuns(runs, pipeline.uuid, 0),
    showTriggers(triggers, pipeline.uuid, triggerNote).catch((error) => replace(triggers, h('p', {class: 'error'}, error.message)))]);
}

function legend() {
  return h('ul', {class: 'legend', 'aria-label': 'Status colours'},
    ['completed', 'running', 'queued', 'initial', 'failed', 'upstream_failed', 'cancelled'].map((status) => h('li', {}, badge(status))));
}

function showBlock(details, block) {
  const configuration = Object.entries(block.configuration);
  replace(details,
    h('h3', {}, block.name || block.uuid, ' ', badge(block.status)),
    h('dl', {class: 'facts'},
      h('dt', {}, 'uuid'), h('dd', {}, block.uuid),
      h('dt', {}, 'type'), h('dd', {}, block.type),
      h('dt', {}, 'plugin'), h('dd', {}, block.plugin),
      h('dt', {}, 'isolation'), h('dd', {}, block.isolation),
      h('dt', {}, 'timeout'), h('dd', {}, block.timeout ? `${block.timeout} s` : 'none'),
      h('dt', {}, 'retries'), h('dd', {}, show(block.retry_config)),
      h('dt', {}, 'upstream'), h('dd', {}, block.upstream_blocks.join(', ') || 'none'),
      h('dt', {}, 'downstream'), h('dd', {}, block.downstream_blocks.join(', ') || 'none')),
    configuration.length ? table(['Configuration key', 'Value'], configuration.map(([key, value]) =>
      h('tr', {}, h('td', {}, h('code', {}, key)), h('td', {}, h('code', {}, show(value))))))
      : h('p', {class: 'muted'}, 'No configuration.'));
}

/** The variables as JSON values, their defaults filled in; POSTs the run, then opens its page. */
function runForm(pipeline, close) {
  const variables = Object.entries(pipeline.variables || {});
  const status = h('p', {class: 'error', role: 'status'});
  const fields = variables.map(([name, value], index) => {
    const id = `variable-${index}`;
    return {name, input: h('input', {id, name, value: JSON.stringify(value), spellcheck: 'false', 'aria-describedby': 'variables-help'}),
      label: h('label', {for: id}, name)};
  });
  const submit = h('button', {type: 'submit', class: 'primary', id: 'start-run'}, 'Start run');
  const form = h('form', {class: 'panel run-form', 'aria-labelledby': 'run-form-title'},
    h('h2', {id: 'run-form-title'}, `Run ${pipeline.name}`),
    variables.length ? h('p', {id: 'variables-help', class: 'muted'}, 'Each value is JSON: 1000, "text", true, [1, 2].')
      : h('p', {id: 'variables-help', class: 'muted'}, 'This pipeline has no variables.'),
    h('div', {class: 'fields'}, fields.map((field) => [field.label, field.input])),
    status,
    h('div', {class: 'actions'}, submit, h('button', {type: 'button', onclick: close}, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = {};
    for (const field of fields) {
      field.input.removeAttribute('aria-invalid');
      try {
        values[field.name] = JSON.parse(field.input.value);
      } catch {
        field.input.setAttribute('aria-invalid', 'true');
        status.textContent = `${field.name}: not a JSON value (text needs quotes: "text")`;
        field.input.focus();
        return;
      }
    }
    submit.disabled = true;
    status.textContent = '';
    try {
      const {pipeline_run: run} = await api(`/api/pipelines/${encodeURIComponent(pipeline.uuid)}/pipeline_runs`,
        {method: 'POST', body: {pipeline_run: {variables: values}}});
      location.hash = `#/runs/${run.id}`;
    } catch (error) {
      status.textContent = error.message;
      submit.disabled = false;
    }
  });
  queueMicrotask(() => (fields[0] ? fields[0].input : submit).focus());
  return form;
}

/** One page of the pipeline's runs, newest first, with Newer/Older. */
async function showRuns(container, uuid, offset) {
  let page;
  try {
    page = await api(`/api/pipeline_runs?pipeline_uuid=${encodeURIComponent(uuid)}&_limit=${RUNS_PER_PAGE}&_offset=${offset}`);
  } catch (error) {
    notice(error.message);
    return;
  }
  const {pipeline_runs: runs, metadata} = page;
  if (runs.length === 0) {
    replace(container, h('p', {}, 'No run yet: press Run.'));
    return;
  }
  replace(container,
    table(['Run', 'Status', 'Created', 'Completed', 'Blocks done'], runs.map((run) => h('tr', {},
      h('td', {}, h('a', {href: `#/runs/${run.id}`}, `run ${run.id}`)),
      h('td', {}, badge(run.status)),
      h('td', {}, when(run.created_at)),
      h('td', {}, when(run.completed_at)),
      h('td', {}, `${run.completed_block_runs_count} / ${run.block_runs_count}`)))),
    h('div', {class: 'pager'},
      h('button', {disabled: offset === 0, onclick: () => showRuns(container, uuid, Math.max(0, offset - RUNS_PER_PAGE))}, 'Newer'),
      h('span', {class: 'muted'}, `${offset + 1}–${offset + runs.length} of ${metadata.count}`),
      h('button', {disabled: !metadata.next, onclick: () => showRuns(container, uuid, offset + RUNS_PER_PAGE)}, 'Older')));
}
