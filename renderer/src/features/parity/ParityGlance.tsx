import { Fragment, useId, useMemo, useState } from 'react';
import type { ParityReport, ParityRow } from '../../../../shared/model/parity.ts';
import { parityByApp, worstDifferenceWords, type AppParity } from '../../../../shared/model/parity-glance.ts';
import { fmtValue } from '../../components/format.ts';
import { Table } from '../../components/Table.tsx';

/**
 * Parity at a glance: one row per app (status, drift count, the worst difference in words), worst
 * first, each expanding to its fields. With `before`, a field whose test side changed since then
 * reads "before → now" (live during deploy and scale, and after restore).
 */
export const STATUS_TEXT: Record<ParityRow['status'], string> = {
  'in-parity': 'in parity',
  drift: 'drift',
  'missing-in-test': 'missing in test',
  'missing-in-production': 'missing in production',
  unreachable: 'unreachable',
};

export const statusClass = (s: ParityRow['status']) => (s === 'in-parity' ? 'good' : s === 'unreachable' ? 'warn' : 'bad');

type SortKey = 'severity' | 'name';

export function ParityGlance(props: { report: ParityReport; driftOnly: boolean; caption: string; before?: ParityReport | undefined }) {
  const [sort, setSort] = useState<SortKey>('severity');
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const sortId = useId();
  const apps = useMemo(() => {
    const all = parityByApp(props.report);
    return sort === 'name' ? [...all].sort((a, b) => a.app.localeCompare(b.app)) : all;
  }, [props.report, sort]);
  const beforeTest = useMemo(() => new Map((props.before?.rows ?? []).map((r) => [`${r.app} ${r.field}`, r.test])), [props.before]);
  const shown = apps.filter((a) => !props.driftOnly || a.status !== 'in-parity');
  const toggle = (app: string) => setOpen((o) => (o.has(app) ? new Set([...o].filter((x) => x !== app)) : new Set([...o, app])));
  const allOpen = shown.length > 0 && shown.every((a) => open.has(a.app));
  return (
    <div className="glance">
      <div className="row">
        <label htmlFor={sortId}>Sort apps by</label>
        <select id={sortId} value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
          <option value="severity">severity (worst first)</option>
          <option value="name">name</option>
        </select>
        <button onClick={() => setOpen(allOpen ? new Set() : new Set(shown.map((a) => a.app)))}>{allOpen ? 'Collapse all' : 'Expand all'}</button>
      </div>
      <table className="parity-apps" aria-label={props.caption}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">Status</th>
            <th scope="col">Drift</th>
            <th scope="col">Worst difference (production → test)</th>
            <th scope="col">Runs on, autoscaling, manager</th>
            <th scope="col">
              <span className="sr-only">Fields</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && (
            <tr>
              <td colSpan={6}>{props.driftOnly ? 'No drift: every app is in parity.' : 'No applications.'}</td>
            </tr>
          )}
          {shown.map((a) => (
            <Fragment key={a.app}>
              <tr className={`app-parity ${a.status}`} data-app={a.app}>
                <th scope="row">{a.app}</th>
                <td>
                  <span className={`badge ${statusClass(a.status)}`}>{STATUS_TEXT[a.status]}</span>
                </td>
                <td>{a.drift === 0 ? '—' : `${a.drift} ${a.drift === 1 ? 'field' : 'fields'}`}</td>
                <td className="worst">{worstDifferenceWords(a)}</td>
                <td>
                  {a.substrate === 'kubernetes' ? 'Kubernetes' : 'ECS'}
                  {a.autoscaling ? ` · ${a.autoscaling}` : ''}
                  {a.manager ? ` · managed by ${a.manager}` : ''}
                </td>
                <td>
                  <button className="link" aria-expanded={open.has(a.app)} onClick={() => toggle(a.app)} aria-label={`${open.has(a.app) ? 'Hide fields' : `Fields (${a.rows.length})`} of ${a.app}`}>
                    {open.has(a.app) ? 'Hide fields' : `Fields (${a.rows.length})`}
                  </button>
                </td>
              </tr>
              {open.has(a.app) && (
                <tr className="fields-row">
                  <td colSpan={6}>
                    <FieldTable app={a} driftOnly={props.driftOnly} beforeTest={props.before ? beforeTest : null} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FieldTable({ app, driftOnly, beforeTest }: { app: AppParity; driftOnly: boolean; beforeTest: Map<string, string | number | null> | null }) {
  const rows = app.rows.filter((r) => !driftOnly || r.status !== 'in-parity');
  return (
    <Table label={`Fields of ${app.app}`} className="parity-fields" columns={['Field', 'Production', 'Test', 'Status']}>
      {rows.map((r) => {
        const off = r.status !== 'in-parity';
        const was = beforeTest?.get(`${r.app} ${r.field}`);
        const changed = beforeTest !== null && was !== undefined && String(was) !== String(r.test);
        return (
          <tr key={r.field} className={off ? `off ${r.status}` : undefined} data-status={r.status}>
            <th scope="row">
              <code>{r.field}</code>
            </th>
            <td className="value">{fmtValue(r.production)}</td>
            <td className={`value ${off ? 'differs' : ''}`}>{changed ? `${fmtValue(was ?? null)} → ${fmtValue(r.test)}` : fmtValue(r.test)}</td>
            <td>
              <span className={`badge ${statusClass(r.status)}`}>{STATUS_TEXT[r.status]}</span>
              {r.reason ? <span className="reason"> ({r.reason})</span> : null}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
