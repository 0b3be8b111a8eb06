import type { EndpointSample, Sample } from './run.ts';

/**
 * Per-request totals over a run's samples (the plateau, by default): what each request name did
 * while the load held — requests, failures, the mean rate, and Locust's latest percentiles for it.
 * Pure, for the report and any UI that shows the samples' `endpoints`.
 */
export interface EndpointTotal {
  name: string;
  requests: number;
  failures: number;
  /** failures / requests (0 when none) */
  failureRate: number;
  /** requests per second over the samples' spans */
  rps: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export function endpointTotals(samples: readonly Sample[], phase: Sample['phase'] | null = 'plateau'): EndpointTotal[] {
  const chosen = samples.filter((s) => s.endpoints && (phase === null || s.phase === phase));
  const by = new Map<string, EndpointTotal & { seconds: number }>();
  for (const s of chosen) {
    for (const e of s.endpoints as EndpointSample[]) {
      const seconds = e.rps > 0 ? e.requests / e.rps : 0;
      const t = by.get(e.name) ?? { name: e.name, requests: 0, failures: 0, failureRate: 0, rps: 0, p50Ms: null, p95Ms: null, p99Ms: null, seconds: 0 };
      t.requests += e.requests;
      t.failures += e.failures;
      t.seconds += seconds;
      // Locust's percentiles are since the stats reset: the latest is the whole run's
      t.p50Ms = e.p50Ms;
      t.p95Ms = e.p95Ms;
      t.p99Ms = e.p99Ms;
      by.set(e.name, t);
    }
  }
  return [...by.values()]
    .map(({ seconds, ...t }) => ({ ...t, failureRate: t.requests > 0 ? t.failures / t.requests : 0, rps: seconds > 0 ? t.requests / seconds : 0 }))
    .sort((a, b) => b.requests - a.requests || (a.name < b.name ? -1 : 1));
}

/** What a view shows: the plateau's totals once the plateau has counted any, else everything counted so far. */
export function endpointView(samples: readonly Sample[]): { over: 'plateau' | 'load'; totals: EndpointTotal[] } {
  const plateau = endpointTotals(samples, 'plateau');
  return plateau.length ? { over: 'plateau', totals: plateau } : { over: 'load', totals: endpointTotals(samples, null) };
}
