import { endpointView } from '../../../../shared/model/endpoints.ts';
import type { Sample } from '../../../../shared/model/run.ts';
import { fmtMs, fmtNumber, fmtPct } from '../../components/format.ts';

/**
 * Per-request statistics counted from Locust's counters (shared/model/endpoints.ts): the plateau's
 * totals once it has any, else the load so far. Percentiles are Locust's own since the stats reset.
 */
export function EndpointTable({ samples }: { samples: readonly Sample[] }) {
  const { over, totals: endpoints } = endpointView(samples);
  if (!endpoints.length) return null;
  return (
    <section aria-labelledby="endpoints-title">
      <h3 id="endpoints-title">Requests by endpoint</h3>
      <p className="muted">{over === 'plateau' ? 'Over the plateau' : 'Over the load so far'}; percentiles since the stats reset at load start.</p>
      <div className="scroll" tabIndex={0} role="region" aria-label="Requests by endpoint (scrolls sideways)">
        <table className="endpoints" aria-label="Requests by endpoint">
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Requests</th>
              <th scope="col">Failures</th>
              <th scope="col">Failure rate</th>
              <th scope="col">Requests/s</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
              <th scope="col">p99</th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>
    </section>
  );
}
