// ECharts, tree-shaken to what the dashboard draws. Canvas renderer: 20,000 points stay fast.
import * as echarts from 'echarts/core';
import { HeatmapChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  HeatmapChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type ECharts = echarts.ECharts;

/** ECharts tooltip formatters return HTML: every piece of data goes through this. */
export function esc(s: unknown): string {
  return echarts.format.encodeHTML(String(s));
}

export const COLORS = {
  feasible: '#2f6fde',
  lowFidelity: '#9bb7ea',
  infeasible: '#d9483b',
  best: '#1a9a5b',
  grid: '#e5e7eb',
};

/** A chart bound to an element, resized with it, disposed with the view. */
export class Chart {
  readonly ec: ECharts;
  private readonly ro: ResizeObserver;

  constructor(readonly el: HTMLElement) {
    this.ec = echarts.init(el, null, { renderer: 'canvas' });
    this.ro = new ResizeObserver(() => this.ec.resize());
    this.ro.observe(el);
  }

  set(option: echarts.EChartsCoreOption): void {
    this.ec.setOption(option, { notMerge: true, lazyUpdate: true });
  }

  dispose(): void {
    this.ro.disconnect();
    this.ec.dispose();
  }
}
