import { PHASES, type ParityReport, type RunStatus } from '../../../../shared/model/index.ts';
import { appStateWords, runningVersions } from '../../../../shared/report/run-timeline.ts';
import { imageVersion } from '../../../../shared/model/parity-glance.ts';
import { Table } from '../../components/Table.tsx';

/** The lifecycle as a timeline: done, running, failed or skipped per phase. */
export function PhaseTimeline({ status }: { status: RunStatus }) {
  return (
    <ol className="timeline" aria-label="Phases">
      {PHASES.map((p) => {
        const rec = status.phases.filter((r) => r.phase === p).at(-1);
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

const stateClass = (words: string, state: string) => (words === 'restored' || state === 'ready' ? 'good' : state === 'failed' ? 'bad' : state === 'skipped' ? 'warn' : '');

/** Each app: the version it runs (a feature-branch override badged), its phase and state ("restored" once put back). */
export function AppProgressList({ status, parityBefore }: { status: RunStatus; parityBefore: ParityReport | null }) {
  if (status.apps.length === 0) return null;
  return (
    <section aria-labelledby="apps-title" className="apps-section">
      <h3 id="apps-title">Applications</h3>
      <Table label="Applications" className="apps" scrolls columns={['App', 'Version', 'Phase', 'State', 'Detail']}>
        {status.apps.map((a) => {
          const versions = a.state === 'skipped' && a.phase === 'snapshot' ? [] : runningVersions(status.overrides, parityBefore, a.app);
          const words = appStateWords(a);
          return (
            <tr key={a.app} className={`app-row ${a.state}`}>
              <th scope="row">{a.app}</th>
              <td className="versions">
                {versions.length === 0
                  ? '—'
                  : versions.map((v) => (
                      <span key={`${v.container} ${v.image}`} className="version" title={v.image}>
                        {`${v.container}: `}
                        {v.override ? <code>{v.image}</code> : imageVersion(v.image)}
                        {v.override && <span className="badge override">override</span>}
                      </span>
                    ))}
              </td>
              <td>{a.phase}</td>
              <td>
                <span className={`badge ${stateClass(words, a.state)}`}>{words}</span>
              </td>
              <td className="detail">{a.reason ?? a.detail ?? ''}</td>
            </tr>
          );
        })}
      </Table>
    </section>
  );
}
