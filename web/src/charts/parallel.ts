// Parallel coordinates: one line per completed trial through its parameters, ending at the objective.
import type { EChartsCoreOption } from 'echarts/core';
import { fmtNum, fmtParam } from '../format';
import { objectiveValue } from '../model';
import type { StudyConfig, Trial } from '../types';
import { esc } from './echarts';

export function parallelOption(cfg: StudyConfig, trials: Trial[]): EChartsCoreOption {
  const params = cfg.parameters;
  const rows: (string | number)[][] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of trials) {
    const v = objectiveValue(cfg, t);
    if (v === null) continue;
    const row: (string | number)[] = params.map((p) => {
      const x = t.params[p.name];
      return p.type === 'categorical' ? String(x) : (x as number);
    });
    row.push(v, t.number);
    rows.push(row);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const many = rows.length > 2000;
  const ramp = ['#fde68a', '#f59e0b', '#dc2626', '#7c3aed', '#1e3a8a'];
  const objName = cfg.objective.name;
  return {
    animation: false,
    parallel: { left: 60, right: 110, top: 40, bottom: 30, parallelAxisDefault: { nameLocation: 'start', nameGap: 12 } },
    parallelAxis: [
      ...params.map((p, i) =>
        p.type === 'categorical'
          ? { dim: i, name: p.name, type: 'category', data: (p.choices ?? []).map(String) }
          : { dim: i, name: p.name, type: p.log ? 'log' : 'value', min: p.low, max: p.high },
      ),
      { dim: params.length, name: objName, type: 'value', scale: true },
    ],
    visualMap: {
      type: 'continuous',
      dimension: params.length,
      min: lo,
      max: hi === lo ? lo + 1 : hi,
      calculable: true,
      right: 8,
      top: 'middle',
      text: [cfg.objective.goal === 'maximize' ? 'best' : 'worst', cfg.objective.goal === 'maximize' ? 'worst' : 'best'],
      inRange: { color: cfg.objective.goal === 'maximize' ? ramp : [...ramp].reverse() },
      formatter: (v: number) => fmtNum(v),
    },
    tooltip: {
      trigger: 'item',
      formatter: (p: { data: (string | number)[] }) => {
        const d = p.data;
        const lines = [`<b>Trial #${esc(d[params.length + 1])}</b>`];
        params.forEach((q, i) => lines.push(`${esc(q.name)}: ${esc(fmtParam(d[i]))}`));
        lines.push(`${esc(objName)}: ${esc(fmtNum(d[params.length] as number))}`);
        return lines.join('<br/>');
      },
    },
    series: [
      {
        type: 'parallel',
        data: rows,
        smooth: false,
        progressive: 1000,
        lineStyle: { width: 1, opacity: many ? 0.2 : 0.6 },
        emphasis: { lineStyle: { width: 2, opacity: 1 } },
      },
    ],
  };
}
