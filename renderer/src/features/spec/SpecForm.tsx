import { useId } from 'react';
import type { SpecIssue } from '../../../../shared/model/errors.ts';
import { readApplications, readField, useSpecStore } from '../../stores/spec.ts';

const NO_ISSUES: SpecIssue[] = [];

/** Issues whose path is this field (or inside it). */
const issuesAt = (issues: SpecIssue[], path: string) => issues.filter((i) => i.path === path || i.path.startsWith(path + '.'));

function Field(props: { label: string; path: (string | number)[]; type?: 'text' | 'number'; hint?: string }) {
  const id = useId();
  const text = useSpecStore((s) => s.text);
  const issues = useSpecStore((s) => s.validation?.issues ?? NO_ISSUES);
  const setField = useSpecStore((s) => s.setField);
  const dotted = props.path.join('.');
  const mine = issuesAt(issues, dotted);
  const value = readField(text, props.path);
  return (
    <div className={`field ${mine.length ? 'invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        defaultValue={value}
        key={value}
        aria-invalid={mine.length > 0}
        aria-describedby={mine.length ? `${id}-err` : undefined}
        placeholder={props.hint}
        onBlur={(e) => {
          const raw = e.target.value.trim();
          if (raw === value) return;
          const v = props.type === 'number' ? (raw === '' ? undefined : Number(raw)) : raw === '' ? undefined : raw;
          setField(props.path, v);
        }}
      />
      {mine.length > 0 && (
        <p id={`${id}-err`} className="field-error" role="alert">
          {mine.map((i) => i.message + (i.expected ? ` (expected ${i.expected})` : '')).join('; ')}
        </p>
      )}
    </div>
  );
}

function DriftMode() {
  const id = useId();
  const text = useSpecStore((s) => s.text);
  const setField = useSpecStore((s) => s.setField);
  const value = readField(text, ['spec', 'guards', 'productionDrift']) || 'flag';
  return (
    <div className="field">
      <label htmlFor={id}>When production changes mid-run</label>
      <select id={id} value={value} onChange={(e) => setField(['spec', 'guards', 'productionDrift'], e.target.value === 'flag' ? undefined : e.target.value)}>
        <option value="flag">Flag it and continue</option>
        <option value="abort">Abort the run</option>
      </select>
    </div>
  );
}

function AppsInScope() {
  const text = useSpecStore((s) => s.text);
  const setField = useSpecStore((s) => s.setField);
  const issues = useSpecStore((s) => s.validation?.issues ?? NO_ISSUES);
  const apps = readApplications(text);
  const appIssues = issuesAt(issues, 'spec.applications');
  return (
    <fieldset>
      <legend>Applications in scope</legend>
      {appIssues.length > 0 && (
        <p className="field-error" role="alert">
          {appIssues.map((i) => `${i.path}: ${i.message}`).join('; ')}
        </p>
      )}
      <table className="apps-form">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">Version override (feature branch)</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {apps.map((a, i) => (
            <tr key={a.name}>
              <th scope="row">
                {a.name}
                <div className="muted small">{a.substrate === 'ecs' ? 'ECS' : a.substrate === 'kubernetes' ? 'Kubernetes' : a.substrate}</div>
              </th>
              <td className="override">
                <input
                  aria-label={`Version override for ${a.name}`}
                  title={a.override || undefined}
                  spellCheck={false}
                  defaultValue={a.override}
                  key={a.override}
                  placeholder="production's version"
                  onBlur={(e) => {
                    const v = e.target.value.trim();
                    if (v !== a.override) setField(['spec', 'deploy', 'overrides', a.name], v ? { image: v } : undefined);
                  }}
                />
              </td>
              <td>
                <button aria-label={`Remove ${a.name} from scope`} disabled={apps.length === 1} onClick={() => setField(['spec', 'applications', i], undefined)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

/** The spec as a form: apps in scope, overrides, target, ramp-up, plateau, guards. Edits go into the YAML text. */
export function SpecForm() {
  return (
    <form className="spec-form" aria-label="Spec form" onSubmit={(e) => e.preventDefault()}>
      <Field label="Name" path={['metadata', 'name']} />
      <AppsInScope />
      <fieldset>
        <legend>Load</legend>
        <Field label="Target orders per minute" path={['spec', 'load', 'targetOrdersPerMinute']} type="number" />
        <Field label="Ramp-up" path={['spec', 'load', 'rampUp']} hint="30m" />
        <Field label="Plateau" path={['spec', 'load', 'plateau']} hint="1h" />
      </fieldset>
      <fieldset>
        <legend>Guards</legend>
        <Field label="Max error rate (0–1)" path={['spec', 'guards', 'maxErrorRate']} type="number" />
        <Field label="Max p99 (ms)" path={['spec', 'guards', 'maxP99Ms']} type="number" />
        <Field label="Grace period before a breach aborts" path={['spec', 'guards', 'gracePeriod']} hint="0s (abort at once)" />
        <DriftMode />
      </fieldset>
    </form>
  );
}
