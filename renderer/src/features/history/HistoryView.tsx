import { useEffect, useMemo, useRef } from 'react';
import type { ParityReport } from '../../../../shared/model/parity.ts';
import type { RunReport, RunSummary } from '../../../../shared/model/run.ts';
import { paritySummaryLine } from '../../../../shared/model/parity-format.ts';
import { imageVersion, testSideDifferences } from '../../../../shared/model/parity-glance.ts';
import { useHistoryStore } from '../../stores/history.ts';
import { useRouteStore, MAX_COMPARE } from '../../stores/route.ts';
import { useConnectionStore } from '../../stores/connection.ts';
import { chartDataOf } from '../../stores/chart.ts';
import { fmtMs, fmtNumber, fmtPct, fmtSpan, fmtTime } from '../../components/format.ts';
import { RunCharts } from '../run/RunCharts.tsx';
import { VerdictPanel } from '../run/VerdictPanel.tsx';
import { AppProgressList } from '../run/PhaseTimeline.tsx';
import { GuardStatus } from '../run/GuardStatus.tsx';
import { EndpointTable } from '../run/EndpointTable.tsx';
import { ParityGlance } from '../parity/ParityGlance.tsx';
import { DownloadReportButton } from './DownloadReport.tsx';
import { Comparison } from './Comparison.tsx';
import { VERDICT_BADGE } from '../../components/verdict-badge.ts';
import { Table } from '../../components/Table.tsx';

/**
 * Past runs (run id, start, duration, what started it, verdict, overrides, figures, regressions),
 * one run's report (#/runs/ID) and a comparison of 2–5 runs (#/compare/A,B,…).
 */

export function duration(r: { startedAt: string; endedAt: string | null }): string {
  if (!r.endedAt) return '—';
  const ms = Date.parse(r.endedAt) - Date.parse(r.startedAt);
  return Number.isFinite(ms) ? fmtSpan(ms) : '—';
}

/** what the Regressions column says: the regressions, or why there are none */
export function regressionText(r: RunSummary): string {
  if (r.regression.length) return r.regression.join('; ');
  if (r.verdict === 'aborted' || r.verdict === 'error' || r.plateauOpm === null) return `not compared (${r.verdict ?? 'unfinished'}${r.plateauOpm === null && r.verdict !== 'aborted' && r.verdict !== 'error' ? ', no plateau' : ''})`;
  if (r.baselineRunId === null) return 'none: no earlier run to compare';
  if (r.baselineRunId) return `none vs ${r.baselineRunId}`;
  return 'none';
}

function OverrideBadges({ overrides }: { overrides: RunSummary['overrides'] }) {
  if (!overrides?.length) return <span className="muted">production</span>;
  return (
    <>
      {overrides.map((o) => (
        <span key={`${o.app} ${o.container}`} className="badge override" title={`${o.container}: ${o.image}`}>
          override {o.app}: {imageVersion(o.image)}
        </span>
      ))}
    </>
  );
}

