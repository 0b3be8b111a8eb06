/**
 * Plants for the controller benchmark and tests: how a shop behind Locust answers a user count,
 * and how the KPI shows it. Every plant is a function of the users history (one entry per
 * simulated second) → the measured OPM (+ p99, error rate) at a given second. The same plants,
 * with the same seeds, are used for both algorithms.
 *
 * The measurement reproduces Locust's `current_rps`: the mean over a 10 s window, served from a
 * 2 s cache — so a sample at second t averages seconds [t−12, t−2). A lagged plant returns the
 * measurement of `lagIntervals` control intervals earlier (a slow scrape/aggregation pipeline).
 * A noisy plant counts orders in the window as a Poisson process and adds a seeded multiplicative
 * jitter (bursty traffic).
 */
import { ShopModel } from '../../electron/sandbox/shop-model.ts';

export interface PlantReading {
  opm: number;
  p99Ms: number | null;
  errorRate: number;
}

export interface Plant {
  name: string;
  capacityLimited: boolean;
  /** when the control loop decides: irregular (seeded) on a 'jittered' plant; every interval when absent */
  timing?: DecisionTiming;
  /** the master's user count is that of the last worker report, this many seconds apart (absent: the count now) */
  reportS?: number;
  /** the orders per minute `users` really produce (steady state) */
  trueOpm(users: number): number;
  /** what the KPI reads at second `t`, given users[s] for every second s < t; null before any data */
  measure(usersBySecond: readonly number[], t: number): PlantReading | null;
}

export interface Curve {
  opm(users: number): number;
  p99Ms(users: number): number;
  errorRate(users: number): number;
}

export function constantCurve(opmPerUser: number, p99Ms = 120): Curve {
  return { opm: (u) => Math.max(0, u) * opmPerUser, p99Ms: () => p99Ms, errorRate: () => 0 };
}

export function shopCurve(capacityOpm: number, opmPerUserIdle = 6): Curve {
  const shop = new ShopModel({ capacityOpm, opmPerUserIdle, baseLatencyMs: 40, requestsPerOrder: 4 });
  return { opm: (u) => shop.rates(u).ordersPerMinute, p99Ms: (u) => shop.rates(u).p99Ms, errorRate: (u) => shop.rates(u).errorRate };
}

/** mulberry32: a small seeded PRNG */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Irregular control cycles, as a loaded machine makes them: the lifecycle's loop calls `decide()`
 * once per interval on the run's clock, but a slow Locust answer, a GC pause or (in the sandbox at a
 * high time scale, where 100 ms of event-loop stall is 20 simulated seconds at 200×) a stall makes a
 * cycle late. Each cycle's interval is nominal × (1 + U(−jitter, +jitter)); with probability
 * `stallChance` it is a stall of U(stallIntervals) nominal intervals instead, after which the loop,
 * which keeps its schedule (load start + k × interval), runs the cycles it missed back to back,
 * `catchUpS` apart (omit for no catch-up). Seeded: the same decision times for both algorithms.
 */
export interface DecisionTiming {
  seed: number;
  jitter: number;
  stallChance: number;
  stallIntervals: [number, number];
  catchUpS?: number;
}

export const JITTER: Omit<DecisionTiming, 'seed'> = { jitter: 0.5, stallChance: 0.06, stallIntervals: [2, 4], catchUpS: 1 };

export interface PlantOptions {
  name: string;
  curve: Curve;
  capacityLimited?: boolean;
  /** whole control intervals of extra measurement lag */
  lagIntervals?: number;
  intervalS: number;
  /** seeded noise: Poisson counting over the window plus this relative jitter (e.g. 0.02) */
  noise?: { seed: number; jitter: number };
  windowS?: number;
  cacheS?: number;
  /** irregular decision times (a 'jittered' plant) */
  timing?: DecisionTiming;
  /**
   * worker reports every this many seconds, like Locust's (3 s): the master's user count and request
   * stats are those of the last report, so the KPI's window ends up to this much earlier still
   */
  reportS?: number;
}

