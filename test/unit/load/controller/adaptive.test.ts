import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../../shared/model/errors.ts';
import { AdaptiveController, createController, type AdaptiveOptions } from '../../../../electron/load/controller/index.ts';
import { DEFAULT_GUARDS, metrics, REALISTIC, simulate, type SimConfig } from '../../../bench/controller-sim.ts';
import {
  CAPACITY_BELOW,
  CAPACITY_DEMANDING,
  cliffShop,
  CLIFF_CAPACITY,
  constantShop,
  JITTER,
  makePlant,
  modelShop,
  risingCapacityShop,
  scaledShop,
  standardPlants,
  driftingFactor,
  CAPACITY_MILD,
  type PlantOptions,
  type Shop,
} from '../../../bench/plants.ts';

/**
 * The adaptive controller on the benchmark's plants: a shop behind a distributed Locust, the KPI
 * counted from Locust's counters as the product reads it, the run's default guards judging every
 * sample (test/bench). Seeds are fixed: the same plant gives the same result every run.
 */
const specFor = (cfg: SimConfig, over: Partial<{ maxUsers: number; maxSpawnRate: number; algorithm: 'adaptive' | 'baseline' }> = {}) => ({
  algorithm: over.algorithm ?? ('adaptive' as const),
  targetOpm: cfg.targetOpm,
  rampUpMs: cfg.rampUpS * 1000,
  controlIntervalMs: cfg.intervalS * 1000,
  maxUsers: over.maxUsers ?? cfg.maxUsers,
  maxSpawnRate: over.maxSpawnRate ?? cfg.maxSpawnRate,
  maxErrorRate: DEFAULT_GUARDS.maxErrorRate,
});

const plant = (name: string, shop: Shop, seed: number, extra: Partial<PlantOptions> = {}, cfg: SimConfig = REALISTIC) =>
  makePlant({ name, shop, intervalS: cfg.intervalS, counting: { seed }, ...extra });

function run(p: ReturnType<typeof makePlant>, cfg: SimConfig = REALISTIC, adaptive: Partial<AdaptiveOptions> = {}, over: Parameters<typeof specFor>[1] = {}) {
  const controller = createController(specFor(cfg, over), { adaptive });
  const result = simulate(controller, p, { ...cfg, ...(over.maxUsers ? { maxUsers: over.maxUsers } : {}), ...(over.maxSpawnRate ? { maxSpawnRate: over.maxSpawnRate } : {}) });
  return { result, m: metrics(result, cfg) };
}

