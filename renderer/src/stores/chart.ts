import { create } from 'zustand';
import type { Sample } from '../../../shared/model/run.ts';

/**
 * The live chart's data. Samples are buffered and appended once per animation frame (one store
 * update and one chart redraw per frame, however many samples arrived). Series arrays are
 * appended in place (chart.js reads them with parsing: false); `version` tells subscribers to redraw.
 */
export interface Point {
  x: number;
  y: number;
}

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

/** x axis: simulated minutes since the run started */
export const toMinutes = (t: number) => t / 60_000;

function append(series: ChartSeries, s: Sample): void {
  const x = toMinutes(s.t);
  series.target.push({ x, y: s.targetOpm });
  series.setpoint.push({ x, y: s.setpointOpm });
  series.actual.push({ x, y: s.actualOpm });
  series.users.push({ x, y: s.users });
  series.errorRatePct.push({ x, y: s.errorRate * 100 });
  if (s.p50Ms !== null && s.p50Ms !== undefined) series.p50Ms.push({ x, y: s.p50Ms });
  if (s.p95Ms !== null && s.p95Ms !== undefined) series.p95Ms.push({ x, y: s.p95Ms });
  if (s.p99Ms !== null) series.p99Ms.push({ x, y: s.p99Ms });
}

/** A finished run's samples as chart series (history, reports, comparisons). */
export function seriesOf(samples: Sample[]): ChartSeries {
  const series = emptySeries();
  for (const s of [...samples].sort((a, b) => a.t - b.t)) append(series, s);
  return series;
}

export const useChartStore = create<ChartState>((set, get) => {
  let pending: Sample[] = [];
  let scheduled = false;
  return {
    series: emptySeries(),
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
      for (const s of batch) if (toMinutes(s.t) >= lastX) append(series, s);
      set((st) => ({ version: st.version + 1, count: series.actual.length, last: batch[batch.length - 1] ?? st.last }));
    },
    replace(samples) {
      pending = [];
      const series = seriesOf(samples);
      set((st) => ({ series, version: st.version + 1, count: series.actual.length, last: samples[samples.length - 1] ?? null }));
    },
    reset() {
      pending = [];
      set((st) => ({ series: emptySeries(), version: st.version + 1, count: 0, last: null }));
    },
  };
});
