import { create } from 'zustand';
import type { Sample } from '../../../shared/model/run.ts';
import { DrawnSeries, type Point } from './decimate.ts';

/**
 * The live chart's data. Samples are buffered and appended once per animation frame (one store
 * update and one chart redraw per frame, however many samples arrived). `series` holds every
 * sample; `drawn` is what the charts draw — the same points, decimated to a bounded number past
 * 1,200 (stores/decimate.ts) — appended in place (chart.js reads them with parsing: false);
 * `version` tells subscribers to redraw.
 */
export type { Point } from './decimate.ts';

export interface ChartSeries {
  target: Point[];
  setpoint: Point[];
  actual: Point[];
  users: Point[];
  errorRatePct: Point[];
  p50Ms: Point[];
  p95Ms: Point[];
  p99Ms: Point[];
}

export interface ChartState {
  series: ChartSeries;
  /** what the charts draw */
  drawn: ChartSeries;
  version: number;
  count: number;
  last: Sample | null;
  push(sample: Sample): void;
  replace(samples: Sample[]): void;
  reset(): void;
  /** apply buffered samples now (normally called on the next animation frame) */
  flush(): void;
}

type Scheduler = (cb: () => void) => void;
const defaultScheduler: Scheduler = (cb) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => cb());
  else setTimeout(cb, 16);
};
let schedule: Scheduler = defaultScheduler;
/** tests and benchmarks swap the frame scheduler */
export function setChartScheduler(s: Scheduler | null): void {
  schedule = s ?? defaultScheduler;
}

export const emptySeries = (): ChartSeries => ({ target: [], setpoint: [], actual: [], users: [], errorRatePct: [], p50Ms: [], p95Ms: [], p99Ms: [] });

const KEYS = Object.keys(emptySeries()) as (keyof ChartSeries)[];

/** the samples so far, and what the charts draw of them */
export interface ChartData {
  series: ChartSeries;
  drawn: ChartSeries;
  push(key: keyof ChartSeries, p: Point): void;
}

export function chartData(): ChartData {
  const series = emptySeries();
  const lines = Object.fromEntries(KEYS.map((k) => [k, new DrawnSeries()])) as Record<keyof ChartSeries, DrawnSeries>;
  const drawn = Object.fromEntries(KEYS.map((k) => [k, lines[k].points])) as unknown as ChartSeries;
  return {
    series,
    drawn,
    push(key, p) {
      series[key].push(p);
      lines[key].push(p);
    },
  };
}

/** x axis: simulated minutes since the run started */
export const toMinutes = (t: number) => t / 60_000;

export function appendSample(data: ChartData, s: Sample): void {
  const x = toMinutes(s.t);
  data.push('target', { x, y: s.targetOpm });
  data.push('setpoint', { x, y: s.setpointOpm });
  data.push('actual', { x, y: s.actualOpm });
  data.push('users', { x, y: s.users });
  data.push('errorRatePct', { x, y: s.errorRate * 100 });
  if (s.p50Ms !== null && s.p50Ms !== undefined) data.push('p50Ms', { x, y: s.p50Ms });
  if (s.p95Ms !== null && s.p95Ms !== undefined) data.push('p95Ms', { x, y: s.p95Ms });
  if (s.p99Ms !== null) data.push('p99Ms', { x, y: s.p99Ms });
}

/** A finished run's samples as chart data (history, reports, comparisons). */
export function chartDataOf(samples: Sample[]): ChartData {
  const data = chartData();
  for (const s of [...samples].sort((a, b) => a.t - b.t)) appendSample(data, s);
  return data;
}

/** A finished run's samples as series (every sample). */
export function seriesOf(samples: Sample[]): ChartSeries {
  return chartDataOf(samples).series;
}

export const useChartStore = create<ChartState>((set, get) => {
  let pending: Sample[] = [];
  let scheduled = false;
  let data = chartData();
  return {
    series: data.series,
    drawn: data.drawn,
    version: 0,
    count: 0,
    last: null,
    push(sample) {
      pending.push(sample);
      if (!scheduled) {
        scheduled = true;
        schedule(() => get().flush());
      }
    },
    flush() {
      scheduled = false;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const { series } = get();
      const lastX = series.actual.length ? series.actual[series.actual.length - 1]!.x : -Infinity;
      for (const s of batch) if (toMinutes(s.t) >= lastX) appendSample(data, s);
      set((st) => ({ version: st.version + 1, count: series.actual.length, last: batch[batch.length - 1] ?? st.last }));
    },
    replace(samples) {
      pending = [];
      data = chartDataOf(samples);
      set((st) => ({ series: data.series, drawn: data.drawn, version: st.version + 1, count: data.series.actual.length, last: samples[samples.length - 1] ?? null }));
    },
    reset() {
      pending = [];
      data = chartData();
      set((st) => ({ series: data.series, drawn: data.drawn, version: st.version + 1, count: 0, last: null }));
    },
  };
});