describe('adaptive controller on the counted KPI', () => {
  it('tracks the ramp and holds the plateau on a constant orders-per-user shop', () => {
    for (const seed of [1, 2, 3]) {
      const { m, result } = run(plant('constant', constantShop(6), seed));
      expect(m.plateauMeanAbsPct).toBeLessThan(0.6);
      expect(m.overshootPct).toBeLessThan(2.5);
      expect(m.rampRmsPct).toBeLessThan(2.5);
      expect(result.knee).toBeNull();
      expect(result.aborted).toBeNull();
    }
  });

  it('holds a target at 72 % of a saturating shop (2.8 % errors there) within 1 %, with no knee, at 60 s and 15 s intervals', () => {
    for (const intervalS of [60, 15]) {
      const cfg = { ...REALISTIC, intervalS };
      const { m, result } = run(plant('saturating', modelShop(CAPACITY_DEMANDING), 7, {}, cfg), cfg);
      expect(result.knee).toBeNull();
      expect(result.aborted).toBeNull();
      expect(result.cycles.some((c) => c.decision.knee !== undefined)).toBe(false);
      expect(m.plateauMeanAbsPct).toBeLessThan(1);
      // at 15 s a 40 s count overlaps the last two: one low reading can still carry an interval
      // 2–4 % above the target (seeds 1–12 at 15 s: docs/controller.md); at 60 s it stays within 2 %
      expect(m.overshootPct).toBeLessThan(intervalS === 60 ? 2 : 4);
    }
  });

  it('at a 20 s interval it climbs from the first 30 s count, though that count reaches back before the first users (it held them until t+80 s before)', () => {
    const cfg: SimConfig = { targetOpm: 2400, rampUpS: 240, plateauS: 120, intervalS: 20, maxUsers: 5000, maxSpawnRate: 40 };
    for (const seed of [1, 2, 3]) {
      const { result, m } = run(plant('constant', constantShop(15), seed, {}, cfg), cfg);
      const at = (s: number) => result.cycles.find((c) => c.t === s)!;
      // the first read comes as the load starts; at t+40 s a count spans [0, 40 s], 10 users in it since t+0
      expect(at(40).decision.users).toBeGreaterThan(2 * at(20).decision.users);
      // and the ramp is tracked from there: within 15 % of the setpoint by its second minute
      for (const c of result.cycles.filter((c) => c.t >= 120 && c.t < 240)) expect(Math.abs(c.opm - c.setpoint) / c.setpoint).toBeLessThan(0.15);
      // a two-minute plateau right after: settled within a few %
      expect(m.plateauMeanAbsPct).toBeLessThan(3);
    }
  });

  it('holds the plateau on a shop whose orders come two intervals after the users (dead time); the baseline rule oscillates there', () => {
    const p = () => plant('lagged', constantShop(6), 4, { lagIntervals: 2 });
    const { m } = run(p());
    expect(m.plateauMeanAbsPct).toBeLessThan(0.8);
    expect(m.overshootPct).toBeLessThan(3);
    const baseline = metrics(simulate(createController({ ...specFor(REALISTIC), algorithm: 'baseline' }), p(), REALISTIC), REALISTIC);
    expect(baseline.plateauMeanAbsPct).toBeGreaterThan(10 * m.plateauMeanAbsPct);
  });

  it('never exceeds maxUsers or the spawn-rate cap, even when the target needs more', () => {
    // 7,200 OPM at 6 per user needs 1,200 users; allow 800 and 3 users/s
    const { result } = run(plant('constant', constantShop(6), 1), REALISTIC, {}, { maxUsers: 800, maxSpawnRate: 3 });
    expect(result.maxUsers).toBeLessThanOrEqual(800);
    expect(result.maxSpawnRate).toBeLessThanOrEqual(3);
    expect(Math.max(...result.usersBySecond)).toBeLessThanOrEqual(800);
    expect(result.cycles.at(-1)?.users).toBe(800);
    for (const c of result.cycles) {
      expect(Number.isInteger(c.decision.users)).toBe(true);
      expect(c.decision.spawnRate).toBeGreaterThan(0);
    }
  });

  it('restarts from a few users when orders fall to 0, flags the stall, and is back on target by the end', () => {
    const base = constantShop(6);
    const down: Shop = { at: (u, t) => (t >= 2400 && t < 2700 ? { opm: 0, p99Ms: 120, errorRate: 0 } : base.at(u, t)) };
    const { result } = run(plant('stall', down, 3), { ...REALISTIC, guards: false });
    const stalled = result.cycles.filter((c) => c.decision.stalled);
    expect(stalled.length).toBeGreaterThan(0);
    expect(stalled[0]?.decision.users).toBeLessThanOrEqual(20);
    expect(stalled[0]?.decision.note).toMatch(/stalled/);
    for (const c of result.cycles) expect(Number.isFinite(c.decision.users) && Number.isFinite(c.decision.spawnRate)).toBe(true);
    for (const c of result.cycles.slice(-10)) expect(Math.abs(c.opm - 7200) / 7200).toBeLessThan(0.02);
  });

  it('treats a KPI that never shows orders as a stall instead of adding users', () => {
    const dead: Shop = { at: () => ({ opm: 0, p99Ms: 120, errorRate: 0 }) };
    const { result } = run(plant('dead', dead, 1), { ...REALISTIC, guards: false });
    expect(result.maxUsers).toBeLessThanOrEqual(20);
    expect(result.cycles.at(-1)?.decision.stalled).toBe(true);
  });

  it('recovers within a few intervals when orders per user drop by a fifth mid-plateau (a change, not noise)', () => {
    // the users needed grow by ~25 %: the filter must see a change, not average it away. When it
    // sees it depends on where the counting noise falls (two readings 9 % low are a change, one 9 %
    // low between two 6 % low may not be), so the recovery is judged over ten seeds: within three
    // intervals on nine of them, within five on every one (averaging it away takes 15 or more)
    const recovery: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const stepAt = REALISTIC.rampUpS + 1200;
      const { result } = run(plant('step', scaledShop(modelShop(CAPACITY_DEMANDING), (t) => (t >= stepAt ? 0.8 : 1)), seed));
      const after = result.cycles.filter((c) => c.t >= stepAt).slice(0, 12);
      const lastOff = after.map((c) => Math.abs(c.opm - 7200) / 7200 >= 0.03).lastIndexOf(true);
      recovery.push(lastOff + 1);
      expect(result.knee).toBeNull();
    }
    expect(Math.max(...recovery), `intervals to recover: ${recovery.join(', ')}`).toBeLessThanOrEqual(5);
    expect(recovery.filter((k) => k > 3).length, `intervals to recover: ${recovery.join(', ')}`).toBeLessThanOrEqual(1);
  });

  it('holds the noisy shops within half a percent on average: it learns how its own moves change the orders', () => {
    // the benchmark's noisy plants (counting noise and bursts, one with a one-interval lag), seeds 1–10:
    // the filter learns the factor the estimator's slope is off by (10–35 % high on a capacity curve),
    // so the plateau's small moves no longer shift its estimate; without it the mean was 0.68 % and 0.62 %
    for (const name of ['noisy', 'combined']) {
      const errors: number[] = [];
      for (let seed = 1; seed <= 10; seed++) {
        const p = standardPlants({ intervalS: REALISTIC.intervalS, seed, kpi: 'exact', totalS: REALISTIC.rampUpS + REALISTIC.plateauS, rampUpS: REALISTIC.rampUpS }).find((x) => x.name === name)!;
        const { m, result } = run(p);
        errors.push(m.plateauMeanAbsPct);
        expect(result.knee).toBeNull();
      }
      const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
      expect(mean, `${name}: ${errors.map((e) => e.toFixed(2)).join(', ')}`).toBeLessThan(0.55);
    }
  });

  it('never cuts the users by more than a quarter in one decision while orders per user drift', () => {
    for (const seed of [1, 2, 3]) {
      const { result } = run(plant('drifting', scaledShop(modelShop(CAPACITY_MILD), driftingFactor(seed, 5400)), seed));
      for (let i = 1; i < result.cycles.length; i++) {
        const before = result.cycles[i]!.input.users;
        if (before > 50) expect(result.cycles[i]!.decision.users).toBeGreaterThanOrEqual(Math.floor(0.75 * before) - 1);
      }
      expect(result.knee).toBeNull();
    }
  });

  it('rejects a bad spec with a LoadError naming the field and what was expected', () => {
    expect(() => createController({ ...specFor(REALISTIC), targetOpm: 0 })).toThrow(LoadError);
    expect(() => createController({ ...specFor(REALISTIC), targetOpm: 0 })).toThrow(/targetOpm must be a finite number of orders per minute > 0, got 0/);
    expect(() => createController({ ...specFor(REALISTIC), maxUsers: 1.5 })).toThrow(/maxUsers must be an integer ≥ 1/);
    expect(() => createController({ ...specFor(REALISTIC), maxSpawnRate: 0 })).toThrow(/maxSpawnRate/);
    expect(() => createController({ ...specFor(REALISTIC), controlIntervalMs: 10 })).toThrow(/controlIntervalMs/);
    expect(() => createController({ ...specFor(REALISTIC), maxErrorRate: 2 })).toThrow(/maxErrorRate must be a fraction/);
  });

  it('is deterministic: the same inputs give the same decisions', () => {
    const a = run(plant('noisy', modelShop(CAPACITY_MILD), 7, {}, REALISTIC));
    const b = run(plant('noisy', modelShop(CAPACITY_MILD), 7, {}, REALISTIC));
    expect(a.result.cycles.map((c) => [c.decision.users, c.decision.spawnRate])).toEqual(b.result.cycles.map((c) => [c.decision.users, c.decision.spawnRate]));
  });
});

