import { useEffect, useRef } from 'react';
import type { ChartConfiguration } from 'chart.js';
import { useChartStore, type ChartSeries, type Point } from '../../stores/chart.ts';
import { fmtNumber, fmtPct } from '../../components/format.ts';
import { createChart, healthChartConfig, opmChartConfig, updateChart, type ChartColors, type LineChart } from './chart-config.ts';

function colors(): ChartColors {
  const css = getComputedStyle(document.documentElement);
  return { grid: css.getPropertyValue('--grid').trim() || 'rgba(128,128,128,0.2)', text: css.getPropertyValue('--muted').trim() || '#888' };
}

const opmSeries = (s: ChartSeries): Point[][] => [s.target, s.setpoint, s.actual, s.users];
const healthSeries = (s: ChartSeries): Point[][] => [s.errorRatePct, s.p99Ms];

function useLineChart(make: (s: ChartSeries, c: ChartColors) => ChartConfiguration<'line', Point[]>, pick: (s: ChartSeries) => Point[][], series?: ChartSeries) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const initial = series ?? useChartStore.getState().series;
    const chart: LineChart | null = createChart(ref.current, make(initial, colors()));
    if (!chart) return;
    // live: redraw once per store flush (the store batches samples per animation frame)
    const unsubscribe = series ? () => undefined : useChartStore.subscribe((st, prev) => st.version !== prev.version && updateChart(chart, pick(st.series)));
    return () => {
      unsubscribe();
      chart.destroy();
    };
  }, [make, pick, series]);
  return ref;
}

/** The live OPM ramp (target vs actual, users on a second axis) with error rate and p99 beneath. */
export function OpmChart(props: { series?: ChartSeries; label?: string }) {
  const opmRef = useLineChart(opmChartConfig, opmSeries, props.series);
  const healthRef = useLineChart(healthChartConfig, healthSeries, props.series);
  const liveCount = useChartStore((s) => s.count);
  const liveLast = useChartStore((s) => s.last);
  const count = props.series ? props.series.actual.length : liveCount;
  const last = props.series ? null : liveLast;
  return (
    <figure className="charts" aria-label={props.label ?? 'Orders per minute chart'}>
      <div className="chart-box tall">
        <canvas ref={opmRef} role="img" aria-label="Target and actual orders per minute, and users" />
      </div>
      <div className="chart-box">
        <canvas ref={healthRef} role="img" aria-label="Error rate and p99 latency" />
      </div>
      <figcaption>
        <span data-testid="sample-count">
          {count} {count === 1 ? 'sample' : 'samples'}
        </span>
        {last && (
          <span>
            {' '}
            · actual {fmtNumber(last.actualOpm)} of {fmtNumber(last.targetOpm)} OPM · {fmtNumber(last.users)} users · errors {fmtPct(last.errorRate)} · p99{' '}
            {last.p99Ms === null ? '—' : `${fmtNumber(last.p99Ms)} ms`}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
