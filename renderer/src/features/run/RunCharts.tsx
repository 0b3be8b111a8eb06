import { useEffect, useMemo, useRef } from 'react';
import type { ChartConfiguration } from 'chart.js';
import type { RunStatus } from '../../../../shared/model/run.ts';
import { runTimeline, type RunTimeline } from '../../../../shared/report/run-timeline.ts';
import { fmtClock, fmtMs, fmtNumber, fmtPct, fmtSpan } from '../../components/format.ts';
import { toMinutes, useChartStore, type ChartSeries, type Point } from '../../stores/chart.ts';
import {
  createChart,
  latencyChartConfig,
  latencySeries,
  opmChartConfig,
  opmSeries,
  setFrame,
  updateChart,
  themeChartColors,
  type ChartColors,
  type ChartFrame,
  type LineChart,
} from './chart-config.ts';

/**
 * The run on one screen: OPM and latency over the planned run, ramp and plateau shaded from the
 * start, marks for phase changes, breaches, the knee, production drift and the abort (also listed
 * in words beneath), and where the run stands: elapsed and remaining.
 */

export function frameOf(tl: RunTimeline, text: string): ChartFrame {
  const end = Math.max(tl.plannedEnd ?? 0, tl.elapsed);
  return {
    // whole minutes: the axis ends on a round tick
    xMax: end > 0 ? Math.ceil(toMinutes(end)) : null,
    marks: {
      spans: tl.spans.map((s) => ({ kind: s.kind, from: toMinutes(s.from), to: toMinutes(s.to) })),
      marks: tl.marks.map((m) => ({ kind: m.kind, x: toMinutes(m.t), label: m.label })),
      now: tl.remaining !== null ? toMinutes(tl.elapsed) : null,
      textColor: text,
    },
  };
}

function useLineChart(make: (s: ChartSeries, c: ChartColors, f: ChartFrame) => ChartConfiguration<'line', Point[]>, pick: (s: ChartSeries) => Point[][], frame: ChartFrame, series?: ChartSeries) {
  const ref = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<LineChart | null>(null);
  const frameRef = useRef(frame);
  frameRef.current = frame;
  useEffect(() => {
    if (!ref.current) return;
    const initial = series ?? useChartStore.getState().drawn;
    const chart: LineChart | null = createChart(ref.current, make(initial, themeChartColors(), frameRef.current));
    if (!chart) return;
    chartRef.current = chart;
    // live: redraw once per store flush (the store batches samples per animation frame)
    const unsubscribe = series
      ? () => undefined
      : useChartStore.subscribe((st, prev) => {
          if (st.version === prev.version) return;
          setFrame(chart, frameRef.current);
          updateChart(chart, pick(st.drawn));
        });
    return () => {
      unsubscribe();
      chartRef.current = null;
      chart.destroy();
    };
  }, [make, pick, series]);
  // marks, spans or the x range changed (the elapsed-time line follows the samples' redraws)
  const key = JSON.stringify([frame.xMax, frame.marks.spans, frame.marks.marks, frame.marks.now === null]);
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    setFrame(chart, frameRef.current);
    chart.update('none');
  }, [key]);
  return ref;
}

/** Both charts of a run: live (no `series`: the chart store) or a finished run's (`series`: what to draw, chartDataOf(samples).drawn). */
export function RunCharts(props: { status: RunStatus; series?: ChartSeries; label?: string }) {
  const liveCount = useChartStore((s) => s.count);
  const liveLast = useChartStore((s) => s.last);
  const latestT = props.series ? 0 : (liveLast?.t ?? 0);
  const tl = useMemo(() => runTimeline(props.status, latestT), [props.status, latestT]);
  const text = useMemo(() => (typeof document !== 'undefined' ? themeChartColors().text : '#888'), []);
  const frame = useMemo(() => frameOf(tl, text), [tl, text]);
  const opmRef = useLineChart(opmChartConfig, opmSeries, frame, props.series);
  const latencyRef = useLineChart(latencyChartConfig, latencySeries, frame, props.series);
  const count = props.series ? props.status.samples.length : liveCount;
  const last = props.series ? (props.status.samples.at(-1) ?? null) : (liveLast ?? props.status.samples.at(-1) ?? null);
  const scaled = Number.isFinite(props.status.timeScale) && props.status.timeScale !== 1;
  const markText = tl.marks.map((m) => `${fmtClock(m.t)} ${m.text}`).join('; ');
  return (
    <figure className="charts" aria-label={props.label ?? 'Run charts'}>
      <p className="run-clock" data-testid="run-clock">
        {tl.remaining !== null ? (
          <>
            Elapsed <strong>{fmtClock(tl.elapsed)}</strong> · remaining <strong>{fmtClock(tl.remaining)}</strong> of the planned {fmtSpan(tl.plannedEnd ?? 0)}
          </>
        ) : (
          <>
            Ran <strong>{fmtClock(tl.elapsed)}</strong>
            {tl.plannedEnd !== null ? ` of the planned ${fmtSpan(tl.plannedEnd)}` : ''}
          </>
        )}
        {scaled ? ` (run clock, ×${fmtNumber(props.status.timeScale)})` : ''}
      </p>
      <div className="chart-box tall">
        <canvas ref={opmRef} role="img" aria-label={`Orders per minute over the planned run: target, setpoint, actual and users${markText ? `. Marks: ${markText}` : ''}`} />
      </div>
      <div className="chart-box">
        <canvas ref={latencyRef} role="img" aria-label={`Latency p50, p95 and p99 and the error rate${markText ? `. Marks: ${markText}` : ''}`} />
      </div>
      <figcaption>
        <span data-testid="sample-count">
          {count} {count === 1 ? 'sample' : 'samples'}
        </span>
        {last && (
          <span>
            {' '}
            · latest sample at {fmtClock(last.t)}: {fmtNumber(last.actualOpm)} of {fmtNumber(last.targetOpm)} OPM · {fmtNumber(last.users)} users · error rate {fmtPct(last.errorRate)} · p99{' '}
            {fmtMs(last.p99Ms)}
          </span>
        )}
      </figcaption>
      {tl.marks.length > 0 && (
        <ol className="marks" aria-label="Chart marks">
          {tl.marks.map((m, i) => (
            <li key={i} className={`mark ${m.kind}`}>
              <span className="when">{fmtClock(m.t)}</span> {m.text}
            </li>
          ))}
        </ol>
      )}
    </figure>
  );
}
