import { useMemo } from 'react';
import { endpointView } from '../../../../shared/model/endpoints.ts';
import type { Sample } from '../../../../shared/model/run.ts';
import { fmtMs, fmtNumber, fmtPct } from '../../components/format.ts';
import { Table } from '../../components/Table.tsx';

/**
 * Per-request statistics counted from Locust's counters (shared/model/endpoints.ts): the plateau's
 * totals once it has any, else the load so far. Percentiles are Locust's own since the stats reset.
 */
export function EndpointTable({ samples }: { samples: readonly Sample[] }) {
  // a sum over every sample (~4 ms for a 24-hour run with 20 request names): only when they change, not on every other event
  const { over, totals: endpoints } = useMemo(() => endpointView(samples), [samples]);
  if (!endpoints.length) return null;
  return (
    <section aria-labelledby="endpoints-title">
      <h3 id="endpoints-title">Requests by endpoint</h3>
      <p className="muted">{over === 'plateau' ? 'Over the plateau' : 'Over the load so far'}; percentiles since the stats reset at load start.</p>
      <Table label="Requests by endpoint" className="endpoints" scrolls columns={['Endpoint', 'Requests', 'Failures', 'Failure rate', 'Requests/s', 'p50', 'p95', 'p99']}>
        {endpoints.map((e) => (
          <tr key={e.name}>
            <th scope="row">{e.name}</th>
            <td>{fmtNumber(e.requests)}</td>
            <td>{fmtNumber(e.failures)}</td>
            <td>{fmtPct(e.requests ? e.failureRate : null)}</td>
            <td>{fmtNumber(e.rps, 1)}</td>
            <td>{fmtMs(e.p50Ms)}</td>
            <td>{fmtMs(e.p95Ms)}</td>
            <td>{fmtMs(e.p99Ms)}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
