import { LoadError } from '../../shared/model/errors.ts';
import type { LocustEntry, LocustStats, LocustWorker } from './types.ts';

/**
 * Normalising a Locust master's `GET /stats/requests` answer across versions, as captured from
 * real masters (test/fixtures/locust/<version>/):
 *
 * - Locust 2.12 (Debian bookworm): top-level `current_response_time_percentile_50/95`; entries carry
 *   `median_response_time`, `ninetieth_response_time`, `ninety_ninth_response_time`, `safe_name`.
 * - Mid 2.x (and any 2.x master without a runner): `current_response_time_percentile_1/2`.
 * - Current 2.x (2.47): `current_response_time_percentiles` (an object keyed
 *   `response_time_percentile_<p>` for each charted percentile, 0.5 and 0.95 unless the locustfile
 *   charts more), entries with `response_time_percentile_0.95/0.99`, `total_rps`,
 *   `total_fail_per_sec`; top-level `worker_count`, `current_rps`, `current_fail_per_sec`.
 *
 * `total_rps` is never read: since 2.43.4 it is a cumulative average, not the current rate. The
 * KPI counts from `num_requests` / `num_failures` (kpi/counters.ts); `current_rps` is kept for
 * the sliding-window KPI and diagnostics. No version reports a per-request percentile over a
 * window: per-request percentiles are since the last stats reset.
 */
export type LocustShape = 'locust-2.12' | 'locust-2.x-mid' | 'locust-2.x-current' | 'unknown';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function detectLocustShape(body: Json): LocustShape {
  if ('current_response_time_percentile_95' in body || 'current_response_time_percentile_50' in body) return 'locust-2.12';
  if ('current_response_time_percentile_1' in body || 'current_response_time_percentile_2' in body) return 'locust-2.x-mid';
  if ('current_response_time_percentiles' in body || 'total_fail_per_sec' in body || 'worker_count' in body) return 'locust-2.x-current';
  return 'unknown';
}

/** a per-request percentile: the 2.12 key, else the current `response_time_percentile_<p>` */
function percentile(entry: Json, p: number, legacyKey: string | null): number | null {
  const legacy = legacyKey ? num(entry[legacyKey]) : null;
  if (legacy !== null) return legacy;
  return num(entry[`response_time_percentile_${p}`]);
}

function parseEntry(raw: unknown, index: number): LocustEntry {
  if (!isObject(raw)) throw new LoadError(`Locust /stats/requests: stats[${index}] is not an object`, { index });
  const numRequests = num(raw.num_requests);
  if (numRequests === null) throw new LoadError(`Locust /stats/requests: stats[${index}].num_requests is missing or not a number`, { index });
  return {
    method: typeof raw.method === 'string' ? raw.method : '',
    name: typeof raw.name === 'string' ? raw.name : '',
    numRequests,
    numFailures: num(raw.num_failures) ?? 0,
    currentRps: num(raw.current_rps) ?? 0,
    currentFailPerSec: num(raw.current_fail_per_sec) ?? 0,
    p50Ms: percentile(raw, 0.5, 'median_response_time'),
    p95Ms: percentile(raw, 0.95, null),
    p99Ms: percentile(raw, 0.99, 'ninety_ninth_response_time'),
  };
}

function parseWorker(raw: unknown): LocustWorker | null {
  if (!isObject(raw)) return null;
  return {
    id: typeof raw.id === 'string' ? raw.id : '',
    state: typeof raw.state === 'string' ? raw.state : '',
    userCount: num(raw.user_count) ?? 0,
    cpuPercent: num(raw.cpu_usage),
  };
}

export interface ParsedLocustStats extends LocustStats {
  shape: LocustShape;
  /** `workers` was present and empty: a master with no workers (swarms do nothing) */
  noWorkers: boolean;
}

/** `"POST /orders"` — the key of a request in `LocustStats.requests` */
export const requestKey = (method: string, name: string) => (method ? `${method} ${name}` : name);

/** the aggregated percentiles over Locust's window: 2.12's two keys, or the current object (any charted percentile) */
function currentPercentiles(body: Json, shape: LocustShape): LocustStats['current'] {
  if (shape === 'locust-2.12') return { p50Ms: num(body.current_response_time_percentile_50), p95Ms: num(body.current_response_time_percentile_95), p99Ms: null };
  const p = body.current_response_time_percentiles;
  if (!isObject(p)) return { p50Ms: null, p95Ms: null, p99Ms: null };
  return { p50Ms: num(p['response_time_percentile_0.5']), p95Ms: num(p['response_time_percentile_0.95']), p99Ms: num(p['response_time_percentile_0.99']) };
}

export function parseLocustStats(body: unknown): ParsedLocustStats {
  if (!isObject(body)) throw new LoadError('Locust /stats/requests did not answer a JSON object; is the URL a Locust master web UI?');
  if (!Array.isArray(body.stats)) throw new LoadError('Locust /stats/requests has no "stats" array; is the URL a Locust master web UI?', { keys: Object.keys(body).slice(0, 20) });
  const shape = detectLocustShape(body);
  const entries = body.stats.map(parseEntry);
  const last = entries.at(-1);
  const hasAggregated = last !== undefined && last.name === 'Aggregated' && !last.method;
  const perRequest = hasAggregated ? entries.slice(0, -1) : entries;
  const requests = new Map<string, LocustEntry>();
  for (const e of perRequest) requests.set(requestKey(e.method, e.name), e);
  const aggregated: LocustEntry =
    hasAggregated && last
      ? last
      : {
          method: '',
          name: 'Aggregated',
          numRequests: perRequest.reduce((s, e) => s + e.numRequests, 0),
          numFailures: perRequest.reduce((s, e) => s + e.numFailures, 0),
          currentRps: perRequest.reduce((s, e) => s + e.currentRps, 0),
          currentFailPerSec: perRequest.reduce((s, e) => s + e.currentFailPerSec, 0),
          p50Ms: null,
          p95Ms: null,
          p99Ms: perRequest.reduce<number | null>((m, e) => (e.p99Ms === null ? m : Math.max(m ?? 0, e.p99Ms)), null),
        };
  const workers = Array.isArray(body.workers) ? body.workers.map(parseWorker).filter((w): w is LocustWorker => w !== null) : null;
  const failRatio = num(body.fail_ratio) ?? (aggregated.numRequests > 0 ? aggregated.numFailures / aggregated.numRequests : 0);
  return {
    state: typeof body.state === 'string' ? body.state : 'missing',
    userCount: num(body.user_count) ?? 0,
    workerCount: workers ? workers.length : null,
    workers,
    failRatio,
    requests,
    aggregated,
    current: currentPercentiles(body, shape),
    shape,
    noWorkers: workers !== null && workers.length === 0,
  };
}
