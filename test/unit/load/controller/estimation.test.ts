import { describe, expect, it } from 'vitest';
import { PlantEstimator } from '../../../../electron/load/controller/estimator.ts';
import { OpmFilter, DEFAULT_FILTER } from '../../../../electron/load/controller/filter.ts';
import { MeasurementPairing } from '../../../../electron/load/controller/lag.ts';
import { ShopModel } from '../../../../electron/sandbox/shop-model.ts';
import { seededRandom } from '../../../bench/plants.ts';

describe('measurement pairing', () => {
  it('measures the lag as dead time and pairs a sample with the users of that many cycles ago', () => {
    const p = new MeasurementPairing(3);
    p.record(0); // cycle 0: nothing running yet
    p.record(10); // cycle 1: 10 users in effect, KPI still 0
    p.record(40); // cycle 2: KPI still 0
    const c = p.record(100); // cycle 3: the first orders show
    p.observePositive(c);
    expect(p.lagCycles).toBe(2);
    expect(p.usersInEffect(c)).toBe(10);
  });

  it('caps the lag and uses a stated lag as is', () => {
    const p = new MeasurementPairing(3, 1);
    p.record(5);
    p.record(9);
    expect(p.lagCycles).toBe(1);
    expect(p.usersInEffect(1)).toBe(5);
    expect(new MeasurementPairing(2, 7).lagCycles).toBe(2);
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
