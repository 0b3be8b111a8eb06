import type { Clock } from '../../base/clock.ts';
import type { ShopModel } from '../shop-model.ts';
import { addToHistogram, histogramPercentile, logNormalAt, type Histogram } from './percentiles.ts';

/**
 * The simulated Locust master: users spawn at the spawn rate on the sandbox clock and place
 * orders as the shop model says. Time advances lazily in whole simulated seconds whenever
 * someone looks (HTTP request or `state()`), so no timers run and any clock (scaled or manual)
 * works. Worker reports reach the master every 3 s, like Locust's WORKER_REPORT_INTERVAL, so the
 * master's user count and request stats move in 3 s steps.
 */

export type SimRunState = 'ready' | 'spawning' | 'running' | 'stopped';

export interface SimRequestSpec {
  method: string;
  name: string;
  /** share of the non-order requests (orders have their own rate) */
  share: number;
  contentLength: number;
}

const OTHER_REQUESTS: SimRequestSpec[] = [
  { method: 'GET', name: '/products', share: 0.75, contentLength: 2048 },
  { method: 'POST', name: '/cart', share: 0.25, contentLength: 96 },
];

class EntryStats {
  numRequests = 0;
  numFailures = 0;
  totalResponseTime = 0;
  minResponseTime: number | null = null;
  maxResponseTime = 0;
  totalContentLength = 0;
  readonly hist: Histogram = new Map();
  readonly reqsPerSec = new Map<number, number>();
  readonly failsPerSec = new Map<number, number>();
  /** per-second histograms, kept for the "current" percentiles (aggregated entry only) */
  readonly histPerSec = new Map<number, Histogram>();
  constructor(
    readonly method: string,
    readonly name: string,
  ) {}

  add(sec: number | null, count: number, fails: number, times: number[], contentLength: number, keepSecondHist: boolean): void {
    if (count <= 0) return;
    this.numRequests += count;
    this.numFailures += fails;
    this.totalContentLength += contentLength * count;
    const per = count / times.length;
    let secHist: Histogram | undefined;
    if (sec !== null) {
      this.reqsPerSec.set(sec, (this.reqsPerSec.get(sec) ?? 0) + count);
      if (fails > 0) this.failsPerSec.set(sec, (this.failsPerSec.get(sec) ?? 0) + fails);
      if (keepSecondHist) {
        secHist = this.histPerSec.get(sec) ?? new Map();
        this.histPerSec.set(sec, secHist);
      }
    }
    for (const rt of times) {
      this.totalResponseTime += rt * per;
      this.minResponseTime = this.minResponseTime === null ? rt : Math.min(this.minResponseTime, rt);
      this.maxResponseTime = Math.max(this.maxResponseTime, rt);
      addToHistogram(this.hist, rt, per);
      if (secHist) addToHistogram(secHist, rt, per);
    }
  }

  prune(beforeSec: number): void {
    for (const m of [this.reqsPerSec, this.failsPerSec, this.histPerSec]) for (const k of m.keys()) if (k < beforeSec) m.delete(k);
  }
}

export interface SimSnapshot {
  state: SimRunState;
  /** users actually running now (simulation truth) */
  users: number;
  /** user count the master knows (from the last worker report) */
  reportedUsers: number;
  targetUsers: number;
  spawnRate: number;
  host: string;
  workers: number;
  /** orders placed successfully since start (never reset by /stats/reset) */
  totalOrders: number;
  failedOrders: number;
  totalRequests: number;
  /** simulated time up to which the shop has been simulated (ms) */
  simulatedUntil: number;
}

export interface EngineOptions {
  clock: Clock;
  shop: ShopModel;
  workers: number;
  requestName: string;
  /** ms between worker reports (Locust: 3 s) */
  reportIntervalMs?: number;
}

/** simulate second by second only this far back; older gaps are filled in one step */
const DETAILED_SECONDS = 60;
const KEEP_SECONDS = 40;

export class LocustSimEngine {
  shop: ShopModel;
  readonly workers: number;
  private readonly clock: Clock;
  private readonly reportMs: number;
  private readonly orderMethod: string;
  private readonly orderName: string;

  runState: SimRunState = 'ready';
  private users = 0;
  private reportedUsers = 0;
  targetUsers = 0;
  spawnRate = 1;
  host = '';
  private jammed = false;
  private doneSec: number;
  private startTimeSec: number;
  private lastRequestSec: number | null = null;
  private entries = new Map<string, EntryStats>();
  private total = new EntryStats('', 'Aggregated');
  private carries = new Map<string, number>();
  private errors = new Map<string, { method: string; name: string; error: string; occurrences: number }>();
  private totals = { orders: 0, failedOrders: 0, requests: 0 };

