import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../../shared/model/errors.ts';
import { AdaptiveController, createController, type AdaptiveOptions } from '../../../../electron/load/controller/index.ts';
import { metrics, REALISTIC, simulate, type SimConfig } from '../../../bench/controller-sim.ts';
import { constantCurve, JITTER, makePlant, shopCurve, type Plant } from '../../../bench/plants.ts';

const specFor = (cfg: SimConfig, over: Partial<{ maxUsers: number; maxSpawnRate: number }> = {}) => ({
  algorithm: 'adaptive' as const,
  targetOpm: cfg.targetOpm,
  rampUpMs: cfg.rampUpS * 1000,
  controlIntervalMs: cfg.intervalS * 1000,
  maxUsers: over.maxUsers ?? cfg.maxUsers,
  maxSpawnRate: over.maxSpawnRate ?? cfg.maxSpawnRate,
});

function run(plant: Plant, cfg: SimConfig = REALISTIC, adaptive: Partial<AdaptiveOptions> = {}, over: Partial<{ maxUsers: number; maxSpawnRate: number }> = {}) {
  const controller = createController(specFor(cfg, over), { adaptive });
  const result = simulate(controller, plant, { ...cfg, ...over });
  return { result, m: metrics(result, { ...cfg, ...over }) };
}

describe('adaptive controller', () => {
  it('tracks the ramp and holds the plateau on a constant orders-per-user shop', () => {
    const { m } = run(makePlant({ name: 'constant', curve: constantCurve(6), intervalS: 60 }));
    expect(m.plateauMeanAbsPct).toBeLessThan(0.2);
    expect(m.overshootPct).toBeLessThan(1);
    expect(m.rampRmsPct).toBeLessThan(1.5);
    expect(m.settleCycles).toBe(0);
  });

  it('holds the plateau within 1 % on a saturating shop, at 60 s and at 15 s intervals', () => {
    for (const intervalS of [60, 15]) {
      const { m } = run(makePlant({ name: 'saturating', curve: shopCurve(14_400), intervalS }), { ...REALISTIC, intervalS });
      expect(m.plateauMeanAbsPct).toBeLessThan(1);
      expect(m.overshootPct).toBeLessThan(2);
      expect(m.rampRmsPct).toBeLessThan(1.5);
    }
  });

  it('holds a target at 72 % of a saturating shop within 1 % and reports no knee, at 60 s and at 15 s intervals', () => {
    // capacity 10,000 OPM for 7,200: orders per user at the target are ~53 % of idle, an added user
    // is worth ~19 % of an idle one, p99 is ~4 × idle and ~2.8 % of requests fail — a loaded shop
    // that can still carry the target. The knee rules used to fire here (error rate up 1 point) and
    // held the load at ~6,770 OPM (plateau error 5.9 %).
    const shop = shopCurve(10_000);
    expect(shop.errorRate(2250)).toBeGreaterThan(0.02);
    for (const intervalS of [60, 15]) {
      const { m, result } = run(makePlant({ name: 'saturating-72', curve: shop, intervalS }), { ...REALISTIC, intervalS });
      expect(result.knee).toBeNull();
      expect(result.cycles.some((c) => c.decision.knee !== undefined)).toBe(false);
      expect(m.plateauMeanAbsPct).toBeLessThan(1);
      expect(m.overshootPct).toBeLessThan(2);
      expect(m.settleCycles).not.toBeNull();
      // and every plateau cycle from the 5th on is within 1 % of the target
      for (const c of result.cycles.filter((x) => x.t >= REALISTIC.rampUpS + 5 * intervalS)) expect(Math.abs(c.opm - 7200) / 7200).toBeLessThan(0.01);
    }
  });

  it('reports no knee on a noisy KPI from a shop at 72 % of its capacity (seeds 1–5)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { m, result } = run(makePlant({ name: 'noisy-72', curve: shopCurve(10_000), intervalS: 60, noise: { seed, jitter: 0.02 } }));
      expect(result.knee).toBeNull();
      expect(m.plateauMeanAbsPct).toBeLessThan(2.5);
    }
  });

  it('measures a two-interval KPI lag and still holds the plateau without overshoot', () => {
    const { m, result } = run(makePlant({ name: 'lagged', curve: constantCurve(6), intervalS: 60, lagIntervals: 2 }));
    expect(m.plateauMeanAbsPct).toBeLessThan(0.5);
    expect(m.overshootPct).toBeLessThan(2);
    // the baseline on the same plant oscillates: the lag handling is what makes the difference
    const baseline = simulate(createController({ ...specFor(REALISTIC), algorithm: 'baseline' }), makePlant({ name: 'lagged', curve: constantCurve(6), intervalS: 60, lagIntervals: 2 }), REALISTIC);
    expect(metrics(baseline, REALISTIC).plateauMeanAbsPct).toBeGreaterThan(10 * Math.max(0.01, m.plateauMeanAbsPct));
    expect(result.cycles.every((c) => Number.isFinite(c.decision.users))).toBe(true);
  });

  it('never exceeds maxUsers or the spawn-rate cap, even when the target needs more', () => {
    // 7,200 OPM at 6 per user needs 1,200 users; allow 800 and 3 users/s
    const { result } = run(makePlant({ name: 'constant', curve: constantCurve(6), intervalS: 60 }), REALISTIC, {}, { maxUsers: 800, maxSpawnRate: 3 });
    expect(result.maxUsers).toBeLessThanOrEqual(800);
    expect(result.maxSpawnRate).toBeLessThanOrEqual(3);
    expect(Math.max(...result.usersBySecond)).toBeLessThanOrEqual(800);
    expect(result.cycles.at(-1)?.users).toBe(800);
    for (const c of result.cycles) {
      expect(Number.isInteger(c.decision.users)).toBe(true);
      expect(c.decision.spawnRate).toBeGreaterThan(0);
    }
  });

  it('restarts from a small user count when OPM falls to 0, flags the stall, and recovers without NaN or Infinity', () => {
    const shop = constantCurve(6);
    const down = (t: number) => t >= 2400 && t < 2700; // the shop answers nothing for 5 minutes
    const base = makePlant({ name: 'stall', curve: shop, intervalS: 60 });
    const plant: Plant = {
      name: 'stall',
      capacityLimited: false,
      trueOpm: (u) => shop.opm(u),
      measure: (h, t) => (down(t - 1) ? { opm: 0, p99Ms: null, errorRate: 1 } : base.measure(h, t)),
    };
    const { result } = run(plant);
    const stalled = result.cycles.filter((c) => c.decision.stalled);
    expect(stalled.length).toBeGreaterThan(0);
    const first = stalled[0];
    expect(first?.decision.users).toBeLessThanOrEqual(20);
    expect(first?.decision.note).toMatch(/stalled/);
    for (const c of result.cycles) {
      expect(Number.isFinite(c.decision.users)).toBe(true);
      expect(Number.isFinite(c.decision.spawnRate)).toBe(true);
    }
    // back on target by the end of the plateau
    const last = result.cycles.slice(-10);
    for (const c of last) expect(Math.abs(c.opm - 7200) / 7200).toBeLessThan(0.01);
  });

  it('recovers on a noisy KPI when orders per user drop by a sixth mid-plateau (the filter sees a bias, not noise)', () => {
    for (const seed of [1, 2, 3]) {
      let cycleStart = 0;
      const opu = (t: number) => (t >= 3600 ? 5 : 6);
      const curve = { opm: (u: number) => u * opu(cycleStart), p99Ms: () => 120, errorRate: () => 0 };
      const inner = makePlant({ name: 'step', curve, intervalS: 60, noise: { seed, jitter: 0.02 } });
      const plant: Plant = {
        name: 'step',
        capacityLimited: false,
        trueOpm: (u) => u * opu(cycleStart),
        measure: (h, t) => {
          cycleStart = t - 2; // the Locust window ends 2 s before the sample
          const r = inner.measure(h, t);
          cycleStart = t;
          return r;
        },
      };
      const { result } = run(plant);
      const after = result.cycles.filter((c) => c.t >= 3600);
      // 1,440 users now give 7,200 × 5/6: the controller must add ~20 % users, not average it away as noise
      const err = (i: number) => Math.abs((after[i]?.opm ?? 0) - 7200) / 7200;
      expect(Math.max(err(8), err(9), err(10))).toBeLessThan(0.03);
    }
  });

  it('treats a KPI that never shows orders as a stall instead of adding users', () => {
    const plant: Plant = { name: 'dead', capacityLimited: false, trueOpm: () => 0, measure: (_h, t) => (t > 0 ? { opm: 0, p99Ms: null, errorRate: 0 } : null) };
    const { result } = run(plant);
    expect(result.maxUsers).toBeLessThanOrEqual(20);
    expect(result.cycles.at(-1)?.decision.stalled).toBe(true);
  });

  it('finds the knee on a shop whose capacity is below the target, reports it once and stops adding users', () => {
    const plant = () => makePlant({ name: 'capacity-below', curve: shopCurve(6000), intervalS: 60, capacityLimited: true });
    const { result } = run(plant());
    expect(result.knee).not.toBeNull();
    expect(result.kneeReports).toBe(1);
    const knee = result.knee;
    if (!knee) return;
    // the knee is where the shop bends: well below its asymptote, with latency already up
    expect(knee.opm).toBeGreaterThan(3000);
    expect(knee.opm).toBeLessThan(5000);
    expect(knee.p99Ms).toBeGreaterThan(120);
    expect(Number.isInteger(knee.users)).toBe(true); // a user count, though the pairing averages users over the KPI window
    const kneeAt = result.cycles.findIndex((c) => c.decision.knee);
    const after = result.cycles.slice(kneeAt + 1);
    expect(after.length).toBeGreaterThan(30);
    expect(Math.max(...after.map((c) => c.decision.users))).toBeLessThanOrEqual(knee.users);
    expect(new Set(after.slice(2).map((c) => c.decision.users)).size).toBe(1);
  });

  it('without knee detection the same shop is pushed into overload (so the test above depends on it)', () => {
    const { result } = run(makePlant({ name: 'capacity-below', curve: shopCurve(6000), intervalS: 60, capacityLimited: true }), REALISTIC, { detectKnee: false });
    expect(result.knee).toBeNull();
    expect(result.cycles.at(-1)?.decision.users ?? 0).toBeGreaterThan(2000);
  });

  it('rejects a bad spec with a LoadError naming the field and what was expected', () => {
    expect(() => createController({ ...specFor(REALISTIC), targetOpm: 0 })).toThrow(LoadError);
    expect(() => createController({ ...specFor(REALISTIC), targetOpm: 0 })).toThrow(/targetOpm must be a finite number of orders per minute > 0, got 0/);
    expect(() => createController({ ...specFor(REALISTIC), maxUsers: 1.5 })).toThrow(/maxUsers must be an integer ≥ 1/);
    expect(() => createController({ ...specFor(REALISTIC), maxSpawnRate: 0 })).toThrow(/maxSpawnRate/);
    expect(() => createController({ ...specFor(REALISTIC), controlIntervalMs: 10 })).toThrow(/controlIntervalMs/);
  });

  it('is deterministic: the same inputs give the same decisions', () => {
    const a = run(makePlant({ name: 'noisy', curve: shopCurve(14_400), intervalS: 60, noise: { seed: 7, jitter: 0.02 } }));
    const b = run(makePlant({ name: 'noisy', curve: shopCurve(14_400), intervalS: 60, noise: { seed: 7, jitter: 0.02 } }));
    expect(a.result.cycles.map((c) => [c.decision.users, c.decision.spawnRate])).toEqual(b.result.cycles.map((c) => [c.decision.users, c.decision.spawnRate]));
  });
});

