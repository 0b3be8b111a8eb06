import { paritySummaryLine } from '../../../../shared/model/parity-format.ts';
import { useParityStore, type ParityWhen } from '../../stores/parity.ts';
import { testSideDifferences } from '../../../../shared/model/parity-glance.ts';
import { useSpecStore } from '../../stores/spec.ts';
import { useConnectionStore } from '../../stores/connection.ts';
import { ParityGlance } from './ParityGlance.tsx';
import { exportParity } from './export.ts';

const WHEN_LABEL: Record<ParityWhen, string> = { before: 'Before the run', during: 'During the run', after: 'After restore' };

export function ParityView() {
  const { reports, view, driftOnly, loading, error, read, setView, setDriftOnly } = useParityStore();
  const text = useSpecStore((s) => s.text);
  const online = useConnectionStore((s) => s.state === 'online');
  const report = reports[view] ?? reports.before;
  const available = (Object.keys(WHEN_LABEL) as ParityWhen[]).filter((w) => reports[w]);
  return (
    <section aria-labelledby="parity-title">
      <header className="row">
        <h2 id="parity-title">Parity: production vs test</h2>
        <button onClick={() => void read(text)} disabled={!text || loading || !online}>
          {loading ? 'Checking parity…' : 'Check parity'}
        </button>
        <label className="check">
          <input type="checkbox" checked={driftOnly} onChange={(e) => setDriftOnly(e.target.checked)} /> Drift only
        </label>
        {report && (
          <>
            <button onClick={() => exportParity(report, 'markdown', view)}>Export Markdown</button>
            <button onClick={() => exportParity(report, 'json', view)}>Export JSON</button>
          </>
        )}
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {available.length > 1 && (
        <div role="group" aria-label="When" className="segmented">
          {available.map((w) => (
            <button key={w} aria-pressed={view === w} onClick={() => setView(w)}>
              {WHEN_LABEL[w]}
            </button>
          ))}
        </div>
      )}
      <RestoreCheck />
      {report ? (
        <>
          <p className="summary" aria-live="polite">
            {paritySummaryLine(report)}
          </p>
          <ParityGlance
            report={report}
            driftOnly={driftOnly}
            caption={`Parity ${WHEN_LABEL[view].toLowerCase()} (${report.specName})`}
            before={view !== 'before' && report !== reports.before ? reports.before : undefined}
          />
        </>
      ) : (
        !loading && <p>No parity report yet: load a spec, then check parity.</p>
      )}
    </section>
  );
}

/** After restore: does the test side equal what it was before the run? */
function RestoreCheck() {
  const { before, after } = useParityStore((s) => s.reports);
  if (!before || !after) return null;
  const diffs = testSideDifferences(before, after);
  return diffs.length === 0 ? (
    <p className="ok" role="status">
      Test environment restored: every field matches its state before the run.
    </p>
  ) : (
    <p className="error" role="status">
      Test environment differs from before the run in {diffs.length} field{diffs.length === 1 ? '' : 's'}: {diffs.slice(0, 5).join(', ')}
    </p>
  );
}
