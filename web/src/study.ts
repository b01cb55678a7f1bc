// One study: summary, optimization history, constraint feasibility, parameters (parallel coordinates, slices), the
// surrogate's contour, the trial table with a detail panel, and the configuration. Kept live from server-sent events.
import { ApiError, getStudy, predict } from './api';
import { Chart } from './charts/echarts';
import { contourOption, gridPosition } from './charts/contour';
import { feasibilityOption } from './charts/feasibility';
import { historyOption } from './charts/history';
import { parallelOption } from './charts/parallel';
import { type SliceModel, sliceOption } from './charts/slices';
import { trialDetail } from './detail';
import { h, replaceChildren } from './dom';
import { fmtAgo, fmtNum, fmtParam, fmtTime } from './format';
import { paramGrid, paramMiddle } from './model';
import { TrialStore } from './store';
import { TrialTable } from './table';
import type { ParamSpec, ParamValue, Prediction, ServerEvent, Study, StudyConfig } from './types';
import type { Ctx, View } from './view';

const SLICE_POINTS = 40;
const CONTOUR_POINTS = 30;
const MODEL_REFRESH_MS = 5000;

export function studyView(ctx: Ctx, name: string): View {
  let disposed = false;
  let study: Study | null = null;
  let loaded = false;
  const store = new TrialStore(name);
  const charts: Chart[] = [];
  let table: TrialTable | null = null;
  let selected: number | null = null;
  const timers = new Set<number>();

  const later = (ms: number, f: () => void) => {
    const id = window.setTimeout(() => {
      timers.delete(id);
      if (!disposed) f();
    }, ms);
    timers.add(id);
    return id;
  };

  // ---- skeleton -------------------------------------------------------------------------------------------------
  const title = h('h1', { 'data-testid': 'study-name' }, name);
  const meta = h('p', { class: 'muted' });
  const cards = h('div', { class: 'cards' });
  const banner = h('p', { class: 'error', hidden: true, 'data-testid': 'study-error' });
  const loadStatus = h('p', { class: 'muted', 'data-testid': 'load-status' }, 'Loading…');
  const historyEl = h('div', { class: 'chart tall', 'data-testid': 'history-chart' });
  const feasText = h('p', { 'data-testid': 'feasibility-summary' });
  const feasGrid = h('div', { class: 'chart-grid' });
  const parallelEl = h('div', { class: 'chart tall', 'data-testid': 'parallel-chart' });
  const sliceGrid = h('div', { class: 'chart-grid', 'data-testid': 'slices' });
  const modelStatus = h('p', { class: 'notice', 'data-testid': 'model-status' }, 'Asking the model…');
  const contourControls = h('div', { class: 'contour-controls' });
  const contourMeanEl = h('div', { class: 'chart square', 'data-testid': 'contour-mean' });
  const contourSdEl = h('div', { class: 'chart square', 'data-testid': 'contour-sd' });
  const contourBox = h('div', { class: 'contour', hidden: true }, contourControls, h('div', { class: 'pair' }, contourMeanEl, contourSdEl));
  const tableBox = h('div');
  const detailBox = h('div', { class: 'detail-box' });
  const configBox = h('div');

  const section = (id: string, heading: string, ...body: Node[]) =>
    h('section', { class: 'card', id: `sec-${id}` }, h('h2', null, heading), ...body);
  const nav = h('nav', { class: 'sections' },
    ([['history', 'History'], ['feasibility', 'Feasibility'], ['parameters', 'Parameters'], ['model', 'Model'], ['trials', 'Trials'], ['config', 'Configuration']] as const)
      .map(([id, label]) => {
        const a = h('a', { href: `#/studies/${encodeURIComponent(name)}` }, label);
        a.addEventListener('click', (ev) => {
          ev.preventDefault();
          document.getElementById(`sec-${id}`)?.scrollIntoView({ behavior: 'smooth' });
        });
        return a;
      }));

  replaceChildren(ctx.root,
    h('div', { class: 'study-head card' }, h('a', { href: '#/', class: 'back' }, '← all studies'), title, meta, banner, cards, loadStatus, nav),
    section('history', 'Optimization history', historyEl),
    section('feasibility', 'Constraint feasibility', feasText, feasGrid),
    section('parameters', 'Parameters', h('h3', null, 'Parallel coordinates'), parallelEl, h('h3', null, 'Slices'), sliceGrid),
    section('model', 'Surrogate model', modelStatus, contourBox),
    section('trials', 'Trials', tableBox),
    section('config', 'Configuration', configBox),
    detailBox);

  // ---- summary ----------------------------------------------------------------------------------------------------
  function renderSummary(): void {
    if (!study) return;
    const s = study.summary;
    const c = s.trials;
    meta.textContent = `strategy ${s.strategy ?? study.config.strategy.name} · ${study.config.objective.goal} ${study.config.objective.name} · created ${fmtTime(study.created_at)}`;
    const card = (label: string, value: Node | string, testid: string, cls = '') =>
      h('div', { class: `stat ${cls}` }, h('div', { class: 'stat-value', 'data-testid': testid }, value), h('div', { class: 'stat-label' }, label));
    let bestNode: Node | string = fmtNum(s.best_value);
    const bestTrial = s.best_trial;
    if (bestTrial !== null && bestTrial !== undefined) {
      const link = h('a', { href: '#', 'data-testid': 'best-trial-link', title: `open trial #${bestTrial}` }, `#${bestTrial}`);
      link.addEventListener('click', (ev) => {
        ev.preventDefault();
        select(bestTrial);
      });
      bestNode = h('span', null, h('span', { 'data-testid': 'best-value' }, fmtNum(s.best_value)), ' ', h('small', null, link));
    } else {
      bestNode = h('span', { 'data-testid': 'best-value' }, fmtNum(s.best_value));
    }
    replaceChildren(cards,
      card('total', String(c.total), 'count-total'),
      card('pending', String(c.pending), 'count-pending', 'pending'),
      card('completed', String(c.completed), 'count-completed', 'completed'),
      card('failed', String(c.failed), 'count-failed', 'failed'),
      card('abandoned', String(c.abandoned), 'count-abandoned', 'abandoned'),
      card(`best ${study.config.objective.name}`, bestNode, 'best'),
      card('last activity', h('span', { title: fmtTime(s.last_activity) }, fmtAgo(s.last_activity)), 'last-activity'));
  }

  let summaryTimer = 0;
  let summaryAgain = false;
  function refreshSummarySoon(): void {
    if (summaryTimer) {
      summaryAgain = true;
      return;
    }
    summaryTimer = later(700, async () => {
      try {
        study = await getStudy(name);
        if (disposed) return;
        renderSummary();
        maybeRefreshModel();
      } catch (e) {
        showError(e);
      } finally {
        summaryTimer = 0;
        if (summaryAgain) {
          summaryAgain = false;
          refreshSummarySoon();
        }
      }
    });
  }

  function showError(e: unknown): void {
    banner.hidden = false;
    banner.textContent = e instanceof ApiError && e.status === 404 ? `Study "${name}" does not exist.` : `Error: ${(e as Error).message}`;
  }

  // ---- charts and table -------------------------------------------------------------------------------------------
  let historyChart: Chart | null = null;
  let parallelChart: Chart | null = null;
  const sliceCharts = new Map<string, Chart>();
  const feasCharts: Chart[] = [];
  let sliceModels: Map<string, SliceModel> | null = null;

  function newChart(el: HTMLElement): Chart {
    const c = new Chart(el);
    charts.push(c);
    return c;
  }

  function buildStatic(cfg: StudyConfig): void {
    historyChart = newChart(historyEl);
    parallelChart = newChart(parallelEl);
    for (const p of cfg.parameters) {
      const el = h('div', { class: 'chart small', 'data-param': p.name });
      sliceGrid.appendChild(el);
      sliceCharts.set(p.name, newChart(el));
    }
    for (const _ of cfg.constraints ?? []) {
      const el = h('div', { class: 'chart small' });
      feasGrid.appendChild(el);
      feasCharts.push(newChart(el));
    }
    table = new TrialTable(cfg, select);
    tableBox.appendChild(table.el);
    renderConfig(cfg);
  }

  let tableTimer = 0;
  let chartTimer = 0;
  let lastCharts = 0;
  function scheduleRender(): void {
    if (!tableTimer) {
      tableTimer = later(loaded ? 100 : 500, () => {
        tableTimer = 0;
        renderTable();
      });
    }
    // While the initial load runs, charts are drawn once (after the first page) and then at the end: redrawing
    // 20,000 points per page would starve the fetches.
    if (!loaded && lastCharts !== 0) return;
    if (!chartTimer) {
      const interval = store.trials.length > 5000 ? 2000 : 400;
      chartTimer = later(Math.max(50, interval - (Date.now() - lastCharts)), () => {
        chartTimer = 0;
        lastCharts = Date.now();
        renderCharts();
      });
    }
  }

  function renderTable(): void {
    if (!table) return;
    const t0 = performance.now();
    table.setTrials(store.list());
    if (selected !== null) renderDetail();
    performance.measure('bayesd:table', { start: t0 });
  }

  function renderCharts(): void {
    if (!study) return;
    const t0 = performance.now();
    renderChartsNow(study.config);
    performance.measure('bayesd:charts', { start: t0 });
  }

  function renderChartsNow(cfg: StudyConfig): void {
    const trials = store.list();
    historyChart?.set(historyOption(cfg, trials));
    parallelChart?.set(parallelOption(cfg, trials));
    const objectiveModelled = sliceModels !== null;
    for (const p of cfg.parameters) {
      sliceCharts.get(p.name)?.set(sliceOption(cfg, p, trials, objectiveModelled ? (sliceModels?.get(p.name) ?? null) : null));
    }
    const cons = cfg.constraints ?? [];
    cons.forEach((c, i) => feasCharts[i]?.set(feasibilityOption(c, trials)));
    let feasible = 0;
    let infeasible = 0;
    for (const t of trials) {
      if (t.state !== 'completed') continue;
      if (t.feasible === false) infeasible++;
      else feasible++;
    }
    replaceChildren(feasText,
      cons.length === 0
        ? 'This study has no constraints: every completed trial is feasible.'
        : [h('b', { 'data-testid': 'feasible-count' }, String(feasible)), ' feasible, ',
           h('b', { 'data-testid': 'infeasible-count' }, String(infeasible)), ` infeasible of ${feasible + infeasible} completed trials.`]);
  }

  // ---- detail panel -----------------------------------------------------------------------------------------------
  function select(num: number | null): void {
    selected = num;
    table?.setSelected(num);
    renderDetail();
  }

  function renderDetail(): void {
    if (!study || selected === null) {
      replaceChildren(detailBox);
      return;
    }
    const t = store.trials[selected];
    replaceChildren(detailBox, t ? trialDetail(study.config, t, () => select(null)) : h('aside', { class: 'detail' }, `Trial #${selected} is loading…`));
  }

  // ---- configuration ----------------------------------------------------------------------------------------------
  function renderConfig(cfg: StudyConfig): void {
    const range = (p: ParamSpec) =>
      p.type === 'categorical' ? (p.choices ?? []).map((c) => fmtParam(c)).join(', ') : `[${fmtNum(p.low)}, ${fmtNum(p.high)}]${p.log ? ' log' : ''}`;
    const rows: [string, string][] = [
      ['objective', `${cfg.objective.goal} ${cfg.objective.name}${cfg.objective.expression ? ` = ${cfg.objective.expression}` : ''}`],
      ['strategy', JSON.stringify(cfg.strategy)],
      ['seed', cfg.seed === undefined ? '—' : String(cfg.seed)],
    ];
    if (cfg.outputs && cfg.outputs.length > 0) rows.push(['outputs', cfg.outputs.map((o) => o.name).join(', ')]);
    for (const c of cfg.constraints ?? []) rows.push(['constraint', `${c.name} ${c.op} ${fmtNum(c.bound)}`]);
    if (cfg.fidelity) rows.push(['fidelity', JSON.stringify(cfg.fidelity)]);
    replaceChildren(configBox,
      h('table', { class: 'params', 'data-testid': 'config-params' },
        h('thead', null, h('tr', null, h('th', null, 'parameter'), h('th', null, 'type'), h('th', null, 'range / choices'))),
        h('tbody', null, cfg.parameters.map((p) => h('tr', null, h('td', null, p.name), h('td', null, p.type), h('td', null, range(p)))))),
      h('table', { class: 'kv' }, rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))),
      h('details', null, h('summary', null, 'Raw configuration (JSON)'), h('pre', { 'data-testid': 'config-json' }, JSON.stringify(cfg, null, 2))));
  }

  // ---- surrogate model --------------------------------------------------------------------------------------------
  let modelCompleted = -1;
  let modelBusy = false;
  let lastModel = 0;
  let modelTimer = 0;
  let contourMean: Chart | null = null;
  let contourSd: Chart | null = null;
  let contourX = '';
  let contourY = '';
  let contourOutcome = '';
  let outcomes: string[] = [];

  function maybeRefreshModel(): void {
    if (!study || !loaded) return;
    if (study.summary.trials.completed === modelCompleted || modelTimer) return;
    modelTimer = later(Math.max(0, MODEL_REFRESH_MS - (Date.now() - lastModel)), () => {
      modelTimer = 0;
      void refreshModel();
    });
  }

  function basePoint(cfg: StudyConfig): Record<string, ParamValue> {
    const best = study?.summary.best_trial;
    const t = best !== null && best !== undefined ? store.trials[best] : undefined;
    const base: Record<string, ParamValue> = {};
    for (const p of cfg.parameters) base[p.name] = t?.params[p.name] ?? paramMiddle(p);
    return base;
  }

  // Why no model can exist yet, known without asking: predict would answer 409, which browsers log as a console
  // error for the failed request. null when the server should be asked.
  function noModelReason(): string | null {
    if (!study) return null;
    const strategy = study.config.strategy;
    if (strategy.name === 'sobol' || strategy.name === 'random') return `the ${strategy.name} strategy fits no surrogate`;
    const init = strategy.initial_trials;
    const done = study.summary.trials.completed;
    if (typeof init === 'number' && done < init) return `the model is fitted after ${init} completed trials (${done} so far)`;
    return null;
  }

  function noModel(e: unknown): void {
    sliceModels = null;
    contourBox.hidden = true;
    modelStatus.hidden = false;
    if (typeof e === 'string' || (e instanceof ApiError && e.code === 'failed_precondition')) {
      modelStatus.className = 'notice';
      modelStatus.textContent = `No model yet: ${typeof e === 'string' ? e : e.message}. Slice plots show the observed trials only.`;
    } else {
      modelStatus.className = 'notice error';
      modelStatus.textContent = `The model could not be queried: ${(e as Error).message}`;
    }
  }

  async function refreshModel(): Promise<void> {
    if (!study || modelBusy || disposed) return;
    const cfg = study.config;
    modelBusy = true;
    modelCompleted = study.summary.trials.completed;
    lastModel = Date.now();
    try {
      const reason = noModelReason();
      if (reason !== null) throw reason;
      if (cfg.parameters.length === 0) throw new Error('the study has no parameters');
      const base = basePoint(cfg);
      const points: Record<string, ParamValue>[] = [];
      const spans: { p: ParamSpec; xs: ParamValue[]; start: number }[] = [];
      for (const p of cfg.parameters) {
        const xs = paramGrid(p, SLICE_POINTS);
        spans.push({ p, xs, start: points.length });
        for (const x of xs) points.push({ ...base, [p.name]: x });
      }
      const res = await predict(name, points);
      if (disposed) return;
      outcomes = Object.keys(res.predictions[0] ?? {});
      const objective = outcomes.includes(cfg.objective.name) ? cfg.objective.name : null;
      sliceModels = null;
      if (objective) {
        sliceModels = new Map();
        for (const s of spans) {
          sliceModels.set(s.p.name, { xs: s.xs, posts: s.xs.map((_, i) => res.predictions[s.start + i]?.[objective]), outcome: objective });
        }
      }
      modelStatus.hidden = false;
      modelStatus.className = 'notice ok';
      modelStatus.textContent = `Posterior at the target fidelity, other parameters fixed at ${study.summary.best_trial !== null ? `trial #${study.summary.best_trial}` : 'the middle of their ranges'}.`;
      contourBox.hidden = false;
      buildContourControls(cfg);
      await renderContour(cfg);
      renderCharts();
    } catch (e) {
      if (!disposed) {
        const hadModel = sliceModels !== null;
        noModel(e);
        if (hadModel) renderCharts();
      }
    } finally {
      modelBusy = false;
    }
  }

  function buildContourControls(cfg: StudyConfig): void {
    const ps = cfg.parameters;
    const preferred = ps.filter((p) => p.type !== 'categorical').concat(ps.filter((p) => p.type === 'categorical'));
    if (!ps.some((p) => p.name === contourX)) contourX = preferred[0]?.name ?? '';
    if (!ps.some((p) => p.name === contourY) || contourY === contourX) contourY = (preferred.find((p) => p.name !== contourX) ?? preferred[0])?.name ?? '';
    if (!outcomes.includes(contourOutcome)) contourOutcome = outcomes.includes(cfg.objective.name) ? cfg.objective.name : (outcomes[0] ?? '');
    const sel = (label: string, options: string[], value: string, set: (v: string) => void) => {
      const s = h('select', { 'aria-label': label }, options.map((o) => h('option', { value: o, selected: o === value }, o)));
      s.addEventListener('change', () => {
        set(s.value);
        void renderContour(cfg);
      });
      return h('label', null, `${label} `, s);
    };
    replaceChildren(contourControls,
      sel('x', ps.map((p) => p.name), contourX, (v) => (contourX = v)),
      sel('y', ps.map((p) => p.name), contourY, (v) => (contourY = v)),
      sel('outcome', outcomes, contourOutcome, (v) => (contourOutcome = v)));
  }

  async function renderContour(cfg: StudyConfig): Promise<void> {
    const px = cfg.parameters.find((p) => p.name === contourX);
    const py = cfg.parameters.find((p) => p.name === contourY);
    if (!px || !py || px === py) {
      contourBox.hidden = true;
      return;
    }
    const xs = paramGrid(px, CONTOUR_POINTS);
    const ys = paramGrid(py, CONTOUR_POINTS);
    const base = basePoint(cfg);
    const points: Record<string, ParamValue>[] = [];
    for (const y of ys) for (const x of xs) points.push({ ...base, [px.name]: x, [py.name]: y });
    const res = await predict(name, points);
    if (disposed) return;
    const post = res.predictions.map((p: Prediction) => p[contourOutcome]);
    const observed: [number, number, number][] = [];
    for (const t of store.list()) {
      if (t.state !== 'completed') continue;
      const gx = gridPosition(px, xs, t.params[px.name]);
      const gy = gridPosition(py, ys, t.params[py.name]);
      if (gx !== null && gy !== null) observed.push([gx, gy, t.number]);
    }
    contourMean ??= newChart(contourMeanEl);
    contourSd ??= newChart(contourSdEl);
    contourMean.set(contourOption(`mean ${contourOutcome}`, px, py, xs, ys, post.map((q) => q?.mean ?? NaN), ['#1e3a8a', '#3b82f6', '#a7f3d0', '#fde68a', '#dc2626'], observed));
    contourSd.set(contourOption(`sd ${contourOutcome}`, px, py, xs, ys, post.map((q) => q?.sd ?? NaN), ['#f8fafc', '#c4b5fd', '#6d28d9'], observed));
  }

  // ---- live updates -----------------------------------------------------------------------------------------------
  let flushTimer = 0;
  function flushSoon(): void {
    if (flushTimer || !loaded) return;
    flushTimer = later(150, async () => {
      try {
        await store.flush();
      } catch (e) {
        showError(e);
      }
      flushTimer = 0;
      if (disposed) return;
      scheduleRender();
      if (store.hasDirty()) flushSoon();
    });
  }

  function onEvent(ev: ServerEvent): void {
    if (ev.study !== name) return;
    if (ev.type === 'study_deleted') {
      banner.hidden = false;
      banner.textContent = 'This study was deleted.';
      return;
    }
    if ((ev.type === 'trial_created' || ev.type === 'trial_updated') && typeof ev.number === 'number') {
      store.markDirty(ev.number);
      flushSoon();
    }
    if (ev.type === 'study_created') {
      // Re-created under the same name: start over.
      window.dispatchEvent(new HashChangeEvent('hashchange'));
      return;
    }
    refreshSummarySoon();
  }

  function onResync(): void {
    if (!loaded) return;
    refreshSummarySoon();
    void store.loadFrom(store.resyncOffset(), scheduleRender, () => disposed).catch(showError);
  }

  const sub = ctx.events.listen(onEvent, onResync);
  const onKey = (ev: KeyboardEvent) => {
    if (ev.key === 'Escape' && selected !== null) select(null);
  };
  document.addEventListener('keydown', onKey);

  // ---- initial load -----------------------------------------------------------------------------------------------
  (async () => {
    try {
      study = await getStudy(name);
      if (disposed) return;
      renderSummary();
      buildStatic(study.config);
      const t0 = performance.now();
      await store.loadFrom(0, () => {
        loadStatus.textContent = `Loading trials: ${store.trials.length} of ${Math.max(store.total, study?.summary.trials.total ?? 0)}…`;
        scheduleRender();
      }, () => disposed);
      if (disposed) return;
      loaded = true;
      loadStatus.textContent = `${store.list().length} trials loaded in ${Math.round(performance.now() - t0)} ms · live`;
      loadStatus.dataset.done = 'true';
      lastCharts = 0;
      scheduleRender();
      if (store.hasDirty()) flushSoon();
      void refreshModel();
    } catch (e) {
      loadStatus.textContent = '';
      showError(e);
    }
  })();

  return {
    dispose() {
      disposed = true;
      sub.close();
      document.removeEventListener('keydown', onKey);
      for (const id of timers) window.clearTimeout(id);
      for (const c of charts) c.dispose();
    },
  };
}