describe('knees are hypotheses, and the guards are kept in sight', () => {
  it('a shop that cannot reach the target: a knee reported once, at the end of the ramp, within the error guard', () => {
    for (const seed of [1, 2, 3]) {
      const { result } = run(plant('capacity-below', modelShop(CAPACITY_BELOW), seed, { capacityLimited: true }));
      expect(result.aborted).toBeNull();
      expect(result.knee).not.toBeNull();
      expect(result.kneeReports).toBe(1);
      const at = result.cycles.findIndex((c) => c.decision.knee);
      // not before the end of the ramp: until then it is a hypothesis the controller keeps testing
      expect(result.cycles[at]!.t).toBeGreaterThanOrEqual(REALISTIC.rampUpS);
      // held where the errors stay below the guard's 5 %
      for (const c of result.cycles.slice(at)) expect(c.input.errorRate).toBeLessThan(DEFAULT_GUARDS.maxErrorRate);
      expect(result.knee!.opm).toBeGreaterThan(3500);
    }
  });

  it('a capacity cliff: the knee is held at the last point where orders followed users, not in the failing region', () => {
    for (const seed of [1, 2, 3]) {
      const { result } = run(plant('cliff', cliffShop(CLIFF_CAPACITY), seed, { capacityLimited: true }));
      expect(result.aborted).toBeNull();
      expect(result.knee).not.toBeNull();
      // at or below the cliff (5,000 OPM at 833 users): no failing orders there
      expect(result.knee!.users).toBeLessThanOrEqual(CLIFF_CAPACITY / 6 + 10);
      const plateau = result.cycles.filter((c) => c.t >= REALISTIC.rampUpS);
      const failing = plateau.filter((c) => c.input.errorRate > 0.02).length;
      // only the bounded probes past the cliff show failures
      expect(failing).toBeLessThan(plateau.length / 3);
      for (const c of plateau) expect(c.input.errorRate).toBeLessThan(DEFAULT_GUARDS.maxErrorRate);
    }
  });

  it('capacity that comes during the ramp (pods starting): the hypothesis is released, the climb resumes, no knee is reported', () => {
    for (const seed of [1, 2, 3]) {
      const shop = risingCapacityShop({ podCapacityOpm: 2_500, startPods: 2, maxPods: 5, firstAtS: 1200, everyS: 180, warmS: 60 });
      const { result, m } = run(plant('capacity-rising', shop, seed));
      expect(result.aborted).toBeNull();
      expect(result.knee).toBeNull();
      expect(m.plateauMeanAbsPct).toBeLessThan(1);
      // it did stop at the wall while only two pods served, and went on when more came
      expect(result.cycles.some((c) => /knee hypothesis|error rate would pass/.test(c.decision.note ?? '') || c.decision.users < c.input.users)).toBe(true);
    }
  });

  it('capacity arriving pod by pod does not carry the users past the target: the filter does not take its catch-up for noise', () => {
    // the benchmark's capacity-rising shop, seeds 1–10. When the filter learnt the noise from the
    // readings right after a declared change, it learnt 5–8 % (the counts' own noise is ~2.6 %),
    // took the later pods' orders for noise and ran past the target: overshoot above 2 % on 5 of
    // the 10 seeds (median 1.66 %), plateau up to 1.06 %
    const overshoots: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const p = standardPlants({ intervalS: REALISTIC.intervalS, seed, kpi: 'exact', totalS: REALISTIC.rampUpS + REALISTIC.plateauS, rampUpS: REALISTIC.rampUpS }).find((x) => x.name === 'capacity-rising')!;
      const { m, result } = run(p);
      expect(result.knee).toBeNull();
      expect(m.plateauMeanAbsPct, `seed ${seed}`).toBeLessThan(1);
      overshoots.push(m.overshootPct);
    }
    const text = overshoots.map((o) => o.toFixed(2)).join(', ');
    expect(overshoots.filter((o) => o <= 2).length, text).toBeGreaterThanOrEqual(9);
    expect([...overshoots].sort((a, b) => a - b)[4]!, text).toBeLessThan(1);
  });

  it('a saturated load generator (workers above 90 % CPU) is flagged, never reported as the shop\'s knee', () => {
    for (const seed of [1, 2]) {
      const { result } = run(plant('generator-saturated', constantShop(6), seed, { generator: { workers: 2, usersPerWorkerAtFull: 500 } }));
      expect(result.generatorSaturated).toBe(true);
      expect(result.knee).toBeNull();
      const flagged = result.cycles.find((c) => c.decision.generatorSaturated);
      expect(flagged?.decision.note).toMatch(/load generator is saturated/);
      // and the users are not pushed past what the workers can run
      expect(result.maxUsers).toBeLessThan(1000);
    }
  });

  it('without knee detection the same shop is pushed into overload until the error guard stops the run (so the tests above depend on it)', () => {
    const { result } = run(plant('capacity-below', modelShop(CAPACITY_BELOW), 1, { capacityLimited: true }), REALISTIC, { detectKnee: false });
    expect(result.knee).toBeNull();
    expect(result.aborted).toMatch(/maxErrorRate/);
  });
});

