// A trial's detail panel: everything the API says about it, the suggestion's diagnostics included.
import { h } from './dom';
import { fmtNum, fmtParam, fmtTime } from './format';
import { objectiveValue } from './model';
import type { StudyConfig, Trial } from './types';

function kv(rows: [string, Node | string][]): HTMLTableElement {
  return h('table', { class: 'kv' }, rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v))));
}

export function trialDetail(cfg: StudyConfig, t: Trial, onClose: () => void): HTMLElement {
  const close = h('button', { type: 'button', class: 'close', 'aria-label': 'close', 'data-testid': 'detail-close' }, '×');
  close.addEventListener('click', onClose);
  const facts: [string, Node | string][] = [['state', t.state]];
  const obj = objectiveValue(cfg, t);
  if (obj !== null) facts.push([cfg.objective.name, fmtNum(obj)]);
  if (t.feasible !== undefined) facts.push(['feasible', t.feasible ? 'yes' : 'no']);
  if (t.fidelity !== undefined) facts.push([cfg.fidelity?.name ?? 'fidelity', fmtNum(t.fidelity)]);
  if (t.cost !== undefined) facts.push(['cost', fmtNum(t.cost)]);
  if (t.worker) facts.push(['worker', t.worker]);
  if (t.external) facts.push(['external', 'yes (recorded, not suggested)']);
  facts.push(['created', fmtTime(t.created_at)]);
  if (t.completed_at) facts.push(['completed', fmtTime(t.completed_at)]);
  if (t.updated_at) facts.push(['updated', fmtTime(t.updated_at)]);

  const values = Object.entries(t.values ?? {});
  const diag = t.diagnostics && Object.keys(t.diagnostics).length > 0 ? JSON.stringify(t.diagnostics, null, 2) : null;
  return h('aside', { class: 'detail', 'data-testid': 'trial-detail', 'aria-label': `trial ${t.number}` },
    h('div', { class: 'detail-head' }, h('h3', null, `Trial #${t.number}`), close),
    kv(facts),
    t.fail_reason !== undefined ? h('div', { class: 'fail-reason' }, h('h4', null, 'Failure reason'), h('pre', { 'data-testid': 'fail-reason' }, t.fail_reason)) : null,
    h('h4', null, 'Parameters'),
    kv(Object.entries(t.params).map(([k, v]) => [k, fmtParam(v)])),
    values.length > 0 ? h('h4', null, 'Values') : null,
    values.length > 0
      ? kv(values.map(([k, v]) => [k, t.noise?.[k] !== undefined ? `${fmtNum(v)} ± ${fmtNum(t.noise[k])}` : fmtNum(v)]))
      : null,
    h('h4', null, 'Diagnostics'),
    diag ? h('pre', { class: 'diagnostics', 'data-testid': 'diagnostics' }, diag) : h('p', { class: 'muted' }, 'none recorded'),
  );
}
