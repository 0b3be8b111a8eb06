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
  type Plugin,
} from 'chart.js';
import type { ChartSeries, Point } from '../../stores/chart.ts';
import type { RunMark, RunSpan } from '../../../../shared/report/run-timeline.ts';
import { MARK_COLORS } from '../../../../shared/report/svg-chart.ts';

/**
 * chart.js set up for long live runs: no animation, no parsing (points are {x, y} numbers in
 * order), LTTB decimation, no point markers. Two charts over the planned run (x: minutes since the
 * run started, from 0 to the end of the planned plateau): OPM (target, setpoint, actual, users on a
 * second axis) and latency (p50, p95, p99, error rate on a second axis). Both draw the ramp and
 * plateau as shaded spans and the run's marks (phase changes, breaches, knee, drift, abort).
 */

/** what the `runMarks` plugin draws, in chart units (minutes) */
export interface MarksOptions {
  spans: { kind: RunSpan['kind']; from: number; to: number }[];
  marks: { kind: RunMark['kind']; x: number; label: string }[];
  /** where the run stands now (a thin line), or null */
  now: number | null;
  textColor: string;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType> {
    runMarks?: MarksOptions & { _type?: TType };
  }
}

const SPAN_FILL: Record<RunSpan['kind'], string> = { ramp: 'rgba(31,142,241,0.09)', plateau: 'rgba(43,182,115,0.11)' };

export const runMarksPlugin: Plugin<'line'> = {
  id: 'runMarks',
  beforeDatasetsDraw(chart, _args, opts: MarksOptions) {
    const { ctx, chartArea: a, scales } = chart;
    const x = scales.x;
    if (!x || !opts?.spans) return;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    for (const s of opts.spans) {
      const x0 = Math.max(a.left, x.getPixelForValue(s.from));
      const x1 = Math.min(a.right, x.getPixelForValue(s.to));
      if (x1 <= x0) continue;
      ctx.fillStyle = SPAN_FILL[s.kind];
      ctx.fillRect(x0, a.top, x1 - x0, a.bottom - a.top);
      ctx.fillStyle = opts.textColor;
      ctx.fillText(s.kind, x0 + 4, a.top + 12);
    }
    ctx.restore();
  },
  afterDatasetsDraw(chart, _args, opts: MarksOptions) {
    const { ctx, chartArea: a, scales } = chart;
    const x = scales.x;
    if (!x || !opts?.marks) return;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    ctx.setLineDash([3, 3]);
    let lastEnd = -Infinity;
    let row = 0;
    for (const m of opts.marks) {
      const px = x.getPixelForValue(m.x);
      if (px < a.left || px > a.right) continue;
      ctx.strokeStyle = MARK_COLORS[m.kind];
      ctx.lineWidth = m.kind === 'phase' ? 1 : 1.6;
      ctx.beginPath();
      ctx.moveTo(px, a.top);
      ctx.lineTo(px, a.bottom);
      ctx.stroke();
      if (m.kind !== 'phase') {
        // labels that would overlap the previous one go a line higher
        const w = ctx.measureText(m.label).width;
        const lx = Math.min(px + 3, a.right - w);
        row = lx < lastEnd + 4 ? row + 1 : 0;
        lastEnd = lx + w;
        ctx.fillStyle = MARK_COLORS[m.kind];
        ctx.fillText(m.label, lx, a.bottom - 5 - row * 13);
      }
    }
    if (opts.now !== null) {
      const px = x.getPixelForValue(opts.now);
      if (px >= a.left && px <= a.right) {
        ctx.setLineDash([]);
        ctx.strokeStyle = opts.textColor;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(px, a.top);
        ctx.lineTo(px, a.bottom);
        ctx.stroke();
      }
    }
    ctx.restore();
  },
};

Chart.register(LineController, LineElement, PointElement, LinearScale, Decimation, Legend, Tooltip, runMarksPlugin);

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

export interface ChartColors {
  grid: string;
  text: string;
}

/** the theme's grid and text colors, for the axes */
export function themeChartColors(): ChartColors {
  const css = getComputedStyle(document.documentElement);
  return { grid: css.getPropertyValue('--grid').trim() || 'rgba(128,128,128,0.2)', text: css.getPropertyValue('--muted').trim() || '#888' };
}

