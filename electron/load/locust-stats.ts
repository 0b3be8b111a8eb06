import { LoadError } from '../../shared/model/errors.ts';
import type { LocustStats } from './types.ts';

/**
 * Normalising a Locust master's `GET /stats/requests` answer across versions.
 *
 * - Locust 2.12 (Debian bookworm): top-level `current_response_time_percentile_50/95`; entries carry
 *   `median_response_time`, `ninetieth_response_time`, `ninety_ninth_response_time`.
 * - Mid 2.x: `current_response_time_percentile_1/2` instead of `_50/_95`.
 * - Current 2.x: `current_response_time_percentiles` (an object), `total_fail_per_sec`,
 *   `total_avg_response_time`; entries may carry `response_time_percentile_0.99` style keys; since
 *   2.43.4 `total_rps` is a cumulative average, not the current rate.
 *
 * So rates are always read from the per-request entries' `current_rps` / `current_fail_per_sec`
 * (the last entry, `Aggregated`, for the totals) and never from `total_rps`.
 */
export type LocustShape = 'locust-2.12' | 'locust-2.x-mid' | 'locust-2.x-current' | 'unknown';

export type LocustRequestStats = LocustStats['requests'] extends Map<string, infer V> ? V : never;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function detectLocustShape(body: Json): LocustShape {
  if ('current_response_time_percentile_95' in body || 'current_response_time_percentile_50' in body) return 'locust-2.12';
  if ('current_response_time_percentile_1' in body || 'current_response_time_percentile_2' in body) return 'locust-2.x-mid';
  if ('current_response_time_percentiles' in body || 'total_fail_per_sec' in body || 'total_avg_response_time' in body) return 'locust-2.x-current';
  return 'unknown';
}

function percentile(entry: Json, p: number, legacyKey: string): number | null {
  const legacy = num(entry[legacyKey]);
  if (legacy !== null) return legacy;
  const direct = num(entry[`response_time_percentile_${p}`]);
  if (direct !== null) return direct;
  const nested = entry.response_time_percentiles;
  if (isObject(nested)) return num(nested[String(p)]) ?? num(nested[`response_time_percentile_${p}`]);
  return null;
}

function parseEntry(raw: unknown, index: number): LocustRequestStats {
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
    p99Ms: percentile(raw, 0.99, 'ninety_ninth_response_time'),
    p50Ms: percentile(raw, 0.5, 'median_response_time'),
  };
}

export interface ParsedLocustStats extends LocustStats {
  shape: LocustShape;
  /** `workers` was present and empty: a master with no workers (swarms do nothing) */
  noWorkers: boolean;
  /** the aggregated current percentiles Locust reports over its ~10 s window, when present */
  currentP50Ms: number | null;
  currentP95Ms: number | null;
}

/** `"POST /orders"` — the key of a request in `LocustStats.requests` */
export const requestKey = (method: string, name: string) => (method ? `${method} ${name}` : name);

export function parseLocustStats(body: unknown): ParsedLocustStats {
  if (!isObject(body)) throw new LoadError('Locust /stats/requests did not answer a JSON object; is the URL a Locust master web UI?');
  if (!Array.isArray(body.stats)) throw new LoadError('Locust /stats/requests has no "stats" array; is the URL a Locust master web UI?', { keys: Object.keys(body) });
  const shape = detectLocustShape(body);
  const entries = body.stats.map(parseEntry);
  const last = entries.at(-1);
  const hasAggregated = last !== undefined && last.name === 'Aggregated' && !last.method;
  const perRequest = hasAggregated ? entries.slice(0, -1) : entries;
  const requests = new Map<string, LocustRequestStats>();
  for (const e of perRequest) requests.set(requestKey(e.method, e.name), e);
  const aggregated = hasAggregated
    ? { numRequests: last.numRequests, numFailures: last.numFailures, currentRps: last.currentRps, currentFailPerSec: last.currentFailPerSec, p99Ms: last.p99Ms }
    : {
        numRequests: perRequest.reduce((s, e) => s + e.numRequests, 0),
        numFailures: perRequest.reduce((s, e) => s + e.numFailures, 0),
        currentRps: perRequest.reduce((s, e) => s + e.currentRps, 0),
        currentFailPerSec: perRequest.reduce((s, e) => s + e.currentFailPerSec, 0),
        p99Ms: perRequest.reduce<number | null>((m, e) => (e.p99Ms === null ? m : Math.max(m ?? 0, e.p99Ms)), null),
      };
  const workers = Array.isArray(body.workers) ? body.workers : null;
  const failRatio = num(body.fail_ratio) ?? (aggregated.numRequests > 0 ? aggregated.numFailures / aggregated.numRequests : 0);
  let currentP50Ms: number | null = null;
  let currentP95Ms: number | null = null;
  if (shape === 'locust-2.12') {
    currentP50Ms = num(body.current_response_time_percentile_50);
    currentP95Ms = num(body.current_response_time_percentile_95);
  } else if (isObject(body.current_response_time_percentiles)) {
    const p = body.current_response_time_percentiles;
    currentP50Ms = num(p['response_time_percentile_0.5']);
    currentP95Ms = num(p['response_time_percentile_0.95']);
  }
  return {
    state: typeof body.state === 'string' ? body.state : 'missing',
    userCount: num(body.user_count) ?? 0,
    workerCount: workers ? workers.length : null,
    failRatio,
    requests,
    aggregated,
    shape,
    noWorkers: workers !== null && workers.length === 0,
    currentP50Ms,
    currentP95Ms,
  };
}