describe('adaptive controller on irregular control cycles (a loaded machine)', () => {
  // the sandbox example's load (examples/sandbox.yaml): 1,200 OPM, 10 min ramp, 10 min plateau, 15 s, spawn ≤ 10/s
  const SANDBOX: SimConfig = { targetOpm: 1200, rampUpS: 600, plateauS: 600, intervalS: 15, maxUsers: 5000, maxSpawnRate: 10 };

  it('holds the sandbox load on the decision times that made the cycle-counting controller overshoot 5× or stop at a false knee', () => {
    // seeds of the jittered timing (±50 %, stalls of 2–4 intervals, then the missed cycles back to back
    // 1 s apart) on which the controller that counted cycles failed: seed 35 climbed to 772 users
    // (overshoot 85 %), seeds 37 and 40 reported a knee at ~40 users and held there (plateau error 92 %)
    for (const seed of [35, 37, 40]) {
      for (const shop of [modelShop(3000), constantShop(6)]) {
        const p = makePlant({ name: 'jittered', shop, intervalS: 15, counting: { seed }, timing: { seed, ...JITTER } });
        const { m, result } = run(p, SANDBOX, {}, { maxSpawnRate: 10 });
        // 1,200 orders a minute read every 15 s on a loaded machine is a noisy KPI (a count spans
        // 40 s: ~6 % per reading, counting and report timing): no knee, no runaway, within a few %
        expect(result.knee).toBeNull();
        expect(m.plateauMeanAbsPct).toBeLessThan(3);
        expect(m.overshootPct).toBeLessThan(10);
        expect(result.maxUsers).toBeLessThan(300);
      }
    }
  });

  it('holds the last command on the back-to-back cycles after a stall: the same reading is not counted again', () => {
    // regular 15 s cycles, then a stall of 3 intervals at 120 s and the two missed cycles 1 s apart
    const times = [0, 15, 30, 45, 60, 75, 90, 105, 165, 166, 167];
    for (let t = 180; t < 1200; t += 15) times.push(t);
    const p = makePlant({ name: 'stall', shop: constantShop(6), intervalS: 15, counting: { seed: 5 } });
    const { result } = run(p, { ...SANDBOX, decisionTimesS: times });
    const late = result.cycles.findIndex((c) => c.t === 165);
    const [a, b, c] = [result.cycles[late], result.cycles[late + 1], result.cycles[late + 2]];
    expect(b?.decision.users).toBe(a?.decision.users);
    expect(c?.decision.users).toBe(a?.decision.users);
  });

  it('finds a two-interval dead time although stalls blur it at the start, and holds the plateau', () => {
    for (const seed of [10, 29, 32]) {
      const p = makePlant({ name: 'lagged-jittered', shop: constantShop(6), intervalS: 60, lagIntervals: 2, counting: { seed }, timing: { seed, ...JITTER } });
      const result = simulate(new AdaptiveController(specFor(REALISTIC)), p, REALISTIC);
      const m = metrics(result, REALISTIC);
      expect(m.overshootPct).toBeLessThan(3);
      expect(m.plateauMeanAbsPct).toBeLessThan(1.5);
    }
  });
});
