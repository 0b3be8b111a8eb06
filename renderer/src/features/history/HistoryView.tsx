import { useMemo } from 'react';
import type { RunReport, Sample } from '../../../../shared/model/run.ts';
import { useHistoryStore } from '../../stores/history.ts';
import { toMinutes, type ChartSeries } from '../../stores/chart.ts';
import { fmtNumber, fmtPct, fmtTime } from '../../components/format.ts';
import { OpmChart } from '../run/OpmChart.tsx';
import { VerdictPanel } from '../run/VerdictPanel.tsx';
import { ParityTable } from '../parity/ParityTable.tsx';
import { testSideDifferences } from '../../stores/parity.ts';
import { paritySummaryLine } from '../../../../shared/model/parity-format.ts';
import type { RunComparisonDto } from '../../../../shared/contract/index.ts';
import type { ParityReport } from '../../../../shared/model/parity.ts';

export function seriesOf(samples: Sample[]): ChartSeries {
  const s: ChartSeries = { target: [], setpoint: [], actual: [], users: [], errorRatePct: [], p99Ms: [] };
  for (const x of [...samples].sort((a, b) => a.t - b.t)) {
    const t = toMinutes(x.t);
    s.target.push({ x: t, y: x.targetOpm });
    s.setpoint.push({ x: t, y: x.setpointOpm });
    s.actual.push({ x: t, y: x.actualOpm });
    s.users.push({ x: t, y: x.users });
    s.errorRatePct.push({ x: t, y: x.errorRate * 100 });
    if (x.p99Ms !== null) s.p99Ms.push({ x: t, y: x.p99Ms });
  }
  return s;
}

export function HistoryView() {
  const { runs, selected, compareIds, comparison, error, load, open, close, toggleCompare, compare } = useHistoryStore();
  return (
    <section aria-labelledby="history-title">
      <header className="row">
        <h2 id="history-title">History</h2>
        <button onClick={() => void load()}>Refresh</button>
        <button onClick={() => void compare()} disabled={compareIds.length !== 2}>
          Compare selected
        </button>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <table className="history" aria-label="Past runs">
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Started</th>
              <th scope="col">Spec</th>
              <th scope="col">Verdict</th>
              <th scope="col">Plateau OPM / target</th>
              <th scope="col">p99</th>
              <th scope="col">Errors</th>
              <th scope="col">Regressions</th>
              <th scope="col">Report</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId}>
                <td>
                  <input type="checkbox" aria-label={`Select run ${r.runId} for comparison`} checked={compareIds.includes(r.runId)} onChange={() => toggleCompare(r.runId)} />
                </td>
                <td>{fmtTime(r.startedAt)}</td>
                <td>{r.specName}</td>
                <td>
                  <span className={`badge ${r.verdict === 'passed' ? 'good' : 'bad'}`}>{r.verdict ?? 'unfinished'}</span>
                </td>
                <td>
                  {fmtNumber(r.plateauOpm)} / {fmtNumber(r.targetOpm)}
                </td>
                <td>{r.plateauP99Ms === null ? '—' : `${fmtNumber(r.plateauP99Ms)} ms`}</td>
                <td>{fmtPct(r.errorRate)}</td>
                <td>{r.regression.join('; ')}</td>
                <td>
                  <button aria-label={`Open report of run ${r.runId}`} onClick={() => void open(r.runId)}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {comparison && <Comparison comparison={comparison} />}
      {selected && <ReportView report={selected} onClose={close} />}
    </section>
  );
}

function ReportView({ report, onClose }: { report: RunReport; onClose(): void }) {
  const series = useMemo(() => seriesOf(report.status.samples), [report]);
  return (
    <section aria-labelledby="report-title" className="report">
      <header className="row">
        <h3 id="report-title">
          Report {report.runId} ({report.specName})
        </h3>
        <button onClick={onClose}>Close report</button>
      </header>
      <p className="muted">
        {fmtTime(report.startedAt)} → {fmtTime(report.endedAt)} on {report.status.testEnvironment}
      </p>
      <VerdictPanel verdict={report.verdict} />
      <OpmChart series={series} label={`Chart of run ${report.runId}`} />
      {report.parityBefore && report.parityAfter && <RestoreLine before={report.parityBefore} after={report.parityAfter} />}
      {report.parityBefore && (
        <details className="parity-details">
          <summary>Drift before the run ({paritySummaryLine(report.parityBefore)})</summary>
          <ParityTable report={report.parityBefore} driftOnly caption="Drift before the run" />
        </details>
      )}
      {report.parityAfter && (
        <details className="parity-details">
          <summary>Drift after restore ({paritySummaryLine(report.parityAfter)})</summary>
          <ParityTable report={report.parityAfter} driftOnly caption="Drift after restore" />
        </details>
      )}
    </section>
  );
}

/** Did restore put the test side back as it was before the run? */
function RestoreLine({ before, after }: { before: ParityReport; after: ParityReport }) {
  const diffs = testSideDifferences(before, after);
  return diffs.length === 0 ? (
    <p className="ok">Restore check: the test environment is back to its state before the run (its drift from production is the drift it had before).</p>
  ) : (
    <p className="error">
      Restore check: the test environment differs from before the run in {diffs.length} field{diffs.length === 1 ? '' : 's'}: {diffs.slice(0, 5).join(', ')}
    </p>
  );
}

const pct = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(1)} %`);

/** Two runs side by side, the older first, with the change from the older to the newer. */
function Comparison({ comparison }: { comparison: RunComparisonDto }) {
  const { a, b, deltas } = comparison;
  const p99 = (r: typeof a) => (r.plateauP99Ms === null ? '—' : `${fmtNumber(r.plateauP99Ms)} ms`);
  const rows: [string, string, string, string][] = [
    ['Verdict', a.verdict ?? 'unfinished', b.verdict ?? 'unfinished', ''],
    ['Plateau OPM / target', `${fmtNumber(a.plateauOpm)} / ${fmtNumber(a.targetOpm)}`, `${fmtNumber(b.plateauOpm)} / ${fmtNumber(b.targetOpm)}`, pct(deltas.plateauOpmPct)],
    ['Plateau p99', p99(a), p99(b), pct(deltas.plateauP99MsPct)],
    ['Error rate', fmtPct(a.errorRate), fmtPct(b.errorRate), deltas.errorRateDelta === null ? '—' : `${deltas.errorRateDelta > 0 ? '+' : ''}${(deltas.errorRateDelta * 100).toFixed(2)} points`],
  ];
  const noPlateau = a.plateauOpm === null || b.plateauOpm === null;
  return (
    <section aria-labelledby="compare-title" className="compare">
      <h3 id="compare-title">Comparison</h3>
      <table className="compare-table" aria-label="Run comparison">
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col">
              {a.specName}, {fmtTime(a.startedAt)}
            </th>
            <th scope="col">
              {b.specName}, {fmtTime(b.startedAt)}
            </th>
            <th scope="col">Change (newer vs older)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, x, y, d]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{x}</td>
              <td>{y}</td>
              <td>{d}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {noPlateau && <p className="muted">A run without a plateau (aborted or failed early) has no plateau figures to compare.</p>}
      {comparison.regressions.length > 0 ? (
        <ul className="error" aria-label="Regressions">
          {comparison.regressions.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : (
        <p className="ok">No regression.</p>
      )}
    </section>
  );
}
