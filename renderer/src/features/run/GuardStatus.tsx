import type { Knee, RunStatus } from '../../../../shared/model/run.ts';
import { fmtNumber } from '../../components/format.ts';

export function GuardStatus({ status }: { status: RunStatus }) {
  return (
    <section aria-labelledby="guards-title" className="guards">
      <h3 id="guards-title">Guards</h3>
      {status.guards.length === 0 ? (
        <p className="muted">No guard readings yet.</p>
      ) : (
        <ul>
          {status.guards.map((g) => (
            <li key={g.guard} className={`guard ${g.state}`}>
              <span className={`badge ${g.state === 'ok' ? 'good' : 'bad'}`}>{g.state}</span> {g.guard}: {g.message}
            </li>
          ))}
        </ul>
      )}
      <KneeLine knee={status.knee} />
      {status.flags.length > 0 && (
        <ul className="flags" aria-label="Flags">
          {status.flags.map((f) => (
            <li key={f}>⚑ {f}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function KneeLine({ knee }: { knee: Knee | null }) {
  if (!knee) return null;
  return (
    <p className="knee">
      Knee found at {fmtNumber(knee.users)} users, {fmtNumber(knee.opm)} OPM{knee.p99Ms !== null ? `, p99 ${fmtNumber(knee.p99Ms)} ms` : ''}.
    </p>
  );
}
