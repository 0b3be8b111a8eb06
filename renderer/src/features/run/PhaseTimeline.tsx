import { PHASES, type RunStatus } from '../../../../shared/model/run.ts';

/** The lifecycle as a timeline: done, running, failed or skipped per phase. */
export function PhaseTimeline({ status }: { status: RunStatus }) {
  return (
    <ol className="timeline" aria-label="Phases">
      {PHASES.map((p) => {
        const rec = status.phases.find((r) => r.phase === p);
        const raw = rec?.state ?? 'pending';
        // a phase cut short by an abort (user or guard) was aborted, not broken
        const state = raw === 'failed' && status.abort && (rec?.error === undefined || rec.error.code === 'ABORTED') ? 'aborted' : raw;
        return (
          <li key={p} className={`phase ${state}`} aria-current={status.phase === p && state === 'running' ? 'step' : undefined}>
            <span className="name">{p}</span> <span className="state">{state}</span>
          </li>
        );
      })}
    </ol>
  );
}

export function AppProgressList({ status }: { status: RunStatus }) {
  if (status.apps.length === 0) return null;
  return (
    <table className="apps" aria-label="Applications">
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">Phase</th>
          <th scope="col">State</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {status.apps.map((a) => (
          <tr key={a.app} className={`app-row ${a.state}`}>
            <th scope="row">{a.app}</th>
            <td>{a.phase}</td>
            <td>
              <span className={`badge ${a.state === 'failed' ? 'bad' : a.state === 'ready' ? 'good' : ''}`}>{a.state}</span>
            </td>
            <td>{a.reason ?? a.detail ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
