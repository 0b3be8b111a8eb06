import type { Verdict } from '../../../../shared/model/run.ts';
import { fmtNumber, fmtPct } from '../../components/format.ts';

export function VerdictPanel({ verdict }: { verdict: Verdict }) {
  return (
    <section className={`verdict ${verdict.status}`} aria-labelledby="verdict-title">
      <h3 id="verdict-title">Verdict: {verdict.status}</h3>
      <p>
        Plateau {fmtNumber(verdict.plateauOpm)} of {fmtNumber(verdict.targetOpm)} OPM · p99 {verdict.plateauP99Ms === null ? '—' : `${fmtNumber(verdict.plateauP99Ms)} ms`} · errors{' '}
        {fmtPct(verdict.errorRate)} · restore {verdict.restoreComplete ? 'complete' : 'INCOMPLETE'}
      </p>
      {verdict.reasons.length > 0 && (
        <ul>
          {verdict.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