  constructor(opts: EngineOptions) {
    this.clock = opts.clock;
    this.shop = opts.shop;
    this.workers = opts.workers;
    this.reportMs = opts.reportIntervalMs ?? 3000;
    const [method, ...rest] = opts.requestName.split(' ');
    this.orderMethod = method ?? 'POST';
    this.orderName = rest.join(' ') || '/orders';
    this.doneSec = Math.floor(this.clock.now() / 1000);
    this.startTimeSec = this.clock.now() / 1000;
  }

  /** simulate up to the last worker report before now */
  catchUp(): void {
    const nowMs = this.clock.now();
    const reportSec = Math.floor(Math.floor(nowMs / this.reportMs) * this.reportMs / 1000);
    const target = Math.max(reportSec, this.doneSec);
    let gap = target - this.doneSec;
    if (gap > DETAILED_SECONDS) {
      this.step(gap - DETAILED_SECONDS, false);
      gap = DETAILED_SECONDS;
    }
    for (let i = 0; i < gap; i++) this.step(1, true);
    this.reportedUsers = Math.round(this.users);
    // keep what the rate window (relative to the last request, which freezes after a stop) needs
    const keepFrom = Math.min(this.doneSec, Math.floor(this.lastRequestSec ?? this.doneSec)) - KEEP_SECONDS;
    for (const e of [...this.entries.values(), this.total]) e.prune(keepFrom);
  }

  /** one step of `dt` simulated seconds ending at second doneSec + dt */
  private step(dt: number, perSecond: boolean): void {
    // users move toward the target at the spawn rate (both ways, like Locust's dispatcher)
    if (!this.jammed && (this.runState === 'spawning' || this.runState === 'running')) {
      const diff = this.targetUsers - this.users;
      const move = Math.sign(diff) * Math.min(Math.abs(diff), this.spawnRate * dt);
      this.users += move;
      if (Math.abs(this.targetUsers - this.users) < 1e-9) {
        this.users = this.targetUsers;
        this.runState = 'running';
      }
    }
    const sec = this.doneSec;
    this.doneSec += dt;
    const whole = Math.floor(this.users);
    if (whole <= 0) return;
    const r = this.shop.rates(whole);
    const err = Math.min(0.999, Math.max(0, r.errorRate));
    const orderAttempts = r.ordersPerMinute / 60 / (1 - err);
    const others = Math.max(0, r.requestsPerSecond - orderAttempts);
    const times = this.sampleTimes(sec, r.p50Ms, r.p99Ms);
    const made = this.emit(this.orderMethod, this.orderName, orderAttempts * dt, err, perSecond ? sec : null, times, 160);
    this.totals.orders += made.count - made.fails;
    this.totals.failedOrders += made.fails;
    for (const o of OTHER_REQUESTS) this.emit(o.method, o.name, others * o.share * dt, err, perSecond ? sec : null, times, o.contentLength);
    if (made.count > 0 || others > 0) this.lastRequestSec = sec + dt - 0.5;
  }

  /** response times for one second: quantile points of a log-normal, shifted each second so tails show up */
  private sampleTimes(sec: number, p50: number, p99: number): number[] {
    const shift = (sec * 0.6180339887) % 1;
    const n = 25;
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(logNormalAt((k + shift) / n, p50, p99));
    return out;
  }

  private emit(method: string, name: string, expected: number, err: number, sec: number | null, times: number[], contentLength: number) {
    const key = `${method} ${name}`;
    // integer counts with the fractions carried over: deterministic, no drift
    const carry = (this.carries.get(key) ?? 0) + expected;
    const count = Math.floor(carry);
    this.carries.set(key, carry - count);
    const failCarry = (this.carries.get(key + ' fail') ?? 0) + count * err;
    const fails = Math.floor(failCarry);
    this.carries.set(key + ' fail', failCarry - fails);
    if (count <= 0) return { count: 0, fails: 0 };
    let e = this.entries.get(key);
    if (!e) {
      e = new EntryStats(method, name);
      this.entries.set(key, e);
    }
    e.add(sec, count, fails, times, contentLength, false);
    this.total.add(sec, count, fails, times, contentLength, true);
    this.totals.requests += count;
    if (fails > 0) {
      const msg = `HTTPError('503 Server Error: Service Unavailable for url: ${name}')`;
      const ek = `${key} ${msg}`;
      const prev = this.errors.get(ek);
      if (prev) prev.occurrences += fails;
      else this.errors.set(ek, { method, name, error: msg, occurrences: fails });
    }
    return { count, fails };
  }

  /**
   * What a real 2.12 master does with spawn_rate 0/inf/nan or a negative user count: it answers
   * success, its swarm greenlet dies, and it sits in "spawning" with the users it had.
   */
  jam(host?: string): void {
    this.catchUp();
    if (host !== undefined) this.host = host.replace(/[<>]/g, '');
    if (this.workers === 0) return;
    this.jammed = true;
    this.runState = 'spawning';
  }

