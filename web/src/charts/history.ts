// Optimization history: every completed trial's objective by trial number, and the best-so-far.
import type { EChartsCoreOption } from 'echarts/core';
import { fmtNum } from '../format';
import { countsForBest, isBetter, objectiveValue, targetFidelity } from '../model';
import type { StudyConfig, Trial } from '../types';
import { COLORS, esc } from './echarts';

type Row = [number, number, number | null];

export interface HistoryData {
  feasible: Row[];
  lowFidelity: Row[];
  infeasible: Row[];
  best: [number, number][];
}

export function historyData(cfg: StudyConfig, trials: Trial[]): HistoryData {
  const tf = targetFidelity(cfg);
  const out: HistoryData = { feasible: [], lowFidelity: [], infeasible: [], best: [] };
  let best: number | null = null;
  let last = -1;
  for (const t of trials) {
    const v = objectiveValue(cfg, t);
    if (v === null) continue;
    last = t.number;
    const row: Row = [t.number, v, t.fidelity ?? null];
    if (t.feasible === false) out.infeasible.push(row);
    else if (tf !== null && t.fidelity !== undefined && t.fidelity !== tf) out.lowFidelity.push(row);
    else out.feasible.push(row);
    if (countsForBest(cfg, t) && (best === null || isBetter(cfg, v, best))) {
      best = v;
      out.best.push([t.number, v]);
    }
  }
  if (best !== null && out.best.length > 0 && out.best[out.best.length - 1][0] !== last) out.best.push([last, best]);
  return out;
}

export function historyOption(cfg: StudyConfig, trials: Trial[]): EChartsCoreOption {
  const d = historyData(cfg, trials);
  const n = d.feasible.length + d.lowFidelity.length + d.infeasible.length;
  const large = n > 5000;
  const fid = cfg.fidelity;
  const fidLo = fid ? (fid.levels ? Math.min(...fid.levels) : (fid.low ?? 0)) : 0;
  const fidHi = targetFidelity(cfg) ?? 1;
  const size = (row: Row) =>
    row[2] === null || fidHi === fidLo ? 7 : 3 + (6 * (row[2] - fidLo)) / (fidHi - fidLo);
  const scatter = (name: string, data: Row[], color: string, symbol: string) => ({
    name,
    type: 'scatter',
    data,
    symbol,
    symbolSize: large ? 4 : size,
    large,
    itemStyle: { color, opacity: large ? 0.6 : 0.85 },
    emphasis: { scale: 1.5 },
  });
  const objName = cfg.objective.name;
  const fidName = fid?.name ?? 'fidelity';
  return {
    animation: false,
    legend: { top: 0 },
    grid: { left: 60, right: 24, top: 36, bottom: 56 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; data: (number | null)[] }) => {
        const [num, v, f] = p.data;
        const lines = [`<b>Trial #${esc(num)}</b> (${esc(p.seriesName)})`, `${esc(objName)}: ${esc(fmtNum(v))}`];
        if (fid && f !== null && f !== undefined) lines.push(`${esc(fidName)}: ${esc(fmtNum(f))}`);
        return lines.join('<br/>');
      },
    },
    xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 28, min: 0, max: 'dataMax', minInterval: 1 },
    yAxis: { type: 'value', name: objName, scale: true, nameTextStyle: { align: 'left' } },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0 },
      { type: 'slider', xAxisIndex: 0, height: 14, bottom: 4 },
    ],
    series: [
      scatter('feasible', d.feasible, COLORS.feasible, 'circle'),
      ...(fid ? [scatter('lower fidelity', d.lowFidelity, COLORS.lowFidelity, 'circle')] : []),
      scatter('infeasible', d.infeasible, COLORS.infeasible, 'triangle'),
      {
        name: 'best so far',
        type: 'line',
        step: 'end',
        data: d.best,
        showSymbol: false,
        lineStyle: { color: COLORS.best, width: 2 },
        itemStyle: { color: COLORS.best },
        z: 5,
      },
    ],
  };
}