export function makePlant(o: PlantOptions): Plant {
  const windowS = o.windowS ?? 10;
  const cacheS = o.cacheS ?? 2;
  const rand = o.noise ? seededRandom(o.noise.seed) : null;
  const locustWindow = (usersBySecond: readonly number[], t: number): PlantReading | null => {
    const end = t - cacheS;
    if (end <= 0) return null;
    const start = Math.max(0, end - windowS);
    let opm = 0;
    let users = 0;
    for (let s = start; s < end; s++) {
      const u = usersBySecond[s] ?? 0;
      opm += o.curve.opm(u);
      users += u;
    }
    const n = end - start;
    const meanUsers = users / n;
    return { opm: opm / n, p99Ms: meanUsers > 0 ? o.curve.p99Ms(meanUsers) : null, errorRate: meanUsers > 0 ? o.curve.errorRate(meanUsers) : 0 };
  };
  return {
    name: o.name,
    capacityLimited: o.capacityLimited ?? false,
    ...(o.timing ? { timing: o.timing } : {}),
    ...(o.reportS ? { reportS: o.reportS } : {}),
    trueOpm: (u) => o.curve.opm(u),
    measure(usersBySecond, tNow) {
      const t = o.reportS ? Math.floor(tNow / o.reportS) * o.reportS : tNow;
      const lagS = (o.lagIntervals ?? 0) * o.intervalS;
      const base = t - lagS <= 0 ? (t > 0 ? { opm: 0, p99Ms: null, errorRate: 0 } : null) : locustWindow(usersBySecond, t - lagS);
      if (!base || !rand || !o.noise) return base;
      // orders counted in the window: Poisson(λ), normal approximation; then bursty jitter
      const lambda = (base.opm / 60) * windowS;
      const counted = Math.max(0, lambda + Math.sqrt(lambda) * gaussian(rand));
      const opm = (counted / windowS) * 60 * Math.max(0, 1 + o.noise.jitter * gaussian(rand));
      return { ...base, opm };
    },
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

/** the benchmark's plants (fresh instances: noisy plants restart their seeded noise) */
export function standardPlants(intervalS: number, seed = 42): Plant[] {
  return [
    makePlant({ name: 'constant', curve: constantCurve(6), intervalS }),
    makePlant({ name: 'saturating', curve: shopCurve(CAPACITY_DEMANDING), intervalS }),
    makePlant({ name: 'saturating-mild', curve: shopCurve(CAPACITY_MILD), intervalS }),
    makePlant({ name: 'lagged', curve: constantCurve(6), intervalS, lagIntervals: 2 }),
    makePlant({ name: 'noisy', curve: shopCurve(CAPACITY_DEMANDING), intervalS, noise: { seed, jitter: 0.02 } }),
    makePlant({ name: 'combined', curve: shopCurve(CAPACITY_DEMANDING), intervalS, lagIntervals: 1, noise: { seed: seed + 1000, jitter: 0.02 } }),
    makePlant({ name: 'capacity-below', curve: shopCurve(CAPACITY_BELOW), intervalS, capacityLimited: true }),
    // irregular control cycles (a loaded machine): same curves, decisions ±50 % late/early, stalls of 2–4 intervals
    makePlant({ name: 'constant-jittered', curve: constantCurve(6), intervalS, timing: { seed: seed + 2000, ...JITTER } }),
    makePlant({ name: 'saturating-jittered', curve: shopCurve(CAPACITY_DEMANDING), intervalS, timing: { seed: seed + 3000, ...JITTER } }),
    makePlant({ name: 'lagged-jittered', curve: constantCurve(6), intervalS, lagIntervals: 2, timing: { seed: seed + 4000, ...JITTER } }),
    makePlant({ name: 'noisy-jittered', curve: shopCurve(CAPACITY_DEMANDING), intervalS, noise: { seed: seed + 5000, jitter: 0.02 }, timing: { seed: seed + 6000, ...JITTER } }),
  ];
}