  swarm(users: number, spawnRate: number, host?: string): boolean {
    this.catchUp();
    this.jammed = false;
    if (host !== undefined) this.host = host.replace(/[<>]/g, '');
    if (this.workers === 0) return false; // a master without workers: accepted, nothing happens
    this.targetUsers = users;
    this.spawnRate = spawnRate;
    if (this.runState === 'stopped' || this.runState === 'ready') this.users = 0;
    this.runState = this.users === users ? 'running' : 'spawning';
    return true;
  }

  stop(): void {
    this.catchUp();
    this.jammed = false;
    if (this.runState === 'ready') return;
    this.runState = 'stopped';
    this.users = 0;
    this.reportedUsers = 0;
    this.targetUsers = 0;
  }

  resetStats(): void {
    this.catchUp();
    for (const e of this.entries.values()) this.entries.set(`${e.method} ${e.name}`, new EntryStats(e.method, e.name));
    this.total = new EntryStats('', 'Aggregated');
    this.errors.clear();
    this.startTimeSec = this.clock.now() / 1000;
    this.lastRequestSec = null;
  }

  /** Locust's StatsEntry.current_rps: mean of the per-second counts over [last-12, last-2) */
  private currentRate(perSec: Map<number, number>): number {
    if (this.lastRequestSec === null) return 0;
    const last = Math.floor(this.lastRequestSec);
    const from = Math.max(last - 12, Math.floor(this.startTimeSec));
    const to = last - 2;
    if (to <= from) return 0;
    let sum = 0;
    for (let s = from; s < to; s++) sum += perSec.get(s) ?? 0;
    return sum / (to - from);
  }

  private currentPercentile(p: number): number | null {
    const nowSec = this.doneSec;
    const merged: Histogram = new Map();
    let n = 0;
    for (const [s, h] of this.total.histPerSec) {
      if (s < nowSec - 10) continue;
      for (const [rt, c] of h) {
        merged.set(rt, (merged.get(rt) ?? 0) + c);
        n += c;
      }
    }
    return n > 0 ? histogramPercentile(merged, n, p) : null;
  }

  private entryJson(e: EntryStats) {
    const n = e.numRequests;
    return {
      method: e.method || null,
      name: e.name,
      safe_name: e.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
      num_requests: n,
      num_failures: e.numFailures,
      avg_response_time: n > 0 ? e.totalResponseTime / n : 0,
      min_response_time: e.minResponseTime === null ? 0 : Math.round(e.minResponseTime),
      max_response_time: Math.round(e.maxResponseTime),
      current_rps: this.currentRate(e.reqsPerSec),
      current_fail_per_sec: this.currentRate(e.failsPerSec),
      median_response_time: histogramPercentile(e.hist, n, 0.5),
      ninetieth_response_time: histogramPercentile(e.hist, n, 0.9),
      ninety_ninth_response_time: histogramPercentile(e.hist, n, 0.99),
      avg_content_length: n > 0 ? e.totalContentLength / n : 0,
    };
  }

  /** the body of Locust 2.12's GET /stats/requests on a master */
  statsJson(): Record<string, unknown> {
    this.catchUp();
    const sorted = [...this.entries.values()].sort((a, b) => (a.name === b.name ? a.method.localeCompare(b.method) : a.name.localeCompare(b.name)));
    const stats = [...sorted.map((e) => this.entryJson(e)), this.entryJson(this.total)];
    const agg = stats.at(-1)!;
    const perWorker = this.workers > 0 ? Math.floor(this.reportedUsers / this.workers) : 0;
    const extra = this.workers > 0 ? this.reportedUsers - perWorker * this.workers : 0;
    return {
      stats,
      errors: [...this.errors.values()].slice(0, 500),
      total_rps: agg.current_rps,
      fail_ratio: this.total.numRequests > 0 ? this.total.numFailures / this.total.numRequests : 0,
      current_response_time_percentile_95: this.currentPercentile(0.95),
      current_response_time_percentile_50: this.currentPercentile(0.5),
      workers: Array.from({ length: this.workers }, (_, i) => ({
        id: `sandbox-worker-${i + 1}_${(0x5eed00 + i).toString(16)}`,
        state: this.runState === 'stopped' ? 'stopped' : this.runState,
        user_count: perWorker + (i < extra ? 1 : 0),
        cpu_usage: Math.min(100, 2 + perWorker * 0.5),
        memory_usage: 55_000_000 + perWorker * 50_000,
      })),
      state: this.runState,
      user_count: this.reportedUsers,
    };
  }

  snapshot(): SimSnapshot {
    this.catchUp();
    return {
      state: this.runState,
      users: Math.floor(this.users),
      reportedUsers: this.reportedUsers,
      targetUsers: this.targetUsers,
      spawnRate: this.spawnRate,
      host: this.host,
      workers: this.workers,
      totalOrders: this.totals.orders,
      failedOrders: this.totals.failedOrders,
      totalRequests: this.totals.requests,
      simulatedUntil: this.doneSec * 1000,
    };
  }
}
