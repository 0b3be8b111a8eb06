import { useId } from 'react';
import { SANDBOX, useEnvStore, type EnvSelection } from '../../stores/env.ts';
import { useSpecStore } from '../../stores/spec.ts';

function Choice(props: { label: string; value: string; options: string[]; sandbox?: boolean; onChange(v: string): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.sandbox && <option value={SANDBOX}>Sandbox (embedded)</option>}
        {!props.sandbox && <option value="">(none)</option>}
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Choose production and test: kubeconfig contexts and AWS profiles, by name only. */
export function EnvironmentsView() {
  const { envs, selection, error, select } = useEnvStore();
  const setField = useSpecStore((s) => s.setField);
  const ctx = envs?.kubeContexts ?? [];
  const profiles = envs?.awsProfiles ?? [];
  const apply = (sel: EnvSelection) => {
    if (sel.productionContext === SANDBOX || sel.testContext === SANDBOX) {
      setField(['spec', 'sandbox', 'timeScale'], envs?.sandbox.timeScale ?? 1);
      return;
    }
    setField(['spec', 'sandbox'], undefined);
    setField(['spec', 'production', 'kubernetes', 'context'], sel.productionContext);
    setField(['spec', 'test', 'kubernetes', 'context'], sel.testContext);
    if (sel.productionProfile) setField(['spec', 'production', 'ecs', 'profile'], sel.productionProfile);
    if (sel.testProfile) setField(['spec', 'test', 'ecs', 'profile'], sel.testProfile);
  };
  return (
    <section aria-labelledby="env-title">
      <h2 id="env-title">Environments</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p className="muted">
        Names only: credentials stay in your kubeconfig and AWS configuration and are read by the conductor when a run uses them. Conductor runs in the{' '}
        {envs?.host === 'electron' ? 'desktop app' : 'server (`conductor serve`)'}
        {envs?.sandbox.available ? '; the embedded sandbox is available.' : '.'}
      </p>
      <div className="columns">
        <fieldset>
          <legend>Production (read only)</legend>
          <Choice label="Production Kubernetes context" value={selection.productionContext} options={ctx} sandbox onChange={(v) => select({ productionContext: v })} />
          <Choice label="Production AWS profile" value={selection.productionProfile} options={profiles} onChange={(v) => select({ productionProfile: v })} />
        </fieldset>
        <fieldset>
          <legend>Test</legend>
          <Choice label="Test Kubernetes context" value={selection.testContext} options={ctx} sandbox onChange={(v) => select({ testContext: v })} />
          <Choice label="Test AWS profile" value={selection.testProfile} options={profiles} onChange={(v) => select({ testProfile: v })} />
        </fieldset>
      </div>
      <button onClick={() => apply(selection)}>Apply to spec</button>
    </section>
  );
}
