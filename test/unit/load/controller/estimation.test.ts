import { describe, expect, it } from 'vitest';
import { PlantEstimator } from '../../../../electron/load/controller/estimator.ts';
import { OpmFilter, DEFAULT_FILTER } from '../../../../electron/load/controller/filter.ts';
import { MeasurementPairing } from '../../../../electron/load/controller/lag.ts';
import { ShopModel } from '../../../../electron/sandbox/shop-model.ts';
import { seededRandom } from '../../../bench/plants.ts';

describe('measurement pairing (in time)', () => {
  const opts = { maxLagMs: 180_000, windowMs: 10_000, delayMs: 2_000 };

  it('measures the lag as dead time in ms and pairs a sample with the users that were running then', () => {
    const p = new MeasurementPairing(opts);
    p.record(0, 0); // nothing running yet
    p.commanded(10, 10);
    p.record(60_000, 10); // 10 users in effect, KPI still 0
    p.commanded(40, 10);
    p.observeZero(60_000);
    p.record(120_000, 40); // KPI still 0
    p.commanded(100, 10);
    p.observeZero(120_000);
    p.record(180_000, 100); // the first orders show
    p.observePositive(180_000);
    expect(p.lagMs).toBe(120_000);
    // the sample at 180 s reflects [48 s, 58 s]: the 10 users commanded at 0
    expect(p.effectAt(180_000)?.users).toBeCloseTo(10, 9);
  });

  it('caps the lag and uses a stated lag as is', () => {
    const p = new MeasurementPairing({ ...opts, lagMs: 60_000 });
    p.record(0, 5);
    p.commanded(9, 1);
    p.record(60_000, 9);
    expect(p.lagMs).toBe(60_000);
    expect(p.effectAt(60_000)?.users).toBe(0); // before the first record: nothing
    expect(new MeasurementPairing({ ...opts, maxLagMs: 30_000, lagMs: 70_000 }).lagMs).toBe(30_000);
  });

  it('after back-to-back cycles pairs the stale sample with the users of before the last command, not with the users now', () => {
    const p = new MeasurementPairing({ ...opts, lagMs: 0 });
    p.record(0, 100);
    p.commanded(100, 1);
    p.record(60_000, 100); // a regular cycle: 100 users for a minute
    p.commanded(200, 100); // +100 users, spawned within a second
    p.record(61_000, 200); // a catch-up cycle one second later: the KPI still shows the 100
    const e = p.effectAt(61_000);
    expect(e?.users).toBeCloseTo(100, 9);
    expect(e?.max).toBe(100);
    // ten seconds on, the window [59 s, 69 s] is mostly the new users
    p.commanded(200, 1);
    p.record(71_000, 200);
    expect(p.effectAt(71_000)?.users ?? 0).toBeGreaterThan(180);
  });

  it('refines a dead time that a stall blurred, from how orders per user scale with the users', () => {
    // the KPI is 120 s late; the first cycle after the start is 75 s late, so the dead time reads 87 s
    const lagMs = 120_000;
    const p = new MeasurementPairing(opts);
    const plan: [number, number][] = [[0, 0], [75_000, 10], [162_000, 10], [218_000, 44], [285_000, 183], [325_000, 757], [360_000, 1474], [430_000, 1900]];
    const cmds = [10, 10, 44, 183, 757, 1474, 1900, 1900];
    // the readings: 6 orders per user over [t − 120 s − 12 s, t − 120 s − 2 s] of the true users-over-time
    const truth = new MeasurementPairing({ ...opts, lagMs });
    const reading = (t: number) => 6 * (truth.effectAt(t)?.users ?? 0);
    let changed = false;
    for (let i = 0; i < plan.length; i++) {
      const [t, u] = plan[i] ?? [0, 0];
      p.record(t, u);
      truth.record(t, u);
      const opm = reading(t);
      if (i === 1) {
        expect(opm).toBe(0);
        p.observeZero(t);
      }
      if (i === 2) {
        p.observePositive(t);
        expect(p.lagMs).toBe(87_000); // from the first decision that saw users: blurred by the stall
      }
      if (i >= 2) changed = p.addReading(t, opm) || changed;
      p.commanded(cmds[i] ?? 0, 50);
      truth.commanded(cmds[i] ?? 0, 50);
    }
    expect(changed).toBe(true);
    expect(Math.abs((p.lagMs ?? 0) - lagMs)).toBeLessThan(5_000);
  });
});

describe('plant estimator', () => {
  const opts = { windowPairs: 6, ratioDiscount: 0.7, minSlopeFraction: 0.05 };

  it('finds elasticity 1 on a constant-orders shop: the slope is the orders per user', () => {
    const e = new PlantEstimator(opts);
    for (const u of [50, 100, 150, 200, 250]) e.update({ users: u, opm: 6 * u });
    expect(e.ordersPerUser).toBeCloseTo(6, 9);
    expect(e.controlSlope()).toBeCloseTo(6, 6);
  });

  it('finds the marginal below the average on a saturating shop, and keeps it while users hold still', () => {
    const e = new PlantEstimator(opts);
    const f = (u: number) => 14_400 * (1 - Math.exp((-6 * u) / 14_400));
    for (let u = 1000; u <= 1500; u += 100) e.update({ users: u, opm: f(u) });
    const marginal = 6 * Math.exp((-6 * 1500) / 14_400);
    const s = e.controlSlope(f(1500) / 1500) ?? 0;
    // the window's elasticity is half a window behind a bending curve: a few % off, not the 30 %+ of a straight-line fit
    expect(Math.abs(s - marginal) / marginal).toBeLessThan(0.1);
    for (let i = 0; i < 10; i++) e.update({ users: 1500, opm: f(1500) });
    expect(Math.abs((e.controlSlope(f(1500) / 1500) ?? 0) - s) / s).toBeLessThan(0.05);
  });

  it('never hands out a slope near 0, even when OPM stops following', () => {
    const e = new PlantEstimator(opts);
    for (const u of [100, 200, 300]) e.update({ users: u, opm: 6 * u });
    for (const u of [400, 500, 600, 700, 800]) e.update({ users: u, opm: 1800 });
    const s = e.controlSlope() ?? 0;
    expect(s).toBeGreaterThanOrEqual(0.05 * 6 - 1e-9);
    expect(e.risingMarginal(1800 / 800)?.upper ?? 1).toBeLessThan(0.2 * 6);
  });
});

