import { LoadError } from '../../../shared/model/errors.ts';
import type { Clock } from '../../base/clock.ts';
import type { KpiSample, KpiSource, LocustDriver, LocustStats } from '../types.ts';

/**
 * The KPI from Locust's own request statistics: orders per minute = the successful rate of one
 * named request (`current_rps − current_fail_per_sec` of e.g. "POST /orders") × 60.
 * Error rate (over the current window) and p99 (aggregated) feed the guards.
 */
export interface LocustKpiOptions {
  driver: LocustDriver;
  /** "METHOD name" as Locust shows it, e.g. "POST /orders" */
  request: string;
  clock: Clock;
}

export interface LocustKpiSample extends KpiSample {
  source: 'locust';
  /** the numbers behind the sample are younger than Locust's rate window lag (see the driver) */
  settled?: boolean;
  /** clock time the stats were fetched from the master (may be up to the cache interval old) */
  statsAt?: number;
  /** why opm is null, when it is */
  note?: string;
}

export interface LocustKpi extends KpiSource {
  sample(signal?: AbortSignal): Promise<LocustKpiSample>;
}

export function createLocustKpi(options: LocustKpiOptions): LocustKpi {
  const request = options.request.trim();
  if (!/^[A-Z]+ \S/.test(request))
    throw new LoadError(`Locust KPI request must be "METHOD name" as Locust shows it (e.g. "POST /orders"), got ${JSON.stringify(options.request)}`, {
      field: 'request',
    });
  return {
    async sample(signal) {
      const stats = await options.driver.stats(signal);
      return locustKpiFromStats(stats, request, options.clock.now());
    },
  };
}

export function locustKpiFromStats(stats: LocustStats, request: string, t: number): LocustKpiSample {
  const agg = stats.aggregated;
  const errorRate = agg.currentRps > 0 ? Math.min(1, Math.max(0, agg.currentFailPerSec / agg.currentRps)) : 0;
  const extra = stats as LocustStats & { ratesSettled?: boolean; fetchedAt?: number };
  const base = {
    t,
    source: 'locust' as const,
    errorRate,
    p99Ms: agg.p99Ms,
    users: stats.userCount,
    ...(extra.ratesSettled !== undefined ? { settled: extra.ratesSettled } : {}),
    ...(extra.fetchedAt !== undefined ? { statsAt: extra.fetchedAt } : {}),
  };
  const entry = stats.requests.get(request);
  if (!entry) {
    // nothing of that name yet: 0 when nothing runs at all, unknown while other requests flow
    if (stats.userCount === 0 && agg.currentRps === 0) return { ...base, opm: 0 };
    const known = [...stats.requests.keys()].slice(0, 10);
    return { ...base, opm: null, note: `no Locust request named "${request}" yet${known.length ? ` (seen: ${known.join(', ')})` : ''}` };
  }
  const ok = Math.max(0, entry.currentRps - entry.currentFailPerSec);
  return { ...base, opm: ok * 60 };
}
