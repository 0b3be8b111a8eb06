import { useRunStore } from '../../stores/run.ts';
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
      {status && (
        <>
          <p className="run-state" aria-live="polite">
            Run {status.runId} of {status.specName} on {status.testEnvironment}: <strong>{status.state}</strong>
            {status.phase ? ` (${status.phase})` : ''}
          </p>
          <AbortProgress />
          <PhaseTimeline status={status} />
        </>
      )}
      <OpmChart />
      {status && (
        <div className="columns">
          <AppProgressList status={status} />
          <GuardStatus status={status} />
        </div>
      )}
      {status?.verdict && <VerdictPanel verdict={status.verdict} />}
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
