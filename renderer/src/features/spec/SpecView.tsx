import { useRef } from 'react';
import { formatSpecIssue } from '../../../../shared/model/errors.ts';
import { useSpecStore } from '../../stores/spec.ts';
import { useEnvStore } from '../../stores/env.ts';
import { SpecForm } from './SpecForm.tsx';
import { downloadText } from '../../components/download.ts';

export function SpecView() {
  const { text, path, fileName, validation, examples, error, message, setText, loadExample, open, save } = useSpecStore();
  const host = useEnvStore((s) => s.envs?.host);
  const fileInput = useRef<HTMLInputElement>(null);
  const browser = host === 'http';
  return (
    <section aria-labelledby="spec-title">
      <header className="row">
        <h2 id="spec-title">Spec</h2>
        <span className="muted">{path ?? fileName}</span>
        {browser ? (
          <>
            <button onClick={() => fileInput.current?.click()}>Open file…</button>
            <input
              ref={fileInput}
              type="file"
              accept=".yaml,.yml,.json"
              hidden
              aria-label="Spec file"
              onChange={async (e) => {
                const f = e.target.files?.[0];
                if (f) setText(await f.text(), { path: null, fileName: f.name });
              }}
            />
            <button onClick={() => downloadText(text, fileName, 'application/yaml')}>Download</button>
          </>
        ) : (
          <>
            <button onClick={() => void open()}>Open…</button>
            <button onClick={() => void save()} disabled={!text}>
              Save
            </button>
          </>
        )}
        <label>
          Example{' '}
          <select aria-label="Load an example" value="" onChange={(e) => loadExample(e.target.value)}>
            <option value="">choose…</option>
            {examples.map((ex) => (
              <option key={ex.name} value={ex.name}>
                {ex.name}
              </option>
            ))}
          </select>
        </label>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {message && <p role="status">{message}</p>}
      <p role="status" className={validation?.ok ? 'ok' : 'error'}>
        {!validation ? 'Not checked yet.' : validation.ok ? `Valid: "${validation.specName}" on ${validation.testEnvironment ?? 'the test environment'}.` : `${validation.issues.length} ${validation.issues.length === 1 ? 'problem' : 'problems'} in the spec: see the fields and the list under the text.`}
      </p>
      <div className="columns">
        <SpecForm />
        <div className="editor">
          <label htmlFor="spec-text">Spec (YAML)</label>
          <textarea id="spec-text" spellCheck={false} wrap="off" value={text} onChange={(e) => setText(e.target.value)} rows={30} aria-invalid={validation ? !validation.ok : undefined} />
          {validation && !validation.ok && (
            <ul className="issues" aria-label="Problems">
              {validation.issues.map((i, n) => (
                <li key={n}>{formatSpecIssue(i, fileName)}</li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
