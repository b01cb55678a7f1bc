// Constraint feasibility: each constraint's measured value by trial, the bound, satisfied vs violated.
import type { EChartsCoreOption } from 'echarts/core';
import { fmtNum } from '../format';
import type { Constraint, Trial } from '../types';
import { COLORS, esc } from './echarts';

export function satisfies(c: Constraint, v: number): boolean {
  return c.op === '<=' ? v <= c.bound : v >= c.bound;
}

export function feasibilityOption(c: Constraint, trials: Trial[]): EChartsCoreOption {
  const ok: number[][] = [];
  const bad: number[][] = [];
  for (const t of trials) {
    if (t.state !== 'completed' || !t.values) continue;
    const v = t.values[c.name];
    if (typeof v !== 'number') continue;
    (satisfies(c, v) ? ok : bad).push([t.number, v]);
  }
  const large = ok.length + bad.length > 5000;
  return {
    animation: false,
    title: { text: `${c.name} ${c.op} ${fmtNum(c.bound)}`, left: 'center', top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    legend: { show: false },
    grid: { left: 52, right: 16, top: 26, bottom: 28 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; data: number[] }) =>
        `<b>Trial #${esc(p.data[0])}</b> (${esc(p.seriesName)})<br/>${esc(c.name)}: ${esc(fmtNum(p.data[1]))}`,
    },
    xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 20, min: 0, minInterval: 1 },
    yAxis: { type: 'value', scale: true },
    series: [
      {
        name: 'satisfied',
        type: 'scatter',
        data: ok,
        symbolSize: large ? 3 : 5,
        large,
        itemStyle: { color: COLORS.best, opacity: 0.7 },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: '#555', type: 'dashed' },
          label: { formatter: `bound ${fmtNum(c.bound)}`, position: 'insideEndTop' },
          data: [{ yAxis: c.bound }],
        },
      },
      { name: 'violated', type: 'scatter', data: bad, symbol: 'triangle', symbolSize: large ? 3 : 6, large, itemStyle: { color: COLORS.infeasible, opacity: 0.8 } },
    ],
  };
}
