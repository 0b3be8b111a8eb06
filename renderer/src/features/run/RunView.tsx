import { isActive, useRunStore } from '../../stores/run.ts';
import { useSpecStore } from '../../stores/spec.ts';
import { useParityStore } from '../../stores/parity.ts';
import { useRouteStore } from '../../stores/route.ts';
import { StartRun } from './StartRun.tsx';
import { AbortProgress } from './AbortControl.tsx';
import { AppProgressList, PhaseTimeline } from './PhaseTimeline.tsx';
import { RunCharts } from './RunCharts.tsx';
import { GuardStatus } from './GuardStatus.tsx';
import { VerdictPanel } from './VerdictPanel.tsx';
import { EndpointTable } from './EndpointTable.tsx';
import { DownloadReportButton } from '../history/DownloadReport.tsx';

export function RunView() {
  const status = useRunStore((s) => s.status);
  const error = useRunStore((s) => s.error);
  const log = useRunStore((s) => s.log);
  const parityBefore = useParityStore((s) => s.reports.before ?? null);
  const go = useRouteStore((s) => s.go);
  return (
    <section aria-labelledby="run-title">
      <header className="row">
        <h2 id="run-title">Run</h2>
        <StartRun />
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!status && <NoRunYet />}
      {status && (
        <>
          <div className="row run-head">
            <p className="run-state">
              Run{' '}
              {isActive(status) ? (
                <code>{status.runId}</code>
              ) : (
                <a
                  href={`#/runs/${encodeURIComponent(status.runId)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    go({ tab: 'history', runId: status.runId });
                  }}
                >
                  {status.runId}
                </a>
              )}{' '}
              of {status.specName} on {status.testEnvironment}: <strong>{status.state}</strong>
              {status.phase && isActive(status) ? ` (${status.phase})` : ''}
              {status.trigger ? <span className="muted"> · {status.trigger.summary}</span> : null}
            </p>
            {!isActive(status) && <DownloadReportButton runId={status.runId} />}
          </div>
          {(status.overrides ?? []).length > 0 && (
            <p className="overrides">
              Version overrides:{' '}
              {status.overrides!.map((o) => (
                <span key={`${o.app} ${o.container}`} className="badge override">
                  {o.app} ({o.container}): {o.image}
                </span>
              ))}
            </p>
          )}
          {status.verdict && <VerdictPanel verdict={status.verdict} status={status} />}
          <AbortProgress />
          <PhaseTimeline status={status} />
          <RunCharts status={status} />
          <EndpointTable samples={status.samples} />
          <div className="grid2">
            <AppProgressList status={status} parityBefore={parityBefore} />
            <GuardStatus status={status} />
          </div>
        </>
      )}
      {log.length > 0 && (
        <details className="log">
          <summary>Log ({log.length})</summary>
          <ul>
            {log.slice(-50).map((l, i) => (
              <li key={i} className={l.level}>
                {l.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** Before the first run: what "Start load test" will do, and what appears here once it runs. */
function NoRunYet() {
  const validation = useSpecStore((s) => s.validation);
  return (
    <div className="empty">
      <p>
        <strong>No run yet.</strong>{' '}
        {validation?.ok ? (
          <>
            “Start load test” runs <strong>{validation.specName}</strong> on {validation.testEnvironment ?? 'the test environment'}.
          </>
        ) : (
          'Load a valid spec (Spec tab), then start a load test.'
        )}
      </p>
      <p className="muted">Once it runs, this page shows the phases, each application's version and progress, the orders-per-minute and latency charts over the planned run, the guards and the verdict.</p>
    </div>
  );
}
