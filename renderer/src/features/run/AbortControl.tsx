import { isActive, useRunStore } from '../../stores/run.ts';
import { useConnectionStore } from '../../stores/connection.ts';
import type { RunStatus } from '../../../../shared/model/run.ts';

const STEPS: { key: NonNullable<RunStatus['abort']>['step'] | 'aborted'; label: string }[] = [
  { key: 'stopping-load', label: 'Stopping load' },
  { key: 'restoring', label: 'Restoring' },
  { key: 'cleaning-up', label: 'Cleaning up' },
  { key: 'aborted', label: 'Aborted' },
];

/** One click aborts; the button stays on screen during a run and then shows the abort's progress. */
export function AbortButton() {
  const status = useRunStore((s) => s.status);
  const abortRequested = useRunStore((s) => s.abortRequested);
  const abort = useRunStore((s) => s.abort);
  const online = useConnectionStore((s) => s.state === 'online');
  if (!isActive(status)) return null;
  const aborting = abortRequested || status?.state === 'aborting';
  return (
    <button className="danger abort" onClick={() => void abort()} disabled={aborting || !online} title={online ? undefined : 'Not connected to the conductor'}>
      {aborting ? 'Aborting…' : 'Abort'}
    </button>
  );
}

export function AbortProgress() {
  const status = useRunStore((s) => s.status);
  if (!status?.abort) return null;
  const current = status.state === 'aborted' || status.abort.step === 'done' ? 'aborted' : status.abort.step;
  const at = STEPS.findIndex((s) => s.key === current);
  return (
    <div className="abort-progress" role="status" aria-label="Abort progress">
      <ol>
        {STEPS.map((s, i) => (
          <li key={s.key} className={i < at ? 'done' : i === at ? 'current' : 'todo'} aria-current={i === at ? 'step' : undefined}>
            {s.label}
            {i < at ? ' ✓' : ''}
          </li>
        ))}
      </ol>
      <p className="muted">Reason: {status.abort.reason}</p>
    </div>
  );
}