describe('OPM filter', () => {
  it('averages a noisy plateau far below the raw noise, and follows a noise-free ramp without lag', () => {
    const rand = seededRandom(3);
    const noisy = new OpmFilter(DEFAULT_FILTER, 60_000);
    let rawSq = 0;
    let filteredSq = 0;
    for (let i = 0; i < 400; i++) {
      const z = 7200 * (1 + 0.035 * (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3));
      const x = noisy.step(1600, z, 4.5, 1, 0);
      if (i < 50) continue;
      rawSq += (z - 7200) ** 2;
      filteredSq += (x - 7200) ** 2;
    }
    // white noise of 3.5 %: the filtered estimate's RMS error is under a third of the raw one's
    expect(Math.sqrt(filteredSq / rawSq)).toBeLessThan(1 / 3);

    const clean = new OpmFilter(DEFAULT_FILTER, 60_000);
    let last = 0;
    for (let u = 100; u <= 1500; u += 50) last = clean.step(u, 6 * u, 6, 1.5, 0);
    expect(Math.abs(last - 9000) / 9000).toBeLessThan(0.005);
  });

  it('does not take its catch-up after a change for noise, where readings share no orders; overlapping readings it learns from as before', () => {
    // 2 % noise, then orders rise 6 % a reading for four readings at the same users (pods arriving)
    const noiseAfter = (independent: boolean): { noise: number; changes: number } => {
      const rand = seededRandom(5);
      const f = new OpmFilter(DEFAULT_FILTER, 60_000);
      let level = 7200;
      let noise = 0;
      for (let i = 0; i < 37; i++) {
        if (i >= 30 && i < 34) level *= 1.06;
        f.step(1600, level * (1 + 0.02 * (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3)), 4.5, 1, 0, 60_000, 0.02, { independent });
        noise = f.relativeNoise;
      }
      return { noise, changes: f.changeCount };
    };
    const independent = noiseAfter(true);
    const overlapping = noiseAfter(false);
    expect(independent.changes).toBeGreaterThan(0);
    // learnt from, the catch-up's differences raise the noise to ~4 %: the filter would then average the next changes away
    expect(independent.noise).toBeLessThan(0.032);
    expect(overlapping.noise).toBeGreaterThan(0.035);
  });
});

describe('plant estimator high on a capacity curve', () => {
  // the sandbox shop with capacity 10,000 OPM (6 per user idle), errors included: the target 7,200 sits at ~2,230 users
  const shop = new ShopModel({ capacityOpm: 10_000, opmPerUserIdle: 6, baseLatencyMs: 40 });
  const f = (u: number) => shop.rates(u).ordersPerMinute;
  const trueMarginal = (u: number) => f(u + 1) - f(u);
  const opts = { windowPairs: 6, ratioDiscount: 0.7, minSlopeFraction: 0.05 };

  it('carries the elasticity along the curvature to the users in effect, so the slope does not go stale on the plateau', () => {
    const e = new PlantEstimator(opts);
    for (let u = 300; u <= 2100; u += 100) e.update({ users: u, opm: f(u) });
    for (let i = 0; i < 20; i++) e.update({ users: 2230, opm: f(2230) }); // the plateau: nothing to fit
    const ratio = f(2230) / 2230;
    const truth = trueMarginal(2230);
    const windowed = e.controlSlope(ratio) ?? 0; // the fits' elasticity as it is
    const carried = e.controlSlope(ratio, 2230) ?? 0;
    expect(e.curvature()).toBeLessThan(0);
    expect(Math.abs(carried - truth)).toBeLessThan(0.6 * Math.abs(windowed - truth));
    expect(carried).toBeGreaterThan(0.7 * windowed - 1e-9); // never more than 30 % below the fits
  });

  it('fits nothing through users that went down (the loop answering noise), and keeps the last elasticity', () => {
    const e = new PlantEstimator(opts);
    for (let u = 1000; u <= 1500; u += 100) e.update({ users: u, opm: f(u) });
    const before = e.controlSlope(f(1500) / 1500) ?? 0;
    const rand = seededRandom(3);
    // users wander ±8 % around 1,500 and the KPI is noisy: a fit here would be noise
    for (let i = 0; i < 12; i++) {
      const u = i === 0 ? 1380 : Math.round(1500 * (1 + (rand() - 0.5) * 0.16));
      e.update({ users: u, opm: f(u) * (1 + (rand() - 0.5) * 0.1) });
    }
    expect(e.controlSlope(f(1500) / 1500)).toBeCloseTo(before, 9);
  });
});
