import { useEffect, useRef } from 'react';
import type { RunReport } from '../../../../shared/model/run.ts';
import type { Comparison as ComparisonData } from '../../stores/history.ts';
import { fmtMs, fmtNumber, fmtPct, fmtTime } from '../../components/format.ts';
import { imageVersion } from '../../../../shared/model/parity-glance.ts';
import type { Point } from '../../stores/chart.ts';
import { compareChartConfig, createChart, RUN_COLORS, themeChartColors } from '../run/chart-config.ts';
import { VERDICT_BADGE } from '../../components/verdict-badge.ts';

/** 2–5 runs side by side: their figures with the change against the oldest, and OPM and p99 overlaid. */

/** a run's samples against minutes since its load started (so runs line up however long their deploy took) */
export function sinceLoad(report: RunReport, pick: (s: RunReport['status']['samples'][number]) => number | null): Point[] {
  const ramp = report.status.phases.find((p) => p.phase === 'ramp');
  const start = ramp?.startedAt ?? report.status.samples[0]?.t ?? 0;
  return report.status.samples.flatMap((s) => {
    const y = pick(s);
    return y === null ? [] : [{ x: (s.t - start) / 60_000, y }];
  });
}

const pct = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(1)} %`);

function OverlayChart({ title, yTitle, reports, pick }: { title: string; yTitle: string; reports: RunReport[]; pick: (s: RunReport['status']['samples'][number]) => number | null }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = createChart(ref.current, compareChartConfig(yTitle, reports.map((r, i) => ({ label: `${i === 0 ? 'baseline ' : ''}${r.runId}`, data: sinceLoad(r, pick) })), themeChartColors()));
    return () => chart?.destroy();
  }, [reports, yTitle, pick]);
  return (
    <div className="chart-box">
      <canvas ref={ref} role="img" aria-label={`${title}, one line per run: ${reports.map((r) => r.runId).join(', ')}`} />
    </div>
  );
}

const pickOpm = (s: RunReport['status']['samples'][number]) => s.actualOpm;
const pickP99 = (s: RunReport['status']['samples'][number]) => s.p99Ms;

export function Comparison({ comparison, onClose }: { comparison: ComparisonData; onClose(): void }) {
  const { reports, pairs } = comparison;
  const regressions = pairs.flatMap((p) => p.regressions.map((r) => `${p.b.runId}: ${r}`));
  const rows: [string, (r: RunReport, i: number) => string][] = [
    ['Started', (r) => fmtTime(r.startedAt)],
    ['Versions', (r) => (r.status.overrides?.length ? r.status.overrides.map((o) => `override ${o.app}: ${imageVersion(o.image)}`).join(', ') : 'production')],
    ['Plateau OPM / target', (r) => `${fmtNumber(r.verdict.plateauOpm)} / ${fmtNumber(r.verdict.targetOpm)}`],
    ['Plateau p99', (r) => fmtMs(r.verdict.plateauP99Ms)],
    ['Error rate', (r) => fmtPct(r.verdict.errorRate)],
    ['OPM vs baseline', (_r, i) => (i === 0 ? 'baseline' : pct(pairs[i - 1]!.deltas.plateauOpmPct))],
    ['p99 vs baseline', (_r, i) => (i === 0 ? 'baseline' : pct(pairs[i - 1]!.deltas.plateauP99MsPct))],
    ['Error rate vs baseline', (_r, i) => {
      const d = i === 0 ? null : pairs[i - 1]!.deltas.errorRateDelta;
      return i === 0 ? 'baseline' : d === null ? '—' : `${d > 0 ? '+' : ''}${(d * 100).toFixed(2)} points`;
    }],
  ];
  const noPlateau = reports.some((r) => r.verdict.plateauOpm === null);
  return (
    <section aria-labelledby="compare-title" className="compare">
      <header className="row">
        <h3 id="compare-title">Comparison of {reports.length} runs</h3>
        <button onClick={onClose}>Close comparison</button>
      </header>
      <div className="scroll" tabIndex={0} role="region" aria-label="Run comparison (scrolls sideways)">
        <table className="compare-table" aria-label="Run comparison">
          <thead>
            <tr>
              <th scope="col">Measure</th>
              {reports.map((r, i) => (
                <th scope="col" key={r.runId}>
                  <span className="swatch" style={{ background: RUN_COLORS[i % RUN_COLORS.length] }} aria-hidden="true" /> <code>{r.runId}</code>{' '}
                  <span className={`badge ${VERDICT_BADGE[r.verdict.status] ?? ''}`}>{r.verdict.status}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, cell]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {reports.map((r, i) => (
                  <td key={r.runId}>{cell(r, i)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {noPlateau && <p className="muted">A run without a plateau (aborted or failed early) has no plateau figures to compare.</p>}
      {regressions.length > 0 ? (
        <ul className="error" aria-label="Regressions">
          {regressions.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : (
        <p className="ok">No regression against the baseline.</p>
      )}
      <figure className="charts" aria-label="Compared runs over time">
        <OverlayChart title="Actual orders per minute" yTitle="orders per minute" reports={reports} pick={pickOpm} />
        <OverlayChart title="p99 latency" yTitle="p99 ms" reports={reports} pick={pickP99} />
      </figure>
    </section>
  );
}
