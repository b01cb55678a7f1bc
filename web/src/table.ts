// The trial table: sortable columns, state and text filters, paging. Rows are built only for the visible page, so
// 20,000 trials cost a sort and a filter, not 20,000 DOM rows.
import { h, replaceChildren } from './dom';
import { fmtNum, fmtParam, fmtTime } from './format';
import { objectiveValue, outcomeNames } from './model';
import type { StudyConfig, Trial } from './types';

type Cell = string | number | null;

interface Column {
  id: string;
  label: string;
  get: (t: Trial) => Cell;
  show: (v: Cell) => string;
  numeric: boolean;
}

const STATES = ['all', 'pending', 'completed', 'failed', 'abandoned'] as const;

export class TrialTable {
  readonly el: HTMLElement;
  private readonly columns: Column[];
  private trials: Trial[] = [];
  private sortId = 'number';
  private sortDesc = false;
  private stateFilter: (typeof STATES)[number] = 'all';
  private text = '';
  private page = 0;
  private pageSize = 50;
  private selected: number | null = null;
  private readonly thead = h('thead');
  private readonly tbody = h('tbody');
  private readonly status = h('span', { class: 'table-status', 'data-testid': 'table-status' });
  private readonly pager = h('span', { class: 'pager' });
  private textTimer = 0;

  constructor(
    private readonly cfg: StudyConfig,
    private readonly onSelect: (num: number) => void,
  ) {
    this.columns = this.makeColumns();
    const stateSel = h('select', { 'aria-label': 'state filter', 'data-testid': 'state-filter' },
      STATES.map((s) => h('option', { value: s }, s)));
    stateSel.addEventListener('change', () => {
      this.stateFilter = stateSel.value as (typeof STATES)[number];
      this.page = 0;
      this.render();
    });
    const search = h('input', { type: 'search', placeholder: 'filter: params, worker, reason…', 'aria-label': 'filter trials', 'data-testid': 'trial-filter' });
    search.addEventListener('input', () => {
      window.clearTimeout(this.textTimer);
      this.textTimer = window.setTimeout(() => {
        this.text = search.value.trim().toLowerCase();
        this.page = 0;
        this.render();
      }, 150);
    });
    const sizeSel = h('select', { 'aria-label': 'rows per page' }, [25, 50, 100, 250].map((n) => h('option', { value: n, selected: n === this.pageSize }, `${n} / page`)));
    sizeSel.addEventListener('change', () => {
      this.pageSize = Number(sizeSel.value);
      this.page = 0;
      this.render();
    });
    this.el = h('div', { class: 'trial-table' },
      h('div', { class: 'table-controls' }, stateSel, search, sizeSel, this.status, this.pager),
      h('div', { class: 'table-scroll' }, h('table', { 'data-testid': 'trial-table' }, this.thead, this.tbody)));
    this.renderHead();
  }

  private makeColumns(): Column[] {
    const cfg = this.cfg;
    const num = (v: Cell) => (typeof v === 'number' ? fmtNum(v) : v === null ? '—' : String(v));
    const txt = (v: Cell) => (v === null || v === '' ? '—' : String(v));
    const cols: Column[] = [
      { id: 'number', label: '#', get: (t) => t.number, show: num, numeric: true },
      { id: 'state', label: 'state', get: (t) => t.state, show: txt, numeric: false },
      { id: 'objective', label: cfg.objective.name, get: (t) => objectiveValue(cfg, t), show: num, numeric: true },
    ];
    if ((cfg.constraints ?? []).length > 0) {
      cols.push({ id: 'feasible', label: 'feasible', get: (t) => (t.feasible === undefined ? null : t.feasible ? 'yes' : 'no'), show: txt, numeric: false });
    }
    if (cfg.fidelity) {
      cols.push({ id: 'fidelity', label: cfg.fidelity.name, get: (t) => t.fidelity ?? null, show: num, numeric: true });
    }
    for (const p of cfg.parameters) {
      const numeric = p.type !== 'categorical';
      cols.push({
        id: `p:${p.name}`,
        label: p.name,
        get: (t) => (t.params[p.name] ?? null) as Cell,
        show: (v) => (v === null ? '—' : fmtParam(v)),
        numeric,
      });
    }
    for (const o of outcomeNames(cfg)) {
      if (o === cfg.objective.name) continue;
      cols.push({ id: `v:${o}`, label: o, get: (t) => t.values?.[o] ?? null, show: num, numeric: true });
    }
    cols.push({ id: 'worker', label: 'worker', get: (t) => t.worker ?? null, show: txt, numeric: false });
    cols.push({ id: 'updated', label: 'updated', get: (t) => t.updated_at ?? t.completed_at ?? t.created_at ?? null, show: (v) => fmtTime(v as string | null), numeric: false });
    return cols;
  }

