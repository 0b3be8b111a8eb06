import { isActive, useRunStore } from '../../stores/run.ts';
import { useSpecStore } from '../../stores/spec.ts';
import { StartRun } from './StartRun.tsx';
import { AbortProgress } from './AbortControl.tsx';
import { AppProgressList, PhaseTimeline } from './PhaseTimeline.tsx';
import { OpmChart } from './OpmChart.tsx';
import { GuardStatus } from './GuardStatus.tsx';
import { VerdictPanel } from './VerdictPanel.tsx';

export function RunView() {
  const status = useRunStore((s) => s.status);
  const error = useRunStore((s) => s.error);
  const log = useRunStore((s) => s.log);
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
          <p className="run-state" aria-live="polite">
            Run {status.runId} of {status.specName} on {status.testEnvironment}: <strong>{status.state}</strong>
            {status.phase && isActive(status) ? ` (${status.phase})` : ''}
          </p>
          {status.verdict && <VerdictPanel verdict={status.verdict} />}
          <AbortProgress />
          <PhaseTimeline status={status} />
          <OpmChart />
          <div className="columns">
            <AppProgressList status={status} />
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
      <p className="muted">Once it runs, this page shows the phases, each application's progress, the live orders-per-minute chart, the guards and the verdict.</p>
    </div>
  );
}