export function HistoryView() {
  const { runs, selected, compareIds, comparison, error, load, open, close, toggleCompare, compare } = useHistoryStore();
  const route = useRouteStore((s) => s.route);
  const go = useRouteStore((s) => s.go);
  const online = useConnectionStore((s) => s.state === 'online');
  const routeRun = route.runId;
  const routeCompare = route.compare.join(',');
  useEffect(() => {
    if (routeRun) void open(routeRun);
    else close();
  }, [routeRun, open, close]);
  useEffect(() => {
    if (routeCompare) void compare(routeCompare.split(','));
  }, [routeCompare, compare]);
  const canCompare = compareIds.length >= 2 && compareIds.length <= MAX_COMPARE;
  return (
    <section aria-labelledby="history-title">
      <header className="row">
        <h2 id="history-title">History</h2>
        <button onClick={() => void load()} disabled={!online}>
          Refresh
        </button>
        <button onClick={() => go({ tab: 'history', compare: compareIds })} disabled={!canCompare || !online}>
          Compare selected ({compareIds.length})
        </button>
        <span className="muted">Select 2–{MAX_COMPARE} runs to compare; the oldest is the baseline.</span>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {routeRun && selected?.runId === routeRun && <ReportView report={selected} onClose={() => go({ tab: 'history' })} />}
      {route.compare.length >= 2 && comparison && <Comparison comparison={comparison} onClose={() => go({ tab: 'history' })} />}
      {runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <Table label="Past runs" className="history" scrolls columns={['Compare', 'Run', 'Started', 'Duration', 'Trigger', 'Verdict', 'Versions', 'Plateau OPM / target', 'p99', 'Error rate', 'Regressions']}>
          {runs.map((r) => (
            <tr key={r.runId}>
              <td>
                <input type="checkbox" aria-label={`Select run ${r.runId} for comparison`} checked={compareIds.includes(r.runId)} onChange={() => toggleCompare(r.runId)} />
              </td>
              <th scope="row">
                <a
                  href={`#/runs/${encodeURIComponent(r.runId)}`}
                  aria-label={`Open report of run ${r.runId}`}
                  onClick={(e) => {
                    e.preventDefault();
                    go({ tab: 'history', runId: r.runId });
                  }}
                >
                  <code>{r.runId}</code>
                </a>
                <div className="muted small">{r.specName}</div>
              </th>
              <td>{fmtTime(r.startedAt)}</td>
              <td>{duration(r)}</td>
              <td className="small">{r.trigger?.summary ?? '—'}</td>
              <td>
                <span className={`badge ${VERDICT_BADGE[r.verdict ?? ''] ?? ''}`}>{r.verdict ?? 'unfinished'}</span>
                {r.skipped?.length ? <div className="small caveat-text">{r.skipped.length} skipped: {r.skipped.join(', ')}</div> : null}
              </td>
              <td>
                <OverrideBadges overrides={r.overrides} />
              </td>
              <td>
                {fmtNumber(r.plateauOpm)} / {fmtNumber(r.targetOpm)}
              </td>
              <td>{fmtMs(r.plateauP99Ms)}</td>
              <td>{fmtPct(r.errorRate)}</td>
              <td className={r.regression.length ? 'error' : 'muted'}>{regressionText(r)}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

function ReportView({ report, onClose }: { report: RunReport; onClose(): void }) {
  const series = useMemo(() => chartDataOf(report.status.samples).drawn, [report]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [report.runId]);
  return (
    <section aria-labelledby="report-title" className="report">
      <header className="row">
        <h3 id="report-title" ref={heading} tabIndex={-1}>
          Report {report.runId} ({report.specName})
        </h3>
        <DownloadReportButton runId={report.runId} report={report} />
        <button onClick={onClose}>Close report</button>
      </header>
      <p className="muted">
        {fmtTime(report.startedAt)} → {fmtTime(report.endedAt)} ({duration(report)}) on {report.status.testEnvironment}
      </p>
      <p className="overrides">
        Versions: <OverrideBadges overrides={report.status.overrides} />
      </p>
      <VerdictPanel verdict={report.verdict} status={report.status} />
      <RunCharts status={report.status} series={series} label={`Charts of run ${report.runId}`} />
      <EndpointTable samples={report.status.samples} />
      <div className="grid2">
        <AppProgressList status={report.status} parityBefore={report.parityBefore} />
        <GuardStatus status={report.status} live={false} />
      </div>
      {report.parityBefore && report.parityAfter && <RestoreLine before={report.parityBefore} after={report.parityAfter} />}
      {report.parityBefore && (
        <details className="parity-details">
          <summary>Parity before the run ({paritySummaryLine(report.parityBefore)})</summary>
          <ParityGlance report={report.parityBefore} driftOnly={false} caption="Parity before the run" />
        </details>
      )}
      {report.parityAfter && (
        <details className="parity-details">
          <summary>Parity after restore ({paritySummaryLine(report.parityAfter)})</summary>
          <ParityGlance report={report.parityAfter} driftOnly={false} caption="Parity after restore" before={report.parityBefore ?? undefined} />
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
