import {
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import type { ChartSeries, Point } from '../../stores/chart.ts';

/**
 * chart.js set up for long live runs: no animation, no parsing (points are {x, y} numbers in
 * order), LTTB decimation, no point markers. Two charts: OPM (target, setpoint, actual, users on
 * a second axis) and health (error rate and p99 beneath).
 */
Chart.register(LineController, LineElement, PointElement, LinearScale, Decimation, Legend, Tooltip);

export type LineChart = Chart<'line', Point[]>;

const line = (label: string, data: Point[], color: string, extra: Partial<ChartDataset<'line', Point[]>> = {}): ChartDataset<'line', Point[]> => ({
  label,
  data,
  borderColor: color,
  backgroundColor: color,
  borderWidth: 2,
  pointRadius: 0,
  pointHoverRadius: 0,
  tension: 0,
  spanGaps: true,
  ...extra,
});

function base(yTitle: string, y2Title: string, gridColor: string, textColor: string): ChartConfiguration<'line', Point[]>['options'] {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    plugins: {
      decimation: { enabled: true, algorithm: 'lttb', samples: 400, threshold: 500 },
      legend: { labels: { color: textColor, boxWidth: 12 } },
      tooltip: { enabled: true },
    },
    scales: {
      x: { type: 'linear', title: { display: true, text: 'minutes (simulated)', color: textColor }, grid: { color: gridColor }, ticks: { color: textColor } },
      y: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: yTitle, color: textColor }, grid: { color: gridColor }, ticks: { color: textColor } },
      y2: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: y2Title, color: textColor }, grid: { drawOnChartArea: false }, ticks: { color: textColor } },
    },
  };
}

export interface ChartColors {
  grid: string;
  text: string;
}

export function opmChartConfig(series: ChartSeries, colors: ChartColors): ChartConfiguration<'line', Point[]> {
  return {
    type: 'line',
    data: {
      datasets: [
        line('Target OPM', series.target, '#8a94a6', { borderDash: [6, 4], borderWidth: 1.5 }),
        line('Setpoint OPM', series.setpoint, '#d39e00', { borderWidth: 1.5 }),
        line('Actual OPM', series.actual, '#1f8ef1'),
        line('Users', series.users, '#2bb673', { yAxisID: 'y2', borderWidth: 1.5 }),
      ],
    },
    options: base('orders per minute', 'users', colors.grid, colors.text),
  };
}

export function healthChartConfig(series: ChartSeries, colors: ChartColors): ChartConfiguration<'line', Point[]> {
  return {
    type: 'line',
    data: {
      datasets: [line('Error rate %', series.errorRatePct, '#e5484d'), line('p99 ms', series.p99Ms, '#a56eff', { yAxisID: 'y2' })],
    },
    options: base('error rate %', 'p99 ms', colors.grid, colors.text),
  };
}

/** Point the datasets at the (in-place grown) series and redraw without animation. */
export function updateChart(chart: LineChart, series: Point[][]): void {
  chart.data.datasets.forEach((ds, i) => {
    ds.data = series[i] ?? [];
  });
  chart.update('none');
}

export function createChart(canvas: HTMLCanvasElement, config: ChartConfiguration<'line', Point[]>): LineChart | null {
  // jsdom and some locked-down environments have no 2d context: show the figures without a chart
  if (!canvas.getContext('2d')) return null;
  return new Chart<'line', Point[]>(canvas, config);
}
