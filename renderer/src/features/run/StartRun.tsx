import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { isActive, useRunStore } from '../../stores/run.ts';
import { useSpecStore } from '../../stores/spec.ts';
import { useParityStore } from '../../stores/parity.ts';
import { useConnectionStore } from '../../stores/connection.ts';
import { forecastSkips } from '../../../../shared/spec/run-plan.ts';
import { fmtNumber, fmtSpan } from '../../components/format.ts';

/**
 * "Start load test", confirmed in a dialog that names what will happen: the test environment it
 * writes to, the target, ramp-up and plateau, the versions it deploys (overrides named) and the
 * apps it will skip (forecast from the last parity check).
 */
export function StartRun() {
  const [confirming, setConfirming] = useState(false);
  const validation = useSpecStore((s) => s.validation);
  const text = useSpecStore((s) => s.text);
  const parity = useParityStore((s) => s.reports.before);
  const online = useConnectionStore((s) => s.state === 'online');
  const { status, starting, start } = useRunStore();
  const active = isActive(status);
  const valid = validation?.ok === true;
  const reason = !online
    ? 'Not connected to the conductor.'
    : !text
      ? 'Load a spec first.'
      : !validation
        ? 'Checking the spec…'
        : !valid
          ? 'The spec has errors: fix them in Spec.'
          : null;
  const plan = validation?.plan;
  const skips = plan && parity && parity.specName === validation?.specName ? forecastSkips(plan, parity) : null;
  return (
    <div className="start">
      <button className="primary" disabled={!valid || active || starting || !online} onClick={() => setConfirming(true)} aria-describedby={reason ? 'start-why' : undefined}>
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
            <strong>{validation?.specName ?? 'This spec'}</strong> writes to <strong>{validation?.testEnvironment ?? 'the test environment'}</strong> and restores it afterwards. Production
            is only read.
          </p>
          <dl className="plan">
            <dt>Test environment</dt>
            <dd>{validation?.testEnvironment ?? '—'}</dd>
            {plan && (
              <>
                <dt>Load</dt>
                <dd>
                  target {fmtNumber(plan.load.targetOpm)} orders per minute · ramp-up {fmtSpan(plan.load.rampUpMs)} · plateau {fmtSpan(plan.load.plateauMs)}
                </dd>
                <dt>Versions</dt>
                <dd>
                  {plan.overrides.length === 0 ? (
                    plan.productionVersions ? (
                      "production's versions of every app"
                    ) : (
                      'the versions test already runs'
                    )
                  ) : (
                    <ul className="plain">
                      {plan.overrides.map((o) => (
                        <li key={`${o.app} ${o.container ?? '*'}`}>
                          <span className="badge override">override</span> {o.app}
                          {o.container ? ` (${o.container})` : ''}: <code>{o.image}</code>
                        </li>
                      ))}
                      {plan.productionVersions && <li>every other app: production's version</li>}
                    </ul>
                  )}
                </dd>
                <dt>Skipped apps</dt>
                <dd>
                  {skips === null ? (
                    'not known yet (check parity first)'
                  ) : skips.length === 0 ? (
                    `none: all ${plan.apps.length} apps take part`
                  ) : (
                    <ul className="plain">
                      {skips.map((s) => (
                        <li key={s.app}>
                          {s.app}: {s.reason}
                        </li>
                      ))}
                    </ul>
                  )}
                </dd>
              </>
            )}
          </dl>
        </ConfirmDialog>
      )}
    </div>
  );
}
