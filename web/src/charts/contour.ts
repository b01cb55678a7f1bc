// Two-parameter contour of the surrogate's posterior mean and standard deviation (heatmaps over a grid).
import type { EChartsCoreOption } from 'echarts/core';
import { fmtNum, fmtParam } from '../format';
import type { ParamSpec, ParamValue } from '../types';
import { esc } from './echarts';

// Label about 6 grid values per axis (categorical parameters: all of them).
const every = (n: number) => (n <= 8 ? 0 : Math.ceil(n / 6) - 1);

export function contourOption(
  title: string,
  px: ParamSpec,
  py: ParamSpec,
  xs: ParamValue[],
  ys: ParamValue[],
  values: number[], // xs.length * ys.length, x fastest
  colors: string[],
): EChartsCoreOption {
  const data: [number, number, number][] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < xs.length; i++) {
      const v = values[j * xs.length + i];
      if (!Number.isFinite(v)) continue;
      data.push([i, j, v]);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  return {
    animation: false,
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 13, fontWeight: 'normal' } },
    grid: { left: 70, right: 80, top: 28, bottom: 50 },
    tooltip: {
      formatter: (p: { data: [number, number, number] }) =>
        `${esc(px.name)}: ${esc(fmtParam(xs[p.data[0]]))}<br/>${esc(py.name)}: ${esc(fmtParam(ys[p.data[1]]))}<br/>${esc(title)}: ${esc(fmtNum(p.data[2]))}`,
    },
    xAxis: { type: 'category', name: px.name, nameLocation: 'middle', nameGap: 30, data: xs.map(fmtParam), axisLabel: { interval: every(xs.length) } },
    yAxis: { type: 'category', name: py.name, nameLocation: 'end', data: ys.map(fmtParam), axisLabel: { interval: every(ys.length) } },
    visualMap: {
      type: 'continuous',
      min: lo,
      max: hi === lo ? lo + 1e-12 : hi,
      calculable: true,
      right: 4,
      top: 'middle',
      itemHeight: 180,
      inRange: { color: colors },
      formatter: (v: number) => fmtNum(v),
    },
    series: [{ type: 'heatmap', data, progressive: 0, emphasis: { disabled: true } }],
  };
}
