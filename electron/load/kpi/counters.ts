/**
 * Rates from Locust's counters: between two reads of `/stats/requests`, the change in each
 * request's `num_requests` and `num_failures` over the time between the reads. Every request is
 * counted once, whole, however often the reads come — unlike `current_rps`, a 10 s window that a
 * once-per-interval read samples a sixth of (at a 60 s interval).
 *
 * - A read less than `minSpanMs` after the last one used is not a new measurement (Locust caches
 *   the answer 2 s and its workers report every 3 s, so counters over a second or two are mostly
 *   timing): `step()` answers null.
 * - Each measurement covers about `spanMs` when the reads allow: it starts from the newest
 *   earlier read that much older, less half the time between reads (reads come on a schedule, a
 *   few ms late or early). Where a count starts and ends is known to a worker report each
 *   (~1.3 s measured against real Locust), so over 15 s that alone is ~12 % of noise, over 40 s
 *   ~5 %; at a 60 s control interval a measurement is simply the last interval.
 * - Counters that went back mean `/stats/reset` or a restarted master: the span is unknown, so
 *   that step measures nothing and counting starts again from the read (`reset: true`).
 * - Where the counters are as of: each worker reports every 3 s, so a read shows counts up to
 *   ~1.5 s old on average; the span is placed that much before the reads (`reportLagMs`).
 */
import type { EndpointSample } from '../../../shared/model/run.ts';
import { requestKey } from '../locust-stats.ts';
import type { LocustStats } from '../types.ts';

/** a sample carries at most this many request names (the busiest; the KPI's own always) */
export const MAX_ENDPOINTS = 20;

interface Read {
  /** clock time the answer was fetched */
  at: number;
  requests: Map<string, { n: number; f: number; p50: number | null; p95: number | null; p99: number | null }>;
  total: { n: number; f: number };
}

export interface CounterStep {
  /** the clock-time span the counts cover (placed `reportLagMs` before the reads) */
  window: { from: number; to: number };
  spanMs: number;
  /** successful requests of `request` per minute over the span (0 when it has no entry yet) */
  okPerMinute: number;
  /** all requests' failures / all requests over the span (0 when none) */
  errorRate: number;
  /**
   * the same since the previous read used (≥ minSpanMs: about one control interval) — what the
   * error guard judges, so that errors that cleared stop counting against the grace period at
   * once instead of for the rest of a 40 s span
   */
  recentErrorRate: number;
  endpoints: EndpointSample[];
}

export interface CounterTrackerOptions {
  /** the KPI's request, "METHOD name" (always listed in the endpoints) */
  request?: string;
  /** reads closer than this (clock ms) to the last one used are not a new measurement (default 10 s) */
  minSpanMs?: number;
  /** a measurement spans at least this much when earlier reads allow (clock ms; default 40 s) */
  spanMs?: number;
  /** how far the counts lag the read (clock ms; default 1.5 s, half a worker report interval) */
  reportLagMs?: number;
}

export class CounterTracker {
  /** the reads used, oldest first (the last is the newest) */
  private reads: Read[] = [];
  private readonly minSpanMs: number;
  private readonly spanMs: number;
  private readonly lagMs: number;

  constructor(readonly options: CounterTrackerOptions = {}) {
    this.minSpanMs = options.minSpanMs ?? 10_000;
    this.spanMs = Math.max(this.minSpanMs, options.spanMs ?? 40_000);
    this.lagMs = options.reportLagMs ?? 1_500;
  }

  /** the clock time of the last read used (null before the first) */
  get since(): number | null {
    return this.reads.at(-1)?.at ?? null;
  }

  /** forget the reads (e.g. after our own /stats/reset): the next read starts counting */
  restart(): void {
    this.reads = [];
  }

  /**
   * One read. Returns the step since the start read, `{ reset: true }` when the counters went
   * back, or null when this is the first read or too soon after the start.
   */
  step(stats: LocustStats, at: number): CounterStep | { reset: true } | null {
    const read = toRead(stats, at);
    const last = this.reads.at(-1);
    if (!last) {
      this.reads = [read];
      return null;
    }
    if (wentBack(last, read)) {
      this.reads = [read];
      return { reset: true };
    }
    if (read.at - last.at < this.minSpanMs) return null;
    // from the newest earlier read about spanMs older (less half the time since the last read: reads
    // come on a schedule plus a few ms of latency, so at a 20 s interval a read two intervals back is
    // 39.99 s old as often as 40.01 s, and a strict 40 s would alternate the span between 40 and 60 s),
    // else the oldest kept
    const due = this.spanMs - (read.at - last.at) / 2;
    let prev = this.reads[0]!;
    for (const r of this.reads) if (read.at - r.at >= due) prev = r;
    this.reads.push(read);
    while (this.reads.length > 2 && read.at - this.reads[1]!.at >= this.spanMs) this.reads.shift();
    if (this.reads.length > 64) this.reads.shift();
    const spanMs = read.at - prev.at;
    const dn = read.total.n - prev.total.n;
    const df = read.total.f - prev.total.f;
    const key = this.options.request;
    const recentN = read.total.n - last.total.n;
    const recentF = read.total.f - last.total.f;
    const mine = key ? read.requests.get(key) : undefined;
    const before = key ? prev.requests.get(key) : undefined;
    const ok = mine ? mine.n - mine.f - ((before?.n ?? 0) - (before?.f ?? 0)) : 0;
    return {
      window: { from: prev.at - this.lagMs, to: read.at - this.lagMs },
      spanMs,
      okPerMinute: (Math.max(0, ok) / spanMs) * 60_000,
      errorRate: dn > 0 ? Math.min(1, Math.max(0, df / dn)) : 0,
      recentErrorRate: recentN > 0 ? Math.min(1, Math.max(0, recentF / recentN)) : 0,
      endpoints: endpointsOver(prev, read, spanMs, key),
    };
  }
}

function toRead(stats: LocustStats, at: number): Read {
  const requests: Read['requests'] = new Map();
  for (const e of stats.requests.values()) requests.set(requestKey(e.method, e.name), { n: e.numRequests, f: e.numFailures, p50: e.p50Ms, p95: e.p95Ms, p99: e.p99Ms });
  return { at, requests, total: { n: stats.aggregated.numRequests, f: stats.aggregated.numFailures } };
}

/** a reset or a new master: any counter lower than before (a name that disappeared counts too) */
function wentBack(prev: Read, read: Read): boolean {
  if (read.total.n < prev.total.n || read.total.f < prev.total.f) return true;
  for (const [k, p] of prev.requests) {
    const r = read.requests.get(k);
    if (p.n > 0 && (!r || r.n < p.n || r.f < p.f)) return true;
  }
  return false;
}

function endpointsOver(prev: Read, read: Read, spanMs: number, always: string | undefined): EndpointSample[] {
  const all: EndpointSample[] = [];
  for (const [name, r] of read.requests) {
    const p = prev.requests.get(name);
    const requests = Math.max(0, r.n - (p?.n ?? 0));
    if (requests === 0 && name !== always) continue;
    all.push({ name, requests, failures: Math.max(0, r.f - (p?.f ?? 0)), rps: (requests * 1000) / spanMs, p50Ms: r.p50, p95Ms: r.p95, p99Ms: r.p99 });
  }
  all.sort((a, b) => b.requests - a.requests || (a.name < b.name ? -1 : 1));
  const top = all.slice(0, MAX_ENDPOINTS);
  const own = always ? all.find((e) => e.name === always) : undefined;
  if (own && !top.includes(own)) top[top.length - 1] = own;
  return top;
}
