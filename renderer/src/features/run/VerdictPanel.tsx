import type { RunStatus, Verdict } from '../../../../shared/model/run.ts';
import { verdictWords } from '../../../../shared/report/run-timeline.ts';
import { fmtMs, fmtNumber, fmtPct } from '../../components/format.ts';

/** The verdict, with what qualifies it ("passed, with 1 app skipped") right next to it, its figures and reasons. */
export function VerdictPanel({ verdict, status }: { verdict: Verdict; status: Pick<RunStatus, 'apps' | 'flags' | 'state'> }) {
  const words = verdictWords({ ...status, verdict });
  const skipped = status.apps.filter((a) => a.state === 'skipped' && a.phase === 'snapshot');
  return (
    <section className={`verdict ${verdict.status}`} aria-labelledby="verdict-title">
      <h3 id="verdict-title">
        Verdict: {verdict.status}
        {words.caveats && <span className="caveat"> — {words.caveats}</span>}
      </h3>
      <p>
        Plateau {verdict.plateauOpm === null ? 'not reached' : `${fmtNumber(verdict.plateauOpm)} of ${fmtNumber(verdict.targetOpm)} OPM`} · p99 {fmtMs(verdict.plateauP99Ms)} · error rate{' '}
        {fmtPct(verdict.errorRate)} ({verdict.plateauOpm === null ? 'run mean' : 'plateau mean'}) · restore {verdict.restoreComplete ? 'complete' : 'INCOMPLETE'}
      </p>
      {(verdict.reasons.length > 0 || skipped.length > 0 || status.flags.length > 0) && (
        <ul aria-label="Reasons and flags">
          {verdict.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
          {status.flags.map((f) => (
            <li key={f} className="flag">
              ⚑ {f}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
