// Slice plots: the objective against one parameter; with a model, its mean ± 2 sd along that parameter with the
// other parameters held at the best trial's values.
import type { EChartsCoreOption } from 'echarts/core';
import { fmtNum, fmtParam } from '../format';
import { objectiveValue } from '../model';
import type { ParamSpec, ParamValue, Posterior, StudyConfig, Trial } from '../types';
import { COLORS, esc } from './echarts';

export interface SliceModel {
  xs: ParamValue[];
  posts: (Posterior | undefined)[];
  outcome: string;
}

export function sliceOption(cfg: StudyConfig, p: ParamSpec, trials: Trial[], model: SliceModel | null): EChartsCoreOption {
  const cat = p.type === 'categorical';
  const feasible: (string | number)[][] = [];
  const infeasible: (string | number)[][] = [];
  for (const t of trials) {
    const v = objectiveValue(cfg, t);
    if (v === null) continue;
    const x = t.params[p.name];
    const row = [cat ? String(x) : (x as number), v, t.number];
    (t.feasible === false ? infeasible : feasible).push(row);
  }
  const large = feasible.length + infeasible.length > 5000;
  const objName = cfg.objective.name;
  const series: unknown[] = [
    { name: 'feasible', type: 'scatter', data: feasible, symbolSize: large ? 3 : 5, large, itemStyle: { color: COLORS.feasible, opacity: 0.6 } },
    { name: 'infeasible', type: 'scatter', data: infeasible, symbol: 'triangle', symbolSize: large ? 3 : 6, large, itemStyle: { color: COLORS.infeasible, opacity: 0.6 } },
  ];
  if (model) {
    const pts = model.xs.map((x, i) => [cat ? String(x) : x, model.posts[i]] as const).filter((r) => r[1] !== undefined);
    const line = (name: string, f: (q: Posterior) => number, dashed: boolean) => ({
      name,
      type: 'line',
      data: pts.map(([x, q]) => [x, f(q as Posterior)]),
      showSymbol: cat,
      lineStyle: { color: COLORS.best, width: dashed ? 1 : 2, type: dashed ? 'dashed' : 'solid' },
      itemStyle: { color: COLORS.best },
      tooltip: { show: false },
      z: 5,
    });
    series.push(line('model mean', (q) => q.mean, false));
    series.push(line('mean − 2 sd', (q) => q.mean - 2 * q.sd, true));
    series.push(line('mean + 2 sd', (q) => q.mean + 2 * q.sd, true));
  }
  return {
    animation: false,
    title: { text: p.name, left: 'center', top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    grid: { left: 52, right: 12, top: 26, bottom: 28 },
    tooltip: {
      trigger: 'item',
      formatter: (q: { data: (string | number)[] }) =>
        `<b>Trial #${esc(q.data[2])}</b><br/>${esc(p.name)}: ${esc(fmtParam(q.data[0]))}<br/>${esc(objName)}: ${esc(fmtNum(q.data[1] as number))}`,
    },
    xAxis: cat
      ? { type: 'category', data: (p.choices ?? []).map(String), jitter: 40, axisLabel: { interval: 0, width: 80, overflow: 'truncate' } }
      : { type: p.log ? 'log' : 'value', min: p.low, max: p.high },
    yAxis: { type: 'value', scale: true },
    series,
  };
}
