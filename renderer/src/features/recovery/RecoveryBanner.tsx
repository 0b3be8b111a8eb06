import { useRecoveryStore } from '../../stores/recovery.ts';
import { useConnectionStore } from '../../stores/connection.ts';
import { fmtTime } from '../../components/format.ts';

/** A run that did not finish leaves the test environment changed: offer to restore it. */
export function RecoveryBanner() {
  const { pending, busy, message, restored, restore, dismiss } = useRecoveryStore();
  const online = useConnectionStore((s) => s.state === 'online');
  if (pending.length === 0 && !message) return null;
  const settled = pending.length === 0 && restored === true;
  return (
    <div className={`banner ${settled ? 'good' : 'warn'}`} role="alert">
      {pending.map((p) => (
        <p key={p.runId}>
          Run {p.runId} of <strong>{p.specName}</strong> (started {fmtTime(p.startedAt)}, last phase {p.lastPhase ?? 'none'}) did not finish; {p.testEnvironment} may still be
          scaled up.{' '}
          <button onClick={() => void restore(p.runId)} disabled={busy !== null || !online}>
            {busy === p.runId ? 'Restoring…' : `Restore ${p.testEnvironment}`}
          </button>
        </p>
      ))}
      {message && (
        <p>
          {message}
          {pending.length === 0 && (
            <>
              {' '}
              <button onClick={dismiss}>Dismiss</button>
            </>
          )}
        </p>
      )}
    </div>
  );
}
