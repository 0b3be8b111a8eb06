import type { ParityReport, ParityRow } from '../../../../shared/model/parity.ts';
import { fmtValue } from '../../components/format.ts';

const STATUS_TEXT: Record<ParityRow['status'], string> = {
  'in-parity': 'in parity',
  drift: 'drift',
  'missing-in-test': 'missing in test',
  'missing-in-production': 'missing in production',
  unreachable: 'unreachable',
};

/** The prod-vs-test diff, one row per app and field; anything not in parity is highlighted. */
export function ParityTable(props: { report: ParityReport; driftOnly: boolean; caption: string }) {
  const rows = props.report.rows.filter((r) => !props.driftOnly || r.status !== 'in-parity');
  return (
    <table className="parity" aria-label={props.caption}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">Field</th>
          <th scope="col">Production</th>
          <th scope="col">Test</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={5}>{props.driftOnly ? 'No drift: every field is in parity.' : 'No applications.'}</td>
          </tr>
        )}
        {rows.map((r, i) => {
          const off = r.status !== 'in-parity';
          return (
            <tr key={`${r.app} ${r.field}`} className={off ? `off ${r.status}` : undefined} data-status={r.status}>
              <th scope="row">{i > 0 && rows[i - 1]!.app === r.app ? <span className="repeat">{r.app}</span> : r.app}</th>
              <td>
                <code>{r.field}</code>
              </td>
              <td>{fmtValue(r.production)}</td>
              <td className={off ? 'differs' : undefined}>{fmtValue(r.test)}</td>
              <td>
                <span className={`badge ${off ? 'bad' : 'good'}`}>{STATUS_TEXT[r.status]}</span>
                {r.reason ? <span className="reason"> ({r.reason})</span> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
