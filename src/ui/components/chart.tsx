import { BarChart, LineChart, PieChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTheme } from '../theme.js';

// ECharts, only the parts the dashboard draws (keeps the bundle small), in a React wrapper that
// follows the dark/light theme and the container size.

use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

export type ChartOption = EChartsCoreOption;
type ChartInstance = ReturnType<typeof init>;

const apply = (chart: ChartInstance, option: ChartOption) =>
  chart.setOption({ backgroundColor: 'transparent', animation: false, ...option }, { notMerge: true });

export function Chart({
  option,
  height = 320,
  label,
  onReady,
}: {
  option: ChartOption;
  height?: number;
  /** Accessible name of the chart (it is a canvas). */
  label: string;
  onReady?: (chart: ChartInstance) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ChartInstance | null>(null);
  const latest = useRef(option);
  latest.current = option;
  const { dark } = useTheme();

  useEffect(() => {
    if (!ref.current) return;
    const instance = init(ref.current, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    // A theme change makes a new instance: give it the current option at once.
    apply(instance, latest.current);
    onReady?.(instance);
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(ref.current);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [dark, onReady]);

  useEffect(() => {
    chart.current?.setOption(
      { backgroundColor: 'transparent', animation: false, ...option },
      { notMerge: true },
    );
  }, [option]);

  return <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label} />;
}
