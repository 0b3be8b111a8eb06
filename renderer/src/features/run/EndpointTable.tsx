import type { EndpointStats } from '../../../../shared/model/run.ts';
import { fmtMs, fmtNumber, fmtPct } from '../../components/format.ts';

/** Per-endpoint statistics (Locust's request entries), where the run's KPI source reports them. */
export function EndpointTable({ endpoints }: { endpoints: EndpointStats[] | undefined }) {
  if (!endpoints?.length) return null;
  return (
    <section aria-labelledby="endpoints-title">
      <h3 id="endpoints-title">Requests by endpoint</h3>
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
              <tr key={`${e.method} ${e.name}`}>
                <th scope="row">
                  {e.method} {e.name}
                </th>
                <td>{fmtNumber(e.requests)}</td>
                <td>{fmtNumber(e.failures)}</td>
                <td>{fmtPct(e.requests ? e.failures / e.requests : null)}</td>
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
