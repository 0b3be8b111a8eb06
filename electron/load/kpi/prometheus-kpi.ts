import { AbortedError, LoadError, TimeoutError } from '../../../shared/model/errors.ts';
import type { Clock } from '../../base/clock.ts';
import type { KpiSample, KpiSource, LocustDriver } from '../types.ts';
import { CounterTracker } from './counters.ts';
import { generatorCpu, p99Of } from './locust-kpi.ts';

/**
 * The KPI from Prometheus: an instant query over the HTTP API (`GET /api/v1/query`), e.g.
 * `sum(rate(orders_created_total[1m])) * 60`. A vector result is summed over its series; an empty
 * result means "not measurable yet" (opm null). The error rate (from Locust's counters between
 * samples), p99, users, per-request counts and the workers' CPU come from the Locust driver when
 * one is given.
 */
export interface PrometheusKpiOptions {
  /** Prometheus base URL, e.g. http://127.0.0.1:9090 */
  url: string;
  /** PromQL that yields orders per minute */
  query: string;
  fetch?: typeof fetch;
  clock: Clock;
  driver?: LocustDriver;
  /** real ms per request (default 10 000) */
  timeoutMs?: number;
}

export interface PrometheusKpiSample extends KpiSample {
  source: 'prometheus';
  /** number of series the query returned (summed into opm) */
  series: number;
  note?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** the value of a Prometheus sample pair [unixSeconds, "value"]; NaN/Inf → null */
function sampleValue(pair: unknown): number | null {
  if (!Array.isArray(pair) || pair.length !== 2) throw new LoadError('Prometheus answered a sample that is not [time, "value"]');
  const v = Number(pair[1]);
  return Number.isFinite(v) ? v : null;
}

/** Parse an instant query answer into a number (null when empty or not a finite number). */
export function parsePrometheusInstant(body: unknown, query: string): { value: number | null; series: number } {
  if (!isObject(body)) throw new LoadError(`Prometheus answered something that is not a JSON object to ${JSON.stringify(query)}`);
  if (body.status === 'error') {
    throw new LoadError(`Prometheus rejected the KPI query ${JSON.stringify(query)}: ${String(body.errorType ?? 'error')}: ${String(body.error ?? 'no message')}`, {
      query,
      errorType: body.errorType,
    });
  }
  if (body.status !== 'success' || !isObject(body.data)) throw new LoadError(`Prometheus answer to ${JSON.stringify(query)} has no "data"`, { query });
  const { resultType, result } = body.data;
  if (resultType === 'scalar') return { value: sampleValue(result), series: 1 };
  if (resultType === 'vector') {
    if (!Array.isArray(result)) throw new LoadError(`Prometheus vector answer to ${JSON.stringify(query)} has no result list`, { query });
    if (result.length === 0) return { value: null, series: 0 };
    let sum = 0;
    let finite = 0;
    for (const s of result) {
      const v = isObject(s) ? sampleValue(s.value) : null;
      if (v !== null) {
        sum += v;
        finite++;
      }
    }
    return { value: finite > 0 ? sum : null, series: result.length };
  }
  throw new LoadError(`the KPI query ${JSON.stringify(query)} gives a ${String(resultType)}; expected an instant vector or scalar (e.g. sum(rate(orders_created_total[1m])) * 60)`, {
    query,
    resultType,
  });
}

export interface PrometheusKpi extends KpiSource {
  sample(signal?: AbortSignal): Promise<PrometheusKpiSample>;
}

export function createPrometheusKpi(options: PrometheusKpiOptions): PrometheusKpi {
  let base: string;
  try {
    const u = new URL(options.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    base = u.toString().replace(/\/+$/, '');
  } catch {
    throw new LoadError(`Prometheus URL must be an http(s) URL, got ${JSON.stringify(options.url)}`, { field: 'url' });
  }
  const query = options.query.trim();
  if (!query) throw new LoadError('Prometheus KPI query is empty; expected PromQL such as sum(rate(orders_created_total[1m])) * 60', { field: 'query' });
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const counters = new CounterTracker();
  let errorRate = 0;
  let recentErrorRate = 0;

  async function query1(signal?: AbortSignal): Promise<{ value: number | null; series: number }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const form = new URLSearchParams({ query, time: (options.clock.now() / 1000).toFixed(3) });
    let status: number;
    let text: string;
    try {
      const res = await doFetch(`${base}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: combined,
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw new AbortedError('Prometheus query aborted');
      if (timeout.aborted) throw new TimeoutError(`Prometheus at ${base} did not answer within ${timeoutMs} ms`, { url: base, timeoutMs });
      const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : String(err);
      throw new LoadError(`cannot reach Prometheus at ${base}: ${cause}`, { url: base, retryable: true });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new LoadError(`Prometheus at ${base} answered HTTP ${status} with non-JSON to /api/v1/query; is the URL a Prometheus server?`, { url: base, status });
    }
    // 400/422 carry {status:"error"} which parse turns into a clear message
    if (status >= 500 && !(isObject(body) && body.status === 'error')) throw new LoadError(`Prometheus at ${base} answered HTTP ${status}`, { url: base, status });
    return parsePrometheusInstant(body, query);
  }

  return {
    async sample(signal) {
      const [result, stats] = await Promise.all([query1(signal), options.driver ? options.driver.stats(signal) : Promise.resolve(null)]);
      const step = stats ? counters.step(stats, stats.fetchedAt ?? options.clock.now()) : null;
      if (step && 'reset' in step) errorRate = recentErrorRate = 0;
      else if (step) ({ errorRate, recentErrorRate } = step);
      return {
        t: options.clock.now(),
        source: 'prometheus',
        opm: result.value,
        series: result.series,
        errorRate,
        ...(stats ? { recentErrorRate } : {}),
        p99Ms: stats ? p99Of(stats).p99Ms : null,
        users: stats ? stats.userCount : 0,
        ...(stats ? { generatorCpuPct: generatorCpu(stats) } : {}),
        ...(step && !('reset' in step) ? { endpoints: step.endpoints } : {}),
        ...(result.value === null ? { note: result.series === 0 ? 'the query returned no series (no data yet?)' : 'the query returned no finite value' } : {}),
      };
    },
  };
}
