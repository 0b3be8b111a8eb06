import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { isActive, useRunStore } from '../../stores/run.ts';
import { useSpecStore } from '../../stores/spec.ts';

/** "Start load test", confirmed in a dialog that names the test environment. */
export function StartRun() {
  const [confirming, setConfirming] = useState(false);
  const validation = useSpecStore((s) => s.validation);
  const text = useSpecStore((s) => s.text);
  const { status, starting, start } = useRunStore();
  const active = isActive(status);
  const valid = validation?.ok === true;
  const reason = !text ? 'Load a spec first.' : !validation ? 'Checking the spec…' : !valid ? 'The spec has errors: fix them in Spec.' : null;
  return (
    <div className="start">
      <button className="primary" disabled={!valid || active || starting} onClick={() => setConfirming(true)} aria-describedby={reason ? 'start-why' : undefined}>
        {starting ? 'Starting…' : 'Start load test'}
      </button>
      {reason && !active && (
        <span id="start-why" className="muted">
          {reason}
        </span>
      )}
      {confirming && (
        <ConfirmDialog
          title="Start the load test?"
          confirmLabel="Start"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void start(text);
          }}
        >
          <p>
            This deploys production's versions into <strong>{validation?.testEnvironment ?? 'the test environment'}</strong>, scales it to match production and drives
            load toward the target of <strong>{validation?.specName ?? 'the spec'}</strong>. The test environment is restored afterwards. Production is only read.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
