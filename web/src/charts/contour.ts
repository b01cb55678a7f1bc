// Two-parameter contour of the surrogate's posterior mean and standard deviation (heatmaps over a grid).
import type { EChartsCoreOption } from 'echarts/core';
import { fmtNum, fmtParam } from '../format';
import type { ParamSpec, ParamValue } from '../types';
import { esc } from './echarts';

const short = (v: ParamValue) => (typeof v === 'number' ? String(Number(v.toPrecision(3))) : v);

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
  observed: [number, number, number][] = [], // [x index, y index, trial number], fractional grid positions
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
    grid: { left: 60, right: 110, top: 28, bottom: 50 },
    tooltip: {
      formatter: (p: { seriesType: string; data: [number, number, number] }) =>
        p.seriesType === 'scatter' ? `Trial #${esc(p.data[2])}` :
        `${esc(px.name)}: ${esc(fmtParam(xs[p.data[0]]))}<br/>${esc(py.name)}: ${esc(fmtParam(ys[p.data[1]]))}<br/>${esc(title)}: ${esc(fmtNum(p.data[2]))}`,
    },
    xAxis: { type: 'category', name: px.name, nameLocation: 'middle', nameGap: 30, data: xs.map(short), axisLabel: { interval: every(xs.length) } },
    yAxis: { type: 'category', name: py.name, nameLocation: 'end', data: ys.map(short), axisLabel: { interval: every(ys.length) } },
    visualMap: {
      type: 'continuous',
      min: lo,
      max: hi === lo ? lo + 1e-12 : hi,
      calculable: true,
      right: 4,
      top: 'middle',
      itemHeight: 180,
      seriesIndex: 0,
      inRange: { color: colors },
      formatter: (v: number) => short(v),
    },
    series: [
      { type: 'heatmap', data, progressive: 0, emphasis: { disabled: true } },
      {
        name: 'trials',
        type: 'scatter',
        data: observed,
        symbolSize: observed.length > 2000 ? 2 : 5,
        itemStyle: { color: '#111827', borderColor: '#fff', borderWidth: observed.length > 2000 ? 0 : 1, opacity: 0.8 },
        z: 3,
      },
    ],
  };
}

/** Where a parameter value falls on a grid made by paramGrid, as a fractional index (null when off the grid). */
export function gridPosition(p: ParamSpec, grid: ParamValue[], v: ParamValue | undefined): number | null {
  if (v === undefined) return null;
  if (p.type === 'categorical') {
    const i = grid.findIndex((g) => String(g) === String(v));
    return i < 0 ? null : i;
  }
  const nums = grid as number[];
  const x = v as number;
  if (nums.length < 2) return 0;
  const f = (u: number) => (p.log && u > 0 ? Math.log(u) : u);
  for (let i = 0; i + 1 < nums.length; i++) {
    if (x >= nums[i] && x <= nums[i + 1]) return i + (f(x) - f(nums[i])) / (f(nums[i + 1]) - f(nums[i]) || 1);
  }
  return null;
}