describe('adaptive controller on irregular control cycles (a loaded machine)', () => {
  // the sandbox example's load (examples/sandbox.yaml): 1,200 OPM, 10 min ramp, 10 min plateau, 15 s, spawn ≤ 10/s
  const SANDBOX: SimConfig = { targetOpm: 1200, rampUpS: 600, plateauS: 600, intervalS: 15, maxUsers: 5000, maxSpawnRate: 10 };
  const sandboxShop = () => shopCurve(3000); // the sandbox's shop model: 1,200 OPM need ~255 users

  it('holds the sandbox load on the decision times that made the cycle-counting controller overshoot 5× or stop at a false knee', () => {
    // seeds of the jittered timing (±50 %, stalls of 2–4 intervals, then the missed cycles back to back
    // 1 s apart) on which the controller that counted cycles failed: seed 35 climbed to 772 users
    // (overshoot 85 %), seeds 37 and 40 reported a knee at ~40 users and held there (plateau error 92 %)
    for (const seed of [35, 37, 40]) {
      for (const curve of [sandboxShop(), constantCurve(6)]) {
        const plant = makePlant({ name: 'jittered', curve, intervalS: 15, timing: { seed, ...JITTER } });
        const { m, result } = run(plant, SANDBOX, {}, { maxSpawnRate: 10 });
        expect(result.knee).toBeNull();
        expect(m.plateauMeanAbsPct).toBeLessThan(1);
        expect(m.overshootPct).toBeLessThan(2);
        expect(result.maxUsers).toBeLessThan(300);
      }
    }
  });

  it('holds the last command on the back-to-back cycles after a stall: the same stale reading is not counted again', () => {
    // regular 15 s cycles, then a stall of 3 intervals at 120 s and the two missed cycles 1 s apart
    const times = [0, 15, 30, 45, 60, 75, 90, 105, 165, 166, 167];
    for (let t = 180; t < 1200; t += 15) times.push(t);
    const plant = makePlant({ name: 'stall', curve: constantCurve(6), intervalS: 15 });
    const { m, result } = run(plant, { ...SANDBOX, decisionTimesS: times });
    const late = result.cycles.findIndex((c) => c.t === 165);
    const [a, b, c] = [result.cycles[late], result.cycles[late + 1], result.cycles[late + 2]];
    expect(b?.decision.users).toBe(a?.decision.users);
    expect(c?.decision.users).toBe(a?.decision.users);
    // the users Locust reports grow between them (it is still spawning), the command does not
    expect(c?.input.users ?? 0).toBeGreaterThan(a?.input.users ?? 0);
    expect(m.overshootPct).toBeLessThan(2);
    expect(m.plateauMeanAbsPct).toBeLessThan(1);
  });

  it('finds a two-interval KPI lag although stalls blur the dead time at the start, and holds the plateau', () => {
    // the KPI is 120 s late; on these seeds the first cycles are late (the first after the start by
    // 75–85 s), so the dead time from the first decision that saw users reads 78–106 s
    for (const seed of [10, 29, 32]) {
      const plant = makePlant({ name: 'lagged-jittered', curve: constantCurve(6), intervalS: 60, lagIntervals: 2, timing: { seed, ...JITTER } });
      const controller = new AdaptiveController(specFor(REALISTIC));
      const result = simulate(controller, plant, REALISTIC);
      const m = metrics(result, REALISTIC);
      expect(m.overshootPct).toBeLessThan(2);
      expect(m.plateauMeanAbsPct).toBeLessThan(1);
    }
  });
});
