// The triggers of one pipeline (its triggers.yaml ones and those made through the API): their schedule,
// status, next run time in their own zone and last run, with Enable/Disable, and Run@once, which makes a
// one-off trigger that the scheduler turns into a run.

import {api} from './api.js';
import {badge, h, replace, table} from './dom.js';

/** Draws the triggers of `uuid` into `container`; `note` shows what an action did. */
export async function showTriggers(container, uuid, note) {
  const {pipeline_schedules: triggers} = await api(`/api/pipelines/${encodeURIComponent(uuid)}/pipeline_schedules?_limit=1000`);
  if (triggers.length === 0) {
    replace(container, h('p', {}, 'No trigger: add pipelines/', uuid, '/triggers.yaml, or press Run@once.'));
    return;
  }
  replace(container, table(['Trigger', 'Type', 'Schedule', 'Status', 'Next run', 'Last run', ''], triggers.map((trigger) => {
    const toggle = h('button', {class: 'small', 'data-action': 'toggle',
      onclick: () => setStatus(container, uuid, note, trigger, toggle)}, trigger.status === 'active' ? 'Disable' : 'Enable');
    return h('tr', {id: `trigger-${trigger.id}`, 'data-trigger': trigger.name, 'data-status': trigger.status},
      h('th', {scope: 'row'}, trigger.name, h('span', {class: 'muted'}, ` ${trigger.origin === 'file' ? 'triggers.yaml' : 'API'}`)),
      h('td', {}, trigger.schedule_type),
      h('td', {}, schedule(trigger)),
      h('td', {}, badge(trigger.status), trigger.errors.length ? h('span', {class: 'error'}, ` ${trigger.errors.join('; ')}`) : null),
      h('td', {}, trigger.next_run_time ? `${trigger.next_run_time.replace('T', ' ')} ${trigger.timezone}` : '—'),
      h('td', {}, trigger.last_pipeline_run_id
        ? [h('a', {href: `#/runs/${trigger.last_pipeline_run_id}`}, `run ${trigger.last_pipeline_run_id}`), ' ', badge(trigger.last_pipeline_run_status)]
        : '—'),
      h('td', {}, toggle));
  }), {class: 'list', id: 'triggers'}));
}

function schedule(trigger) {
  if (trigger.schedule_type === 'api') return 'by request';
  if (trigger.interval) return `every ${trigger.interval} s`;
  return trigger.schedule_interval || '—';
}

async function setStatus(container, uuid, note, trigger, button) {
  button.disabled = true;
  const status = trigger.status === 'active' ? 'inactive' : 'active';
  try {
    await api(`/api/pipeline_schedules/${trigger.id}`, {method: 'PUT', body: {pipeline_schedule: {status}}});
    note.textContent = `Trigger ${trigger.name} is ${status} now.`;
    note.className = 'muted';
    await showTriggers(container, uuid, note);
  } catch (error) {
    note.textContent = error.message;
    note.className = 'error';
    button.disabled = false;
  }
}

/** Makes an active `@once` trigger starting now; the scheduler creates its run. */
export async function runOnce(container, uuid, note) {
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  const body = {pipeline_schedule: {name: `run_once_${stamp}`, schedule_type: 'time', schedule_interval: '@once',
    start_time: now.toISOString(), status: 'active'}};
  try {
    const {pipeline_schedule: trigger} = await api(`/api/pipelines/${encodeURIComponent(uuid)}/pipeline_schedules`, {method: 'POST', body});
    note.textContent = `Trigger ${trigger.name} made: the scheduler creates its run within a second (mage start --role scheduler).`;
    note.className = 'muted';
    await showTriggers(container, uuid, note);
  } catch (error) {
    note.textContent = error.message;
    note.className = 'error';
  }
}
