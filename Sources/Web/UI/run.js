// One pipeline run, live: its blocks' statuses and durations (polled every second until the run ends),
// a timeline of the blocks, the log of one block streamed as it is written, Cancel and Retry, and the
// trigger that made it, with its SLA and timeout marks.

import {APIError, api, followEvents} from './api.js';
import {badge, h, notice, replace, section, seconds, show, when} from './dom.js';
import {timeline} from './charts.js';

const POLL_MS = 1000;
const FINISHED = new Set(['completed', 'failed', 'cancelled']);
const BLOCK_FINISHED = new Set(['completed', 'failed', 'cancelled', 'upstream_failed']);

export async function runPage(main, id) {
  const page = new RunPage(main, id);
  await page.start();
  return () => page.stop();
}

class RunPage {
  constructor(main, id) {
    this.main = main;
    this.id = id;
    this.timer = null;
    this.stopped = false;
    this.rows = new Map();
    this.stream = null;
    this.shownBlockRun = null;
    this.pickedByHand = false;
    this.streamEnded = false;
  }

  async start() {
    const {pipeline_run: run} = await api(`/api/pipeline_runs/${this.id}`);
    this.status = h('span', {id: 'run-status'});
    this.times = h('p', {class: 'muted'});
    this.triggerLine = h('p', {id: 'run-trigger'});
    this.triggerName = run.pipeline_schedule_id ? await triggerName(run.pipeline_schedule_id) : null;
    this.cancelButton = h('button', {id: 'cancel-run', onclick: () => this.act({status: 'cancelled'}, this.cancelButton)}, 'Cancel');
    this.retryButton = h('button', {id: 'retry-run', onclick: () => this.act({pipeline_run_action: 'retry_blocks'}, this.retryButton)},
      'Retry failed blocks');
    this.blockRows = h('tbody', {});
    this.chart = h('div', {class: 'graph-scroll', id: 'run-timeline'});
    this.logTitle = h('h3', {id: 'log-title'}, 'Log');
    this.log = h('pre', {class: 'log', id: 'block-log', tabindex: '0', 'aria-live': 'off', 'aria-labelledby': 'log-title'});
    this.logState = h('p', {class: 'muted', id: 'log-state'});
    replace(this.main,
      h('div', {class: 'title-row'},
        h('h1', {}, `Run ${run.id} of `, h('a', {href: `#/pipelines/${encodeURIComponent(run.pipeline_uuid)}`}, run.pipeline_uuid)),
        this.status, h('span', {class: 'spacer'}), this.cancelButton, this.retryButton),
      this.times,
      this.triggerLine,
      Object.keys(run.variables).length ? h('p', {}, 'Variables: ',
        Object.entries(run.variables).map(([name, value]) => h('code', {class: 'pair'}, `${name}=${show(value)}`))) : null,
      section('Blocks', h('div', {class: 'table-scroll'}, h('table', {id: 'block-runs'},
        h('thead', {}, h('tr', {}, ['Block', 'Status', 'Attempts', 'Started', 'Duration', 'Error', 'Log'].map((title) => h('th', {scope: 'col'}, title)))),
        this.blockRows))),
      section('Timeline', h('p', {class: 'muted'}, 'Each bar starts when its block started and is as long as it ran.'), this.chart),
      section('Log', this.logTitle, this.logState, this.log));
    this.show(run);
    this.schedule(run);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.stream) this.stream.close();
  }

  schedule(run) {
    clearTimeout(this.timer);
    if (!this.stopped && !FINISHED.has(run.status)) this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  async poll() {
    try {
      const {pipeline_run: run} = await api(`/api/pipeline_runs/${this.id}`);
      if (this.stopped) return;
      notice(null);
      this.show(run);
      this.schedule(run);
    } catch (error) {
      if (this.stopped) return;
      notice(`cannot read run ${this.id}: ${error.message}; trying again`);
      this.timer = setTimeout(() => this.poll(), POLL_MS * 3);
    }
  }

  async act(change, button) {
    button.disabled = true;
    try {
      const {pipeline_run: run} = await api(`/api/pipeline_runs/${this.id}`, {method: 'PUT', body: {pipeline_run: change}});
      notice(null);
      if (change.pipeline_run_action) this.pickedByHand = false;
      this.show(run);
      this.schedule(run);
    } catch (error) {
      notice(error instanceof APIError ? error.message : `the request failed: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  }

  show(run) {
    this.run = run;
    replace(this.status, badge(run.status));
    this.times.textContent = `created ${when(run.created_at)} · started ${when(run.started_at)} · completed ${when(run.completed_at)}`;
    this.showTrigger(run);
    this.cancelButton.hidden = !(run.status === 'initial' || run.status === 'running');
    this.retryButton.hidden = !(run.status === 'failed' || run.status === 'cancelled');
    const now = Date.now();
    for (const blockRun of run.block_runs) this.showBlockRun(blockRun, now);
    const current = new Set(run.block_runs.map((blockRun) => blockRun.id));
    for (const [id, row] of this.rows) {
      if (!current.has(id)) {
        row.element.remove();
        this.rows.delete(id);
        if (id === this.shownBlockRun) this.pickedByHand = false;
      }
    }
    replace(this.chart, timeline(run.block_runs.map((blockRun) => ({
      label: blockRun.block_uuid, status: blockRun.status,
      start: blockRun.started_at ? Date.parse(blockRun.started_at) : null,
      end: blockRun.completed_at ? Date.parse(blockRun.completed_at) : (BLOCK_FINISHED.has(blockRun.status) ? Date.parse(blockRun.started_at) : null),
    })), now, {label: `Timeline of run ${run.id}`}));
    const shown = run.block_runs.find((blockRun) => blockRun.id === this.shownBlockRun);
    if (shown && this.streamEnded && !BLOCK_FINISHED.has(shown.status)) this.showLog(shown.id, false, true);
    else this.followLog(run);
  }

  /** The trigger that made the run (a link to its pipeline's triggers), its tick, and its SLA and timeout marks. */
  showTrigger(run) {
    this.triggerLine.hidden = !run.pipeline_schedule_id;
    if (!run.pipeline_schedule_id) return;
    replace(this.triggerLine, 'Trigger ',
      h('a', {href: `#/pipelines/${encodeURIComponent(run.pipeline_uuid)}`, id: 'run-trigger-link'},
        this.triggerName || `pipeline schedule ${run.pipeline_schedule_id} (deleted)`),
      run.execution_date ? ` · execution date ${when(run.execution_date)}` : ' · asked through its API',
      run.sla_missed_at ? [' ', h('span', {class: 'badge flag', id: 'sla-missed', title: `SLA missed, noticed ${when(run.sla_missed_at)}`}, 'SLA missed')] : null,
      run.timed_out_at ? [' ', h('span', {class: 'badge flag', id: 'timed-out', title: `stopped ${when(run.timed_out_at)}`}, 'timed out')] : null);
  }

  showBlockRun(blockRun, now) {
    let row = this.rows.get(blockRun.id);
    if (!row) {
      row = {
        status: h('td', {}), attempts: h('td', {}), started: h('td', {}), duration: h('td', {}), error: h('td', {class: 'error'}),
        button: h('button', {class: 'small', 'aria-pressed': 'false', onclick: () => this.showLog(blockRun.id, true)}, 'Show log'),
      };
      row.element = h('tr', {'data-block': blockRun.block_uuid, 'data-block-run': blockRun.id},
        h('th', {scope: 'row'}, blockRun.block_uuid), row.status, row.attempts, row.started, row.duration, row.error, h('td', {}, row.button));
      this.rows.set(blockRun.id, row);
      this.blockRows.append(row.element);
    }
    row.blockRun = blockRun;
    row.element.dataset.status = blockRun.status;
    replace(row.status, badge(blockRun.status));
    row.attempts.textContent = String(blockRun.attempts);
    row.started.textContent = when(blockRun.started_at);
    const running = blockRun.started_at && !blockRun.completed_at && !BLOCK_FINISHED.has(blockRun.status);
    row.duration.textContent = running ? `${seconds((now - Date.parse(blockRun.started_at)) / 1000)} …` : seconds(blockRun.duration_seconds);
    row.error.textContent = blockRun.error || '';
  }

  /** Unless the reader picked a block, the log shown is the running block's, else the first failed, else the last. */
  followLog(run) {
    if (this.pickedByHand && this.shownBlockRun !== null) return;
    const blockRuns = run.block_runs;
    const pick = blockRuns.find((b) => b.status === 'running') || blockRuns.find((b) => b.status === 'failed')
      || [...blockRuns].reverse().find((b) => b.started_at) || blockRuns[0];
    if (pick && pick.id !== this.shownBlockRun) this.showLog(pick.id, false);
  }

  /** `again`: reopen the log shown, whose stream ended, because its block runs again (a retry). */
  showLog(blockRunID, byHand, again = false) {
    if (byHand) this.pickedByHand = true;
    if (blockRunID === this.shownBlockRun && !again) return;
    this.streamEnded = false;
    if (this.stream) this.stream.close();
    this.shownBlockRun = blockRunID;
    for (const [id, row] of this.rows) row.button.setAttribute('aria-pressed', String(id === blockRunID));
    const row = this.rows.get(blockRunID);
    this.logTitle.textContent = `Log of ${row.blockRun.block_uuid} (block run ${blockRunID})`;
    this.log.replaceChildren();
    this.logState.textContent = 'following…';
    this.stream = followEvents(`/api/block_runs/${blockRunID}/logs/stream`, (name, data) => this.logEvent(name, data));
  }

  logEvent(name, data) {
    if (name === 'log') {
      const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
      const line = h('span', {class: /\b(error|fatal|signal|killed|timed out)\b/i.test(data) ? 'line bad' : 'line'}, data);
      this.log.append(line, '\n');
      if (atBottom) this.log.scrollTop = this.log.scrollHeight;
    } else if (name === 'status' || name === 'end') {
      let state;
      try {
        state = JSON.parse(data);
      } catch {
        return;
      }
      if (name === 'end') this.streamEnded = true;
      const ended = name === 'end' ? 'ended: ' : '';
      this.logState.textContent = `${ended}${state.status}, attempt ${state.attempts}${state.error ? ` — ${state.error}` : ''}`;
      this.logState.className = state.error ? 'error' : 'muted';
    } else if (name === 'error') {
      this.logState.textContent = `cannot follow the log: ${data}`;
      this.logState.className = 'error';
    }
  }
}

/** The name of a trigger, or null when it was deleted. */
async function triggerName(id) {
  try {
    const {pipeline_schedule: trigger} = await api(`/api/pipeline_schedules/${id}`);
    return trigger.name;
  } catch (error) {
    if (error instanceof APIError && error.status === 404) return null;
    throw error;
  }
}