  setTrials(trials: Trial[]): void {
    this.trials = trials;
    this.render();
  }

  setSelected(num: number | null): void {
    this.selected = num;
    for (const tr of Array.from(this.tbody.rows)) tr.classList.toggle('selected', Number(tr.dataset.number) === num);
  }

  private renderHead(): void {
    const row = h('tr', null,
      this.columns.map((c) => {
        const arrow = c.id === this.sortId ? (this.sortDesc ? ' ▼' : ' ▲') : '';
        const th = h('th', { class: c.numeric ? 'num sortable' : 'sortable', 'data-col': c.id, title: `sort by ${c.label}` }, c.label, arrow);
        th.addEventListener('click', () => {
          if (this.sortId === c.id) this.sortDesc = !this.sortDesc;
          else {
            this.sortId = c.id;
            this.sortDesc = false;
          }
          this.page = 0;
          this.renderHead();
          this.render();
        });
        return th;
      }));
    replaceChildren(this.thead, row);
  }

  private matches(t: Trial): boolean {
    if (this.stateFilter !== 'all' && t.state !== this.stateFilter) return false;
    if (!this.text) return true;
    const hay = [String(t.number), t.state, t.worker ?? '', t.fail_reason ?? '', ...Object.values(t.params).map(String)];
    return hay.some((s) => s.toLowerCase().includes(this.text));
  }

  private rows(): Trial[] {
    const col = this.columns.find((c) => c.id === this.sortId) ?? this.columns[0];
    const rows = this.trials.filter((t) => this.matches(t));
    if (col.id === 'number') {
      if (this.sortDesc) rows.reverse();
      return rows;
    }
    const keyed = rows.map((t) => ({ t, k: col.get(t) }));
    const dir = this.sortDesc ? -1 : 1;
    keyed.sort((a, b) => {
      if (a.k === null && b.k === null) return a.t.number - b.t.number;
      if (a.k === null) return 1; // empty cells last, whichever the direction
      if (b.k === null) return -1;
      const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k));
      return c !== 0 ? c * dir : a.t.number - b.t.number;
    });
    return keyed.map((x) => x.t);
  }

  render(): void {
    const rows = this.rows();
    const pages = Math.max(1, Math.ceil(rows.length / this.pageSize));
    this.page = Math.min(this.page, pages - 1);
    const start = this.page * this.pageSize;
    const visible = rows.slice(start, start + this.pageSize);
    replaceChildren(this.tbody, visible.map((t) => this.row(t)));
    if (visible.length === 0) {
      replaceChildren(this.tbody, h('tr', null, h('td', { colspan: this.columns.length, class: 'empty' }, 'No trials match.')));
    }
    const filtered = rows.length !== this.trials.length ? ` (filtered from ${this.trials.length})` : '';
    replaceChildren(this.status,
      rows.length === 0 ? '0 trials' : `${start + 1}–${start + visible.length} of `,
      rows.length === 0 ? null : h('b', { 'data-testid': 'table-total' }, String(rows.length)),
      filtered);
    const btn = (label: string, page: number, disabled: boolean, testid: string) => {
      const b = h('button', { type: 'button', disabled, 'data-testid': testid }, label);
      b.addEventListener('click', () => {
        this.page = page;
        this.render();
      });
      return b;
    };
    replaceChildren(this.pager,
      btn('«', 0, this.page === 0, 'page-first'),
      btn('‹', this.page - 1, this.page === 0, 'page-prev'),
      h('span', { 'data-testid': 'page-label' }, ` page ${this.page + 1} / ${pages} `),
      btn('›', this.page + 1, this.page >= pages - 1, 'page-next'),
      btn('»', pages - 1, this.page >= pages - 1, 'page-last'));
  }

  private row(t: Trial): HTMLTableRowElement {
    const tr = h('tr', { class: `state-${t.state}${t.number === this.selected ? ' selected' : ''}`, 'data-number': t.number, 'data-testid': 'trial-row', tabindex: 0 },
      this.columns.map((c) => {
        const v = c.get(t);
        const td = h('td', { class: c.numeric ? 'num' : '' }, c.show(v));
        if (c.id === 'state') td.appendChild(h('span', { class: `dot ${t.state}` }));
        if (c.id === 'feasible' && v === 'no') td.className = 'infeasible';
        return td;
      }));
    const open = () => this.onSelect(t.number);
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (ev) => {
      if ((ev as KeyboardEvent).key === 'Enter') open();
    });
    return tr;
  }
}
