// The study list: name, strategy, trial counts by state, best value, last activity; filter by name and strategy.
import { listStudies } from './api';
import { h, replaceChildren, studyHref } from './dom';
import { fmtAgo, fmtNum, fmtTime } from './format';
import type { Study } from './types';
import type { Ctx, View } from './view';

export function studyListView(ctx: Ctx): View {
  let studies: Study[] = [];
  let disposed = false;
  let text = '';
  let strategy = '';
  let timer = 0;
  let loading = false;
  let again = false;

  const search = h('input', { type: 'search', placeholder: 'filter by name…', 'aria-label': 'filter studies', 'data-testid': 'study-filter' });
  const strategySel = h('select', { 'aria-label': 'strategy filter', 'data-testid': 'strategy-filter' });
  const body = h('tbody');
  const status = h('p', { class: 'muted', 'data-testid': 'study-count' }, 'Loading…');
  const error = h('p', { class: 'error', hidden: true });
  replaceChildren(ctx.root,
    h('section', { class: 'card' },
      h('div', { class: 'list-head' }, h('h1', null, 'Studies'), search, strategySel),
      error,
      h('div', { class: 'table-scroll' },
        h('table', { class: 'study-table', 'data-testid': 'study-table' },
          h('thead', null, h('tr', null,
            h('th', null, 'name'), h('th', null, 'strategy'),
            h('th', { class: 'num' }, 'pending'), h('th', { class: 'num' }, 'completed'), h('th', { class: 'num' }, 'failed'),
            h('th', { class: 'num' }, 'abandoned'), h('th', { class: 'num' }, 'total'),
            h('th', { class: 'num' }, 'best'), h('th', null, 'last activity'), h('th', null, 'created'))),
          body)),
      status));

  search.addEventListener('input', () => {
    text = search.value.trim().toLowerCase();
    render();
  });
  strategySel.addEventListener('change', () => {
    strategy = strategySel.value;
    render();
  });

  function render(): void {
    const strategies = [...new Set(studies.map((s) => s.summary.strategy ?? s.config.strategy.name))].sort();
    replaceChildren(strategySel, h('option', { value: '' }, 'all strategies'),
      strategies.map((s) => h('option', { value: s, selected: s === strategy }, s)));
    const rows = studies
      .filter((s) => (!text || s.name.toLowerCase().includes(text)) && (!strategy || (s.summary.strategy ?? s.config.strategy.name) === strategy))
      .sort((a, b) => (b.summary.last_activity ?? b.created_at).localeCompare(a.summary.last_activity ?? a.created_at));
    replaceChildren(body, rows.map((s) => {
      const c = s.summary.trials;
      return h('tr', { 'data-testid': 'study-row', 'data-study': s.name },
        h('td', null, h('a', { href: studyHref(s.name) }, s.name)),
        h('td', null, s.summary.strategy ?? s.config.strategy.name),
        h('td', { class: 'num', 'data-col': 'pending' }, String(c.pending)),
        h('td', { class: 'num', 'data-col': 'completed' }, String(c.completed)),
        h('td', { class: 'num', 'data-col': 'failed' }, String(c.failed)),
        h('td', { class: 'num', 'data-col': 'abandoned' }, String(c.abandoned)),
        h('td', { class: 'num', 'data-col': 'total' }, String(c.total)),
        h('td', { class: 'num', 'data-col': 'best' }, fmtNum(s.summary.best_value)),
        h('td', { title: fmtTime(s.summary.last_activity) }, fmtAgo(s.summary.last_activity)),
        h('td', null, fmtTime(s.created_at)));
    }));
    if (rows.length === 0) {
      body.appendChild(h('tr', null, h('td', { colspan: 10, class: 'empty' },
        studies.length === 0 ? 'No studies yet. Create one with POST /api/v1/studies.' : 'No study matches the filter.')));
    }
    status.textContent = `${rows.length} of ${studies.length} studies`;
  }

  async function load(): Promise<void> {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      do {
        again = false;
        const res = await listStudies();
        if (disposed) return;
        studies = res.studies;
        error.hidden = true;
        render();
      } while (again && !disposed);
    } catch (e) {
      error.hidden = false;
      error.textContent = `Could not load studies: ${(e as Error).message}`;
    } finally {
      loading = false;
    }
  }

  const refreshSoon = () => {
    if (timer) return;
    timer = window.setTimeout(() => {
      timer = 0;
      void load();
    }, 500);
  };
  const sub = ctx.events.listen(refreshSoon, refreshSoon);
  const ageTimer = window.setInterval(render, 30000);
  void load();
  return {
    dispose() {
      disposed = true;
      sub.close();
      window.clearTimeout(timer);
      window.clearInterval(ageTimer);
    },
  };
}
