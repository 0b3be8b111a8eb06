/**
 * Plants for the controller benchmark and tests: a shop behind a distributed Locust, simulated
 * second by second, and the KPI read from it the way Conductor reads a real master.
 *
 * - The shop (`Shop`) answers the users running with expected orders per minute, p99 and an error
 *   rate; some shops change under the load (capacity that grows with a lag, orders per user that
 *   drift or step, a cliff) and some keep state (an autoscaler).
 * - The load generator: Locust workers that can run so many users before their CPU saturates;
 *   past that, the requests the users make are capped (and the workers report CPU > 90 %).
 * - Counting (`LocustCounting`): every second the users make a whole number of requests — a
 *   Poisson count, over-dispersed by the factor measured against real Locust
 *   (test/bench/locust-counting.bench.ts), some of them failing — split over two workers that each
 *   report to the master every 3 s at their own phase; the master caches its answer 2 s. The KPI
 *   reads those counters as the product does (electron/load/kpi/counters.ts): the change between
 *   two reads over the time between them ('exact'), or Locust's 10 s `current_rps` ('window').
 * - A lagged plant answers whole intervals late (a long user journey: dead time).
 *
 * Everything is seeded: the same seed gives the same counts and decision times for every
 * controller, so the algorithms are compared on identical plants.
 */
import { CounterTracker } from '../../electron/load/kpi/counters.ts';
import type { LocustEntry, LocustStats } from '../../electron/load/types.ts';
import { ShopModel } from '../../electron/sandbox/shop-model.ts';
import { binomial, gaussian, poisson, seededRandom } from '../../electron/sandbox/locust-sim/random.ts';

export { seededRandom } from '../../electron/sandbox/locust-sim/random.ts';

export type KpiMode = 'exact' | 'window';

export interface ShopAnswer {
  /** expected successful orders per minute */
  opm: number;
  p99Ms: number;
  /** failed requests / requests */
  errorRate: number;
}

/** A shop: how it answers `users` in second `t` (seconds since load start). Called once per second, in order. */
export interface Shop {
  at(users: number, t: number): ShopAnswer;
  /** the steady answer at second t without advancing any state (for oracles and goals); omitted for shops whose answer depends on the load history */
  steady?(users: number, t: number): ShopAnswer;
}

export interface PlantReading {
  opm: number | null;
  /** the span the OPM is the mean over (ms since load start), when the KPI knows it */
  window?: { from: number; to: number };
  p99Ms: number | null;
  errorRate: number;
  /** the latest read pair's error rate (what the error guard judges), when counted */
  recentErrorRate?: number;
  /** users the master reports */
  users: number;
  /** the busiest worker's CPU % */
  generatorCpuPct: number | null;
}

export interface Plant {
  name: string;
  /** the target is beyond the shop: the run should end with a knee */
  capacityLimited: boolean;
  /** the load generator is the limit: the run should flag generator-saturated, never a knee */
  generatorLimited: boolean;
  timing?: DecisionTiming;
  kpi: KpiMode;
  /** one second with `users` commanded-and-running; returns the shop's expected OPM that second (the truth the metrics use) */
  tick(users: number): number;
  /** what the KPI reads now (the plant has run `t` seconds) */
  read(): PlantReading | null;
  /** the shop's steady OPM for `users` at second t, when it has one (for oracles) */
  steadyOpm?(users: number, t: number): number;
}

// ---------------------------------------------------------------------------------------------
// Shops

export function constantShop(opmPerUser: number, p99Ms = 120): Shop {
  const answer = (u: number): ShopAnswer => ({ opm: Math.max(0, u) * opmPerUser, p99Ms, errorRate: 0 });
  return { at: answer, steady: answer };
}

/** the sandbox shop model: orders per user fall smoothly toward the capacity, errors beyond it */
export function modelShop(capacityOpm: number, opmPerUserIdle = 6): Shop {
  const shop = new ShopModel({ capacityOpm, opmPerUserIdle, baseLatencyMs: 40, requestsPerOrder: 4 });
  const answer = (u: number): ShopAnswer => {
    const r = shop.rates(u);
    return { opm: r.ordersPerMinute, p99Ms: r.p99Ms, errorRate: r.errorRate };
  };
  return { at: answer, steady: answer };
}

