import { useId, useState } from 'react';
import type { EnvironmentSide } from '../../../../shared/contract/index.ts';
import { editsForChoice, SANDBOX, useEnvStore, type Side } from '../../stores/env.ts';
import { hasField, useSpecStore } from '../../stores/spec.ts';

function Select(props: { label: string; value: string; options: string[]; none: string; sandbox?: boolean; hint?: string; invalid?: boolean; onChange(v: string): void }) {
  const id = useId();
  // a saved name that this machine does not list any more stays visible (and selectable)
  const options = props.value && props.value !== SANDBOX && !props.options.includes(props.value) ? [...props.options, props.value] : props.options;
  return (
    <div className={`field ${props.invalid ? 'invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)} aria-invalid={props.invalid || undefined} aria-describedby={props.hint ? `${id}-hint` : undefined}>
        {props.sandbox && <option value={SANDBOX}>Sandbox (embedded)</option>}
        <option value="">{props.none}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {props.options.includes(o) ? o : `${o} (not found here)`}
          </option>
        ))}
      </select>
      {props.hint && (
        <span id={`${id}-hint`} className="hint muted">
          {props.hint}
        </span>
      )}
    </div>
  );
}

/** A text setting, saved when the field loses focus (or on Enter). */
function Text(props: { label: string; value: string; placeholder?: string; invalid?: boolean; disabled?: boolean; onSave(v: string): void }) {
  const id = useId();
  const save = (el: HTMLInputElement) => {
    const v = el.value.trim();
    if (v !== props.value) props.onSave(v);
  };
  return (
    <div className={`field ${props.invalid ? 'invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        key={props.value}
        defaultValue={props.value}
        placeholder={props.placeholder}
        disabled={props.disabled}
        aria-invalid={props.invalid || undefined}
        spellCheck={false}
        onBlur={(e) => save(e.currentTarget)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') save(e.currentTarget);
        }}
      />
    </div>
  );
}

function SideFields({ side, legend }: { side: Side; legend: string }) {
  const { envs, choice, invalid, select } = useEnvStore();
  const c = choice[side];
  const contexts = envs?.kubeContexts ?? [];
  const profiles = envs?.awsProfiles ?? [];
  const sandbox = c.context === SANDBOX;
  const bad = (field: keyof EnvironmentSide) => invalid.includes(`environments.${side}.${field}`);
  const change = (patch: Partial<EnvironmentSide>) => void select({ [side]: { ...c, ...patch } });
  const title = side === 'production' ? 'Production' : 'Test';
  return (
    <fieldset>
      <legend>{legend}</legend>
      <Select
        label={`${title} Kubernetes context`}
        value={c.context ?? ''}
        options={contexts}
        none="(no Kubernetes)"
        sandbox
        invalid={bad('context')}
        hint={contexts.length === 0 ? 'No kubeconfig contexts found (KUBECONFIG or ~/.kube/config).' : undefined}
        onChange={(v) => change({ context: v || undefined })}
      />
      <Text
        label={`${title} kubeconfig file`}
        value={c.kubeconfig ?? ''}
        placeholder="default: KUBECONFIG or ~/.kube/config"
        disabled={sandbox}
        invalid={bad('kubeconfig')}
        onSave={(v) => change({ kubeconfig: v || undefined })}
      />
      <Select
        label={`${title} AWS profile`}
        value={c.awsProfile ?? ''}
        options={profiles}
        none="(no ECS / default chain)"
        invalid={bad('awsProfile')}
        hint={profiles.length === 0 ? 'No AWS profiles found (~/.aws/config, ~/.aws/credentials).' : undefined}
        onChange={(v) => change({ awsProfile: v || undefined })}
      />
      <Text label={`${title} AWS region`} value={c.awsRegion ?? ''} placeholder="eu-central-1" disabled={sandbox} invalid={bad('awsRegion')} onSave={(v) => change({ awsRegion: v || undefined })} />
    </fieldset>
  );
}

/** Choose production and test: kubeconfig contexts and AWS profiles, by name only; saved by the conductor; applied to the spec on request. */
export function EnvironmentsView() {
  const { envs, choice, loaded, saving, saved, error, invalid, select } = useEnvStore();
  const setFields = useSpecStore((s) => s.setFields);
  const specText = useSpecStore((s) => s.text);
  const [applied, setApplied] = useState<{ ok: boolean; message: string } | null>(null);
  const apply = () => {
    if (invalid.length > 0) return setApplied({ ok: false, message: 'A value was refused (marked above): fix it before applying.' });
    const hasSandbox = hasField(specText, ['spec', 'sandbox']);
    const { edits, error: why } = editsForChoice(choice, envs?.sandbox.timeScale ?? 1, hasSandbox);
    if (why) return setApplied({ ok: false, message: why });
    if (!specText) return setApplied({ ok: false, message: 'Load a spec first (Spec tab).' });
    if (!setFields(edits)) return setApplied({ ok: false, message: 'The spec text has a YAML syntax error: fix it in the Spec tab first.' });
    const described =
      choice.production.context === SANDBOX
        ? 'the embedded sandbox'
        : `production ${describe(choice.production)}, test ${describe(choice.test)}${choice.locustUrl ? `, Locust ${choice.locustUrl}` : ''}`;
    setApplied({ ok: true, message: `Applied to the spec: ${described}. Check the Spec tab.` });
  };
  return (
    <section aria-labelledby="env-title">
      <header className="row">
        <h2 id="env-title">Environments</h2>
        <span className="muted" role="status">
          {!loaded ? 'Reading saved settings…' : saving ? 'Saving…' : saved === 'ok' ? `Saved ${envs?.host === 'electron' ? 'in the app settings' : 'by the conductor'}.` : ''}
        </span>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p className="muted">
        Names only: credentials stay in your kubeconfig and AWS configuration and are read by the conductor when a run uses them. Conductor runs in the{' '}
        {envs?.host === 'electron' ? 'desktop app' : 'server (conductor serve)'}
        {envs?.sandbox.available ? '; the embedded sandbox is available.' : '.'} Your choice is saved {envs?.host === 'electron' ? 'in the app settings' : 'in the conductor’s data directory'}; “Apply to spec” writes it into the spec.
      </p>
      <div className="columns">
        <SideFields side="production" legend="Production (read only)" />
        <SideFields side="test" legend="Test" />
      </div>
      <Text
        label="Locust master URL (test)"
        value={choice.locustUrl ?? ''}
        placeholder="http://locust-master.loadtest:8089"
        invalid={invalid.includes('environments.locustUrl')}
        onSave={(v) => void select({ locustUrl: v || undefined })}
      />
      <div className="row">
        <button onClick={apply}>Apply to spec</button>
        {applied && (
          <span role={applied.ok ? 'status' : 'alert'} className={applied.ok ? 'ok' : 'error'}>
            {applied.message}
          </span>
        )}
      </div>
    </section>
  );
}

function describe(side: EnvironmentSide): string {
  const parts = [side.context ? `context ${side.context}` : null, side.awsProfile ? `AWS profile ${side.awsProfile}` : null, side.awsRegion ? `region ${side.awsRegion}` : null].filter(Boolean);
  return parts.length ? parts.join(', ') : '(nothing chosen)';
}