/** the x range and the marks a chart shows (minutes since the run started) */
export interface ChartFrame {
  xMax: number | null;
  marks: MarksOptions;
}

export const emptyFrame = (text = '#888'): ChartFrame => ({ xMax: null, marks: { spans: [], marks: [], now: null, textColor: text } });

function base(yTitle: string, y2Title: string, colors: ChartColors, frame: ChartFrame): ChartConfiguration<'line', Point[]>['options'] {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    plugins: {
      decimation: { enabled: true, algorithm: 'lttb', samples: 400, threshold: 500 },
      legend: { labels: { color: colors.text, boxWidth: 12 } },
      tooltip: { enabled: true },
      runMarks: frame.marks,
    },
    scales: {
      x: {
        type: 'linear',
        min: 0,
        ...(frame.xMax !== null ? { max: frame.xMax } : {}),
        title: { display: true, text: 'minutes since the run started', color: colors.text },
        grid: { color: colors.grid },
        ticks: { color: colors.text },
      },
      y: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: yTitle, color: colors.text }, grid: { color: colors.grid }, ticks: { color: colors.text } },
      y2: { type: 'linear', position: 'right', beginAtZero: true, title: { display: true, text: y2Title, color: colors.text }, grid: { drawOnChartArea: false }, ticks: { color: colors.text } },
    },
  };
}

export function opmChartConfig(series: ChartSeries, colors: ChartColors, frame: ChartFrame = emptyFrame(colors.text)): ChartConfiguration<'line', Point[]> {
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
    options: base('orders per minute', 'users', colors, frame),
  };
}

export function latencyChartConfig(series: ChartSeries, colors: ChartColors, frame: ChartFrame = emptyFrame(colors.text)): ChartConfiguration<'line', Point[]> {
  return {
    type: 'line',
    data: {
      datasets: [
        line('p50 ms', series.p50Ms, '#17a2b8', { borderWidth: 1.5 }),
        line('p95 ms', series.p95Ms, '#e8730c', { borderWidth: 1.5 }),
        line('p99 ms', series.p99Ms, '#a56eff'),
        line('Error rate %', series.errorRatePct, '#e5484d', { yAxisID: 'y2', borderWidth: 1.5 }),
      ],
    },
    options: base('latency ms', 'error rate %', colors, frame),
  };
}

export const opmSeries = (s: ChartSeries): Point[][] => [s.target, s.setpoint, s.actual, s.users];
export const latencySeries = (s: ChartSeries): Point[][] => [s.p50Ms, s.p95Ms, s.p99Ms, s.errorRatePct];

/** Point the datasets at the (in-place grown) series and redraw without animation. */
export function updateChart(chart: LineChart, series: Point[][]): void {
  chart.data.datasets.forEach((ds, i) => {
    ds.data = series[i] ?? [];
  });
  chart.update('none');
}

/** New x range and marks (the run moved on, or a mark appeared); the caller redraws. */
export function setFrame(chart: LineChart, frame: ChartFrame): void {
  const opts = chart.options;
  if (opts.plugins) opts.plugins.runMarks = frame.marks;
  const x = opts.scales?.x;
  if (x) {
    if (frame.xMax !== null) x.max = frame.xMax;
    else delete x.max;
  }
}

export function createChart(canvas: HTMLCanvasElement, config: ChartConfiguration<'line', Point[]>): LineChart | null {
  // jsdom and some locked-down environments have no 2d context: show the figures without a chart
  if (!canvas.getContext('2d')) return null;
  return new Chart<'line', Point[]>(canvas, config);
}

/** Colors for runs side by side (History → Compare), distinguishable on light and dark. */
export const RUN_COLORS = ['#1f8ef1', '#e5484d', '#2bb673', '#d39e00', '#a56eff'];

/** One measure of several runs overlaid (x: minutes since each run's load started). */
export function compareChartConfig(yTitle: string, runs: { label: string; data: Point[] }[], colors: ChartColors): ChartConfiguration<'line', Point[]> {
  const options = base(yTitle, '', colors, emptyFrame(colors.text));
  const scales = options!.scales!;
  scales.x!.title = { display: true, text: 'minutes since the load started', color: colors.text };
  delete scales.y2;
  return { type: 'line', data: { datasets: runs.map((r, i) => line(r.label, r.data, RUN_COLORS[i % RUN_COLORS.length]!)) }, options };
}