/**
 * A capacity cliff: every user places `opmPerUser` until the shop's capacity, beyond which the
 * checkout refuses what it cannot take (a full queue answers 503): orders stay at the capacity,
 * the refused share fails, and p99 jumps to the queue's length. Like the real fixture shop.
 */
export function cliffShop(capacityOpm: number, opmPerUser = 6, baseP99Ms = 120): Shop {
  const answer = (u: number): ShopAnswer => {
    const offered = Math.max(0, u) * opmPerUser;
    if (offered <= capacityOpm) return { opm: offered, p99Ms: baseP99Ms * (1 + 2 * (offered / capacityOpm) ** 8), errorRate: 0 };
    return { opm: capacityOpm, p99Ms: baseP99Ms * 25, errorRate: 1 - capacityOpm / offered };
  };
  return { at: answer, steady: answer };
}

/**
 * Orders per user that change over time (a marketing mail, a cache warming, a slow feature):
 * `factor(t)` multiplies the base shop's orders (the base sees users × factor as its load).
 */
export function scaledShop(base: Shop, factor: (t: number) => number): Shop {
  const answer = (u: number, t: number, b: (users: number, t: number) => ShopAnswer): ShopAnswer => {
    const f = factor(t);
    const r = b(u * f, t);
    return r;
  };
  return {
    at: (u, t) => answer(u, t, (x, s) => base.at(x, s)),
    ...(base.steady ? { steady: (u: number, t: number) => answer(u, t, (x, s) => base.steady!(x, s)) } : {}),
  };
}

/**
 * Orders per user drifting: a seeded Ornstein–Uhlenbeck process in log space, stationary
 * standard deviation `sd` (e.g. 0.1: ±10 %), correlation time `tauS`. Precomputed per second so
 * the same seed gives the same drift for every controller (and the oracle).
 */
export function driftFactor(seed: number, totalS: number, sd: number, tauS: number): (t: number) => number {
  const rand = seededRandom(seed);
  const a = Math.exp(-1 / tauS);
  const step = sd * Math.sqrt(1 - a * a);
  const xs = new Float64Array(totalS + 1);
  let x = 0;
  for (let s = 0; s <= totalS; s++) {
    xs[s] = Math.exp(x);
    x = a * x + step * gaussian(rand);
  }
  return (t) => xs[Math.max(0, Math.min(totalS, Math.floor(t)))] ?? 1;
}

/**
 * A shop whose capacity comes with a lag, as the scale phase's replicas start: `pods` ×
 * `podCapacityOpm` on the sandbox shop curve, `startPods` at first, then one more pod every
 * `everyS` from `firstAtS` until `maxPods`, each warming up linearly over `warmS` (image pull,
 * start-up, caches) — capacity that rises under the controller while it ramps.
 */
export function risingCapacityShop(o: { podCapacityOpm: number; startPods: number; maxPods: number; firstAtS: number; everyS: number; warmS: number; opmPerUserIdle?: number }): Shop {
  const capacityAt = (t: number): number => {
    let pods = o.startPods;
    for (let k = 0; k < o.maxPods - o.startPods; k++) pods += Math.min(1, Math.max(0, (t - (o.firstAtS + k * o.everyS)) / o.warmS));
    return pods * o.podCapacityOpm;
  };
  const answer = (u: number, t: number): ShopAnswer => {
    const r = new ShopModel({ capacityOpm: capacityAt(t), opmPerUserIdle: o.opmPerUserIdle ?? 6, baseLatencyMs: 40, requestsPerOrder: 4 }).rates(u);
    return { opm: r.ordersPerMinute, p99Ms: r.p99Ms, errorRate: r.errorRate };
  };
  return { at: answer, steady: answer };
}

/**
 * A long user journey: a user's orders come `lagS` after the user (login, browsing, a cart, a
 * payment page), and stop as late when the user leaves — the shop answers the users of `lagS`
 * ago. Seen from the controller it is dead time: the KPI counts exactly what the shop does, late.
 */
