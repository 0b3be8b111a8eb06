import { LoadError } from '../../../shared/model/errors.ts';
import type { Clock } from '../../base/clock.ts';
import type { KpiSample, KpiSource, LocustDriver, LocustStats } from '../types.ts';
import { CounterTracker } from './counters.ts';

/**
 * The KPI from Locust's own request statistics, counted exactly: orders per minute = the change in
 * `num_requests − num_failures` of one named request (e.g. "POST /orders") between two reads,
 * over the time between them (counters.ts) — every order of the interval counted once. The error
 * rate comes from all requests' counters over the same span; p99 from Locust's window where the
 * version reports one (a locustfile that charts 0.99 on current Locust), else Locust's aggregated
 * p99 since the stats reset. Per-request counts ride along (`endpoints`), and the workers' CPU.
 */
export interface LocustKpiOptions {
  driver: LocustDriver;
  /** "METHOD name" as Locust shows it, e.g. "POST /orders" */
  request: string;
  clock: Clock;
  /** reads closer together than this are not a new measurement (clock ms; default 10 s) */
  minSpanMs?: number;
}

export interface LocustKpiSample extends KpiSample {
  source: 'locust';
  /** clock time the stats were fetched from the master */
  statsAt?: number;
  /** where p99 comes from: Locust's ~10 s window, or its aggregate since the stats reset */
  p99Window?: 'current' | 'since-reset';
  /** why opm is null, or why this is the previous measurement again */
  note?: string;
}

export interface LocustKpi extends KpiSource {
  sample(signal?: AbortSignal): Promise<LocustKpiSample>;
  /** start counting afresh from the next read (after our own /stats/reset) */
  restart(): void;
}

export function validateKpiRequest(request: string): string {
  const r = request.trim();
  if (!/^[A-Z]+ \S/.test(r))
    throw new LoadError(`Locust KPI request must be "METHOD name" as Locust shows it (e.g. "POST /orders"), got ${JSON.stringify(request)}`, { field: 'request' });
  return r;
}

/** the busiest worker's CPU %, null when no worker reports one */
export function generatorCpu(stats: LocustStats): number | null {
  const cpus = (stats.workers ?? []).map((w) => w.cpuPercent).filter((c): c is number => c !== null);
  return cpus.length > 0 ? Math.max(...cpus) : null;
}

/** p99 for the guards: Locust's window where it reports one, else since the stats reset */
export function p99Of(stats: LocustStats): { p99Ms: number | null; p99Window: 'current' | 'since-reset' } {
  if (stats.current.p99Ms !== null) return { p99Ms: stats.current.p99Ms, p99Window: 'current' };
  return { p99Ms: stats.aggregated.numRequests > 0 ? stats.aggregated.p99Ms : null, p99Window: 'since-reset' };
}

export function createLocustKpi(options: LocustKpiOptions): LocustKpi {
  const request = validateKpiRequest(options.request);
  const counters = new CounterTracker({ request, ...(options.minSpanMs !== undefined ? { minSpanMs: options.minSpanMs } : {}) });
  let previous: LocustKpiSample | null = null;
  return {
    restart() {
      counters.restart();
      previous = null;
    },
    async sample(signal) {
      const stats = await options.driver.stats(signal);
      const at = stats.fetchedAt ?? options.clock.now();
      const base = {
        t: options.clock.now(),
        source: 'locust' as const,
        users: stats.userCount,
        statsAt: at,
        generatorCpuPct: generatorCpu(stats),
        ...p99Of(stats),
        p50Ms: stats.current.p50Ms,
        p95Ms: stats.current.p95Ms,
      };
      const step = counters.step(stats, at);
      if (step === null) {
        // the first read, or too soon after the last one used: the last measurement stands
        if (previous) return { ...previous, ...base, statsAt: previous.statsAt ?? at, note: 'no new measurement since the last (too soon): the last one again' };
        return { ...base, opm: stats.userCount === 0 ? 0 : null, errorRate: 0, note: 'counting orders from this read' };
      }
      if ('reset' in step) {
        previous = null;
        return { ...base, opm: null, errorRate: 0, note: "Locust's counters went back (a stats reset or a restarted master): counting again from this read" };
      }
      const seen = stats.requests.has(request);
      const sample: LocustKpiSample = {
        ...base,
        opm: seen || stats.aggregated.numRequests === 0 ? step.okPerMinute : null,
        errorRate: step.errorRate,
        recentErrorRate: step.recentErrorRate,
        window: step.window,
        endpoints: step.endpoints,
      };
      if (!seen && stats.aggregated.numRequests > 0) {
        const known = [...stats.requests.keys()].slice(0, 10);
        sample.note = `no Locust request named "${request}" yet${known.length ? ` (seen: ${known.join(', ')})` : ''}`;
      }
      previous = sample;
      return sample;
    },
  };
}
