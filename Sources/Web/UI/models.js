// The model registry: versions with their metrics, a metric across versions, Promote and Rollback, the
// feature importance of one version, and the lineage from data to deployment.

import {api} from './api.js';
import {badge, h, notice, number, replace, section, show, table, when} from './dom.js';
import {barChart, lineChart} from './charts.js';
import {drawGraph} from './graph.js';

export async function modelsPage(main) {
  const page = new ModelsPage(main);
  await page.load();
}

class ModelsPage {
  constructor(main) {
    this.main = main;
    this.metric = null;
    this.selected = null;
  }

  async load() {
    const [{models}, {lineage}] = await Promise.all([api('/api/models?_limit=1000'), api('/api/lineage?_limit=10')]);
    this.models = models;
    if (models.length === 0) {
      replace(this.main, h('h1', {}, 'Models'), h('p', {}, 'No model version yet: run a pipeline that trains one (demo_mlops).'));
      return;
    }
    const metrics = [...new Set(models.flatMap((model) => Object.keys(model.metrics).filter((key) => number(model.metrics[key]) !== null)))].sort();
    if (!metrics.includes(this.metric)) this.metric = metrics.includes('accuracy') ? 'accuracy' : metrics[0] || null;
    if (!models.some((model) => model.version === this.selected)) this.selected = (models.find((model) => model.latest) || models[0]).version;
    const latest = models.find((model) => model.latest);
    const deployed = models.find((model) => model.status === 'deployed');
    this.chart = h('div', {class: 'graph-scroll', id: 'metric-chart'});
    this.importance = h('div', {id: 'feature-importance'});
    const picker = h('select', {id: 'metric-select', onchange: (event) => {
      this.metric = event.target.value;
      this.drawChart();
    }}, metrics.map((metric) => h('option', {value: metric, selected: metric === this.metric}, metric)));
    const versionPicker = h('select', {id: 'version-select', onchange: (event) => this.select(event.target.value)},
      models.map((model) => h('option', {value: model.version, selected: model.version === this.selected}, model.version)));
    replace(this.main,
      h('div', {class: 'title-row'}, h('h1', {}, 'Models'), h('span', {class: 'spacer'}),
        h('button', {id: 'rollback', onclick: (event) => this.change('/api/models/rollback', event.target)}, 'Roll back latest')),
      h('p', {}, 'Latest (served): ', h('strong', {id: 'latest-version'}, latest ? latest.version : 'none'),
        ' · deployed by the last run: ', h('strong', {}, deployed ? deployed.version : 'none')),
      section('Versions', table(['Version', 'Type', 'Status', ...metrics, 'Created', 'Run', ''], models.map((model) =>
        h('tr', {'data-version': model.version, 'data-latest': String(model.latest), class: model.latest ? 'current' : null},
          h('th', {scope: 'row'}, model.version, model.latest ? [' ', h('span', {class: 'badge latest'}, 'latest')] : null),
          h('td', {}, model.model_type),
          h('td', {}, badge(model.status)),
          metrics.map((metric) => h('td', {class: 'number'}, model.metrics[metric] === undefined ? '—' : show(model.metrics[metric]))),
          h('td', {class: 'nowrap'}, when(model.created_at)),
          h('td', {}, h('a', {href: `#/runs/${model.pipeline_run_id}`}, `run ${model.pipeline_run_id}`)),
          h('td', {}, h('button', {class: 'small promote', disabled: model.latest, 'aria-label': `Promote ${model.version}`,
            onclick: (event) => this.change(`/api/models/${encodeURIComponent(model.version)}/promote`, event.target)}, 'Promote')))),
      {id: 'model-versions'})),
      section('Metric across versions', metrics.length ? [h('label', {for: 'metric-select'}, 'Metric '), picker] : null, this.chart),
      section('Feature importance', h('label', {for: 'version-select'}, 'Version '), versionPicker, this.importance),
      section('Lineage', h('p', {class: 'muted'}, 'Data versions used by runs, the models they trained, and where those serve (newest 10 versions).'),
        h('div', {class: 'graph-scroll', id: 'lineage'}, lineage.nodes.length ? drawGraph({
          label: 'Lineage of the newest model versions',
          nodes: lineage.nodes.map((node) => ({id: node.id, label: node.label, detail: lineageDetail(node), className: `kind-${node.type}`,
            title: `${node.type} ${node.label}`})),
          edges: lineage.edges.map((edge) => ({from: edge.from, to: edge.to, label: edge.relation})),
        }) : h('p', {}, 'No lineage yet.'))));
    this.drawChart();
    await this.select(this.selected);
  }

  drawChart() {
    const points = [...this.models].reverse()
      .filter((model) => number(model.metrics[this.metric]) !== null)
      .map((model) => ({label: model.version, value: model.metrics[this.metric], marked: model.latest}));
    replace(this.chart, points.length ? lineChart(points, {label: `${this.metric} of each version, oldest first; the latest ringed`})
      : h('p', {class: 'muted'}, 'No numeric metric.'));
  }

  async select(version) {
    this.selected = version;
    try {
      const {model} = await api(`/api/models/${encodeURIComponent(version)}`);
      const bars = importanceBars(model.feature_importance);
      replace(this.importance,
        model.hyperparameters && typeof model.hyperparameters === 'object' ? h('p', {}, 'Hyperparameters: ',
          Object.entries(model.hyperparameters).map(([name, value]) => h('code', {class: 'pair'}, `${name}=${show(value)}`))) : null,
        bars.length ? barChart(bars, {label: `Feature importance of ${version}`}) : h('p', {class: 'muted'}, 'This version records no feature importance.'));
    } catch (error) {
      replace(this.importance, h('p', {class: 'error'}, error.message));
    }
  }

  async change(path, button) {
    button.disabled = true;
    try {
      const {model} = await api(path, {method: 'POST'});
      await this.load();
      notice(null);
      const status = document.getElementById('latest-version');
      if (status) status.textContent = model.version;
    } catch (error) {
      notice(error.message);
      button.disabled = false;
    }
  }
}

/** `{feature: importance}` (or a list of `{feature, importance}`), largest first. */
function importanceBars(value) {
  if (!value) return [];
  const entries = Array.isArray(value)
    ? value.map((item) => [item.feature ?? item.name, item.importance ?? item.value])
    : Object.entries(value);
  return entries.filter(([, importance]) => number(importance) !== null)
    .map(([label, importance]) => ({label: String(label), value: importance}))
    .sort((a, b) => b.value - a.value);
}

function lineageDetail(node) {
  const details = node.details || {};
  switch (node.type) {
    case 'dataset': return `${details.rows} rows · ${details.features} features`;
    case 'pipeline_run': return `${details.status}`;
    case 'model': return details.latest ? `${details.status} · latest` : `${details.status}`;
    default: return node.type;
  }
}