export function delayedShop(base: Shop, lagS: number): Shop {
  const history: number[] = [];
  return {
    at(u, t) {
      history.push(u);
      const then = history[history.length - 1 - lagS] ?? 0;
      return base.at(then, t);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Load generator and counting

/** Locust workers: each runs up to `usersPerWorkerAtFull` users at 100 % CPU; beyond that the users' requests are capped */
export interface GeneratorModel {
  workers: number;
  usersPerWorkerAtFull: number;
}

/**
 * Counting noise, from real Locust (locust-counting.bench.ts: 2.12 and 2.47, master + 2 workers,
 * ~1,350 orders/min, shoppers with a random think time and a random task mix, read every 2 s):
 * - the orders the shop created per 60 s vary 1.8 % (Poisson would be 2.7 %: a dispersion of
 *   ~0.45); the plants count as Poisson (1), a little noisier than measured;
 * - Locust's counters over 60 s differ from the shop's own count over the same span by 2.6–2.7 %
 *   rms, over 10 s by 18–19 % (when each worker's counts reached the master); Locust's 10 s
 *   `current_rps` varies 5.0–6.2 %.
 * With a report delay of sd 0.8 s (a loaded machine's scheduling) the model gives 19 % at 10 s
 * and 2.0 % at 60 s against the shop, and 4.5–6.6 % for the window: close to the measured, a
 * little kinder at 60 s.
 */
export const MEASURED_DISPERSION = 1;
/** the sd of a worker report's delay beyond 3 s (s), see above */
export const REPORT_JITTER_S = 0.8;

export interface CountingOptions {
  seed: number;
  /** variance / mean of the per-second counts (1: Poisson) */
  dispersion?: number;
  /** bursty traffic: the per-second rate × (1 + burst × an AR(1) with a 20 s memory); 0.022 adds ≈ 2 % to a 10 s count, ≈ 1.5 % to a 60 s one (the old noisy plants' 2 % jitter) */
  burst?: number;
  /** other requests per order (browsing), for the aggregated error rate */
  requestsPerOrder?: number;
  workers?: number;
  /** a worker's report interval (s): 3, plus a seeded delay per report (send time, scheduling) */
  reportS?: number;
  /** the sd of that delay (s), default REPORT_JITTER_S (calibrated against real Locust) */
  reportJitterS?: number;
  /** the master's answer cache (s) */
  cacheS?: number;
  /** someone polls the master every 2 s (Locust's web UI open in a browser): answers are up to `cacheS` old; default true */
  uiOpen?: boolean;
}


interface Cum {
  ok: number;
  fail: number;
  req: number;
  reqFail: number;
}

/**
 * Locust's counters as a master shows them: per-second counts split over the workers, each
 * worker's counts reaching the master at its reports (every 3 s plus a few ms, at its own phase),
 * the master's answer cached 2 s (and kept warm by a browser's web UI polling it).
 */
export class LocustCounting {
  private readonly rand: () => number;
  private readonly workers: number;
  private readonly reportS: number;
  private readonly cacheS: number;
  /** per worker: its report times so far (s), extended lazily */
  private readonly reports: number[][];
  /** cumulative counts at the start of each second (cum[s] = counts of seconds < s) */
  private readonly cum: Cum[] = [{ ok: 0, fail: 0, req: 0, reqFail: 0 }];
  private readonly users: number[] = [];
  private burstState = 0;
  private readonly uiPhase: number;
  private lastCompute = -Infinity;
  private uiPolledUntil = 0;
  private cache: { at: number; stats: LocustStats; currentOk: number; currentFailRate: number } | null = null;

  constructor(readonly options: CountingOptions) {
    this.rand = seededRandom(options.seed * 7919 + 17);
    this.workers = options.workers ?? 2;
    this.reportS = options.reportS ?? 3;
    this.cacheS = options.cacheS ?? 2;
    this.reports = Array.from({ length: this.workers }, () => [this.rand() * this.reportS]);
    this.uiPhase = this.rand() * 2;
  }

  /** one second of a shop's answer with `users` running */
  count(users: number, answer: ShopAnswer): void {
    const dispersion = this.options.dispersion ?? MEASURED_DISPERSION;
    const burst = this.options.burst ?? 0;
    if (burst > 0) {
      const a = Math.exp(-1 / 20);
      this.burstState = a * this.burstState + Math.sqrt(1 - a * a) * gaussian(this.rand);
    }
    const err = Math.min(0.999, Math.max(0, answer.errorRate));
    const attempts = (answer.opm / 60 / (1 - err)) * Math.max(0, 1 + burst * this.burstState);
    const n = dispersed(attempts, dispersion, this.rand);
    const fail = binomial(n, err, this.rand);
    const others = poisson(n * (this.options.requestsPerOrder ?? 1), this.rand);
    const othersFail = binomial(others, err, this.rand);
    const prev = this.cum[this.cum.length - 1]!;
    this.cum.push({ ok: prev.ok + n - fail, fail: prev.fail + fail, req: prev.req + n + others, reqFail: prev.reqFail + fail + othersFail });
    this.users.push(users);
  }

  /** the last report time of worker `w` at or before `t` (s), or null */
  private lastReport(w: number, t: number): number | null {
    const rs = this.reports[w]!;
    const jitter = this.options.reportJitterS ?? REPORT_JITTER_S;
    while ((rs[rs.length - 1] ?? 0) <= t) rs.push((rs[rs.length - 1] ?? 0) + this.reportS + 0.003 + Math.abs(gaussian(this.rand)) * jitter);
    let last: number | null = null;
    for (let i = rs.length - 1; i >= 0; i--) {
      const r = rs[i]!;
      if (r <= t) {
        last = r;
        break;
      }
    }
    return last;
  }

  /** the master's answer at time `t` (s), as Conductor's driver parses it */
  answer(t: number): { stats: LocustStats; currentOk: number; currentFailRate: number } {
    // a browser's web UI polls every 2 s: the master recomputes when its cache is older than cacheS
    if (this.options.uiOpen ?? true) {
      for (let p = Math.max(this.uiPolledUntil, this.uiPhase); p <= t; p += 2) {
        if (p - this.lastCompute > this.cacheS) this.lastCompute = p;
        this.uiPolledUntil = p + 2;
      }
    }
    if (t - this.lastCompute > this.cacheS || !this.cache) this.lastCompute = t;
    if (this.cache && this.cache.at === this.lastCompute) return this.cache;
    const c = this.lastCompute;
    const sum: Cum = { ok: 0, fail: 0, req: 0, reqFail: 0 };
    let users = 0;
    let latest = 0;
    for (let w = 0; w < this.workers; w++) {
      const r = this.lastReport(w, c);
      // a report at r carries the counts of the seconds completed by then
      const upto = r === null ? 0 : Math.min(this.cum.length - 1, Math.floor(r));
      latest = Math.max(latest, upto);
      const k = this.cum[upto]!;
      sum.ok += k.ok / this.workers;
      sum.fail += k.fail / this.workers;
      sum.req += k.req / this.workers;
      sum.reqFail += k.reqFail / this.workers;
      users += (this.users[upto - 1] ?? 0) / this.workers;
    }
    // current_rps: the mean over [L − 12, L − 2) of the seconds the master knows
    const from = Math.max(0, latest - 12);
    const to = Math.max(0, latest - 2);
    const a = this.cum[from]!;
    const b = this.cum[to]!;
    const span = Math.max(1, to - from);
    const entry = (name: string, n: number, f: number): LocustEntry => ({ method: name ? 'POST' : '', name: name || 'Aggregated', numRequests: Math.round(n), numFailures: Math.round(f), currentRps: 0, currentFailPerSec: 0, p50Ms: null, p95Ms: null, p99Ms: null });
    const stats: LocustStats = {
      state: 'running',
      userCount: Math.round(users),
      workerCount: this.workers,
      workers: null,
      failRatio: 0,
      requests: new Map([['POST /orders', entry('/orders', sum.ok + sum.fail, sum.fail)]]),
      aggregated: entry('', sum.req, sum.reqFail),
      current: { p50Ms: null, p95Ms: null, p99Ms: null },
    };
    const wReq = b.req - a.req;
    this.cache = { at: c, stats, currentOk: ((b.ok - a.ok) / span) * 60, currentFailRate: wReq > 0 ? (b.reqFail - a.reqFail) / wReq : 0 };
    return this.cache;
  }

  /** orders counted in seconds [from, to) — what the shop's own counter says */
  placed(from: number, to: number): number {
    const a = this.cum[Math.max(0, Math.min(this.cum.length - 1, from))]!;
    const b = this.cum[Math.max(0, Math.min(this.cum.length - 1, to))]!;
    return b.ok - a.ok;
  }
}

/** a count of mean `mean` with variance `dispersion` × mean: Poisson (1), gamma-mixed Poisson (> 1) or binomial-thinned (< 1) */
export function dispersed(mean: number, dispersion: number, rand: () => number): number {
  if (!(mean > 0)) return 0;
  if (dispersion > 1) {
    const shape = mean / (dispersion - 1);
    const g = shape > 50 ? Math.max(0, 1 + gaussian(rand) / Math.sqrt(shape)) : gammaUnit(shape, rand);
    return poisson(mean * g, rand);
  }
  if (dispersion < 1) {
    // n = a Poisson of mean m / (1 − q) thinned... simpler: a binomial with the same mean and variance
    const q = 1 - dispersion;
    const trials = Math.max(1, Math.round(mean / q));
    return binomial(trials, mean / trials, rand);
  }
  return poisson(mean, rand);
}

/** a gamma(shape) / shape variate (mean 1), Marsaglia–Tsang */
function gammaUnit(shape: number, rand: () => number): number {
  const boost = shape < 1;
  const d = (boost ? shape + 1 : shape) - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let i = 0; i < 100; i++) {
    const x = gaussian(rand);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(Math.max(1e-300, rand())) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
      const g = d * v;
      return (boost ? g * Math.pow(rand(), 1 / shape) : g) / shape;
    }
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Decision timing

/**
 * Irregular control cycles, as a loaded machine makes them: each cycle's interval is nominal × (1 +
 * U(−jitter, +jitter)); with probability `stallChance` it is a stall of U(stallIntervals) nominal
 * intervals instead, after which the loop, which keeps its schedule, runs the cycles it missed back
 * to back, `catchUpS` apart. Seeded: the same decision times for every algorithm.
 */
export interface DecisionTiming {
  seed: number;
  jitter: number;
  stallChance: number;
  stallIntervals: [number, number];
  catchUpS?: number;
}

export const JITTER: Omit<DecisionTiming, 'seed'> = { jitter: 0.5, stallChance: 0.06, stallIntervals: [2, 4], catchUpS: 1 };

// ---------------------------------------------------------------------------------------------
// Plants

export interface PlantOptions {
  name: string;
  shop: Shop;
  kpi?: KpiMode;
  capacityLimited?: boolean;
  /** whole control intervals of dead time: orders come this long after the users (a long user journey) */
  lagIntervals?: number;
  intervalS: number;
  counting: CountingOptions;
  generator?: GeneratorModel;
  timing?: DecisionTiming;
}

export function makePlant(o: PlantOptions): Plant {
  const shop = o.lagIntervals ? delayedShop(o.shop, o.lagIntervals * o.intervalS) : o.shop;
  const counting = new LocustCounting(o.counting);
  const tracker = new CounterTracker({ request: 'POST /orders' });
  const kpi = o.kpi ?? 'exact';
  const gen = o.generator;
  let t = 0;
  let lastAnswer: ShopAnswer = { opm: 0, p99Ms: 0, errorRate: 0 };
  let cpu = 0;
  let lastExact: PlantReading | null = null;

  const readNow = (): PlantReading | null => {
    const a = counting.answer(t);
    const base = { p99Ms: lastAnswer.p99Ms > 0 ? lastAnswer.p99Ms : null, users: a.stats.userCount, generatorCpuPct: gen ? cpu : null };
    // the load loop's first read comes as the load starts (the stats just reset, no users yet):
    // Locust answers, nothing is counted, and the counting starts from there
    if (t <= 0) {
      if (kpi === 'exact') tracker.step(a.stats, 0);
      return { ...base, opm: 0, errorRate: 0 };
    }
    if (kpi === 'window') return { ...base, opm: a.currentOk, errorRate: a.currentFailRate };
    const step = tracker.step(a.stats, t * 1000);
    if (step === null) return lastExact ? { ...lastExact, ...base } : { ...base, opm: null, errorRate: 0 };
    if ('reset' in step) return { ...base, opm: null, errorRate: 0 };
    lastExact = { ...base, opm: step.okPerMinute, errorRate: step.errorRate, recentErrorRate: step.recentErrorRate, window: step.window };
    return lastExact;
  };

  return {
    name: o.name,
    capacityLimited: o.capacityLimited ?? false,
    generatorLimited: gen !== undefined,
    kpi,
    ...(o.timing ? { timing: o.timing } : {}),
    tick(users) {
      let effective = users;
      if (gen) {
        const full = gen.workers * gen.usersPerWorkerAtFull;
        cpu = Math.min(100, (100 * users) / full);
        effective = Math.min(users, full);
      }
      lastAnswer = shop.at(effective, t);
      counting.count(users, lastAnswer);
      t += 1;
      return lastAnswer.opm;
    },
    read: readNow,
    ...(shop.steady ? { steadyOpm: (u: number, s: number) => shop.steady!(u, s).opm } : {}),
  };
}

/**
 * Capacities of the saturating shops (sandbox shop model, 6 orders per user when idle, target 7,200 OPM):
 * - demanding: 10,000 OPM — the target at 72 % of capacity, where a user places 3.2 orders
 *   (53 % of idle), an added user is worth ~1.2 OPM (19 % of idle), p99 is ~3.9 × idle and ~2.8 %
 *   of requests fail (offered load 1.35 × capacity); the shop's OPM peaks at ~8,070;
 * - mild: 14,400 OPM — the target at 50 % of capacity, below the error onset.
 */
export const CAPACITY_DEMANDING = 10_000;
export const CAPACITY_MILD = 14_400;
export const CAPACITY_BELOW = 6_000;
/** the cliff: a checkout that takes 5,000 orders a minute and refuses the rest */
export const CLIFF_CAPACITY = 5_000;

/** the drifting plant: orders per user × a factor whose log is an OU process (±10 %, 10 min memory) */
export const DRIFT = { sd: 0.1, tauS: 600 };
export const driftingFactor = (seed: number, totalS: number) => driftFactor(seed * 100 + 8, totalS, DRIFT.sd, DRIFT.tauS);

export interface StandardPlantsOptions {
  intervalS: number;
  seed?: number;
  kpi?: KpiMode;
  /** total simulated seconds (ramp + plateau), for precomputed drifts */
  totalS?: number;
  rampUpS?: number;
}

/** the benchmark's plants (fresh instances: every plant restarts its seeded noise) */
export function standardPlants(opts: StandardPlantsOptions): Plant[] {
  const { intervalS } = opts;
  const seed = opts.seed ?? 42;
  const kpi = opts.kpi ?? 'exact';
  const totalS = opts.totalS ?? 5400;
  const rampUpS = opts.rampUpS ?? 1800;
  const c = (k: number, extra: Partial<CountingOptions> = {}): CountingOptions => ({ seed: seed * 100 + k, ...extra });
  const p = (name: string, shop: Shop, k: number, extra: Partial<PlantOptions> = {}, counting: Partial<CountingOptions> = {}) =>
    makePlant({ name, shop, kpi, intervalS, counting: c(k, counting), ...extra });
  return [
    p('constant', constantShop(6), 1),
    p('saturating', modelShop(CAPACITY_DEMANDING), 2),
    p('saturating-mild', modelShop(CAPACITY_MILD), 3),
    p('lagged', constantShop(6), 4, { lagIntervals: 2 }),
    p('noisy', modelShop(CAPACITY_DEMANDING), 5, {}, { burst: 0.022 }),
    p('combined', modelShop(CAPACITY_DEMANDING), 6, { lagIntervals: 1 }, { burst: 0.022 }),
    // shops that change under the controller
    p('capacity-rising', risingCapacityShop({ podCapacityOpm: 2_500, startPods: 2, maxPods: 5, firstAtS: 1200, everyS: 180, warmS: 60 }), 7),
    p('drifting', scaledShop(modelShop(CAPACITY_MILD), driftingFactor(seed, totalS)), 8),
    p('step', scaledShop(modelShop(CAPACITY_DEMANDING), (t) => (t >= rampUpS + 1200 ? 0.8 : 1)), 9),
    p('capacity-below', modelShop(CAPACITY_BELOW), 10, { capacityLimited: true }),
    p('cliff', cliffShop(CLIFF_CAPACITY), 11, { capacityLimited: true }),
    p('generator-saturated', constantShop(6), 12, { generator: { workers: 2, usersPerWorkerAtFull: 500 } }),
    // irregular control cycles (a loaded machine): same shops, decisions ±50 % late/early, stalls of 2–4 intervals
    p('constant-jittered', constantShop(6), 13, { timing: { seed: seed + 2000, ...JITTER } }),
    p('saturating-jittered', modelShop(CAPACITY_DEMANDING), 14, { timing: { seed: seed + 3000, ...JITTER } }),
    p('lagged-jittered', constantShop(6), 15, { lagIntervals: 2, timing: { seed: seed + 4000, ...JITTER } }),
    p('noisy-jittered', modelShop(CAPACITY_DEMANDING), 16, { timing: { seed: seed + 5000, ...JITTER } }, { burst: 0.022 }),
  ];
}
