import { describe, expect, it } from 'vitest';
import { LoadLimits, type LimitPair } from '../../../../electron/load/controller/limits.ts';

const ctx = { lightOrdersPerUser: 6, marginalOpm: null, relativeNoise: 0.02 };
const pair = (users: number, opm: number, errorRate = 0, extra: Partial<LimitPair> = {}): LimitPair => ({ t: 0, users, minUsers: users, opm, errorRate, p99Ms: 100, generatorCpuPct: null, ...extra });

/** a ramp on a linear shop: 6 orders per user */
function climb(l: LoadLimits, to: number, from = 100, step = 1.05): number {
  let u = from;
  while (u < to) {
    l.observe(pair(u, 6 * u), ctx, false);
    u = Math.round(u * step);
  }
  return u;
}

describe('knee hypotheses (limits.ts)', () => {
  it('a cliff: errors jump while orders stop following; it holds at the last clean point, not past the cliff', () => {
    const l = new LoadLimits({ maxErrorRate: 0.05 });
    climb(l, 800);
    l.observe(pair(800, 4800), ctx, false);
    expect(l.cap()).toBeNull();
    // 840 users: a checkout that takes 4,850 orders a minute refuses the rest
    l.observe(pair(840, 4850, 0.037), ctx, false);
    expect(l.holding).toMatchObject({ users: 800, opm: 4800 });
    expect(l.holding?.reason).toMatch(/a cliff: errors 0\.0 → 3\.7 %/);
    expect(l.cap()).toBe(800);
  });

  it('probes a bounded step after a few measurements at the hold, less often after a failed probe; a probe whose errors jump fails, a clean one that follows releases the climb in bounded steps', () => {
    const l = new LoadLimits({ maxErrorRate: 0.05 });
    climb(l, 800);
    l.observe(pair(800, 4800), ctx, false);
    l.observe(pair(840, 4850, 0.037), ctx, false);
    for (let i = 0; i < 3; i++) l.observe(pair(800, 4800), ctx, false);
    // after a cliff, a probe adds what the 5 % error guard absorbs: 4 %
    expect(l.cap()).toBe(832);
    l.observe(pair(832, 4850, 0.02), ctx, false);
    expect(l.cap()).toBe(800);
    expect(l.holding).not.toBeNull();
    // a knee that held on its probe is probed less often: after twice as many measurements
    for (let i = 0; i < 5; i++) l.observe(pair(800, 4800), ctx, false);
    expect(l.cap()).toBe(800);
    l.observe(pair(800, 4800), ctx, false);
    expect(l.cap()).toBe(832);
    // capacity came: the probe's orders follow, no errors
    l.observe(pair(832, 4992), ctx, false);
    expect(l.holding).toBeNull();
    const first = l.cap();
    expect(first).toBe(865);
    l.observe(pair(865, 5190), ctx, false);
    expect(l.cap()).toBeGreaterThan(first!);
    expect(l.cap()).toBeLessThanOrEqual(Math.round(865 * 1.04) + 1);
  });

  it('a p99 that does not rise with users (the service\'s own latency, under its guard) caps nothing, however near the guard', () => {
    const l = new LoadLimits({ maxP99Ms: 150 });
    // 120 ms at every load: past the 80 % margin of the guard from the first user on
    for (const [i, u] of [2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32].entries()) l.observe(pair(u, 6 * u, 0, { p99Ms: i % 2 ? 118 : 123 }), ctx, false);
    expect(l.cap()).toBeNull();
    // the same start, then p99 rising with users: capped before the guard
    const rising = new LoadLimits({ maxP99Ms: 150 });
    for (const u of [2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32]) rising.observe(pair(u, 6 * u, 0, { p99Ms: 60 * Math.sqrt(u / 2) }), ctx, false);
    expect(rising.cap()).not.toBeNull();
    expect(rising.cap()!).toBeLessThan(32);
  });

  it('errors that showed at the hold and cleared mean capacity came: it probes at once', () => {
    const l = new LoadLimits({ maxErrorRate: 0.05 });
    climb(l, 800);
    l.observe(pair(800, 4800), ctx, false);
    l.observe(pair(840, 4850, 0.037), ctx, false);
    l.observe(pair(800, 4750, 0.02), ctx, false);
    expect(l.cap()).toBe(800);
    l.observe(pair(800, 4800, 0.001), ctx, false);
    expect(l.cap()).toBe(832);
  });

  it('reports a knee only at the end of the ramp, while it still limits the load, and withdraws it when orders follow again', () => {
    const l = new LoadLimits({ maxErrorRate: 0.05 });
    climb(l, 800);
    l.observe(pair(800, 4800), ctx, false);
    l.observe(pair(840, 4850, 0.037), ctx, false);
    expect(l.verdict(false, true).report).toBeUndefined();
    expect(l.verdict(true, false).report).toBeUndefined();
    const v = l.verdict(true, true);
    expect(v.report).toMatchObject({ users: 800, opm: 4800 });
    expect(l.verdict(true, true).report).toBeUndefined();
    for (let i = 0; i < 3; i++) l.observe(pair(800, 4800), ctx, true);
    l.observe(pair(832, 4992), ctx, true);
    expect(l.verdict(true, false)).toMatchObject({ cleared: true });
  });

  it('keeps the error guard in sight: where errors rise smoothly with users, it caps the users where they would reach 80 % of the limit', () => {
    const l = new LoadLimits({ maxErrorRate: 0.05 });
    // errors rising ~0.1 points per 1 % more users from 0.6 % at 880 users to 3 % at 1,100 (seen
    // over 8 % of users and more: the shop's way, not a cliff's edge): the cap assumes at least
    // 0.15 points per 1 % (a guard is a hard limit), so 4 % is ~6.9 % further
    for (const [u, e] of [[880, 0], [900, 0.006], [920, 0.009], [940, 0.012], [960, 0.014], [980, 0.016], [1000, 0.02], [1020, 0.022], [1040, 0.024], [1060, 0.026], [1080, 0.028], [1100, 0.03]] as const)
      l.observe(pair(u, 6 * u * 0.9, e), ctx, false);
    const cap = l.cap()!;
    expect(cap).toBeGreaterThan(1100 * 1.06);
    expect(cap).toBeLessThan(1100 * 1.08);
    // errors that appeared only just now may be a cliff's edge: then the cap assumes the steepest rise
    const edge = new LoadLimits({ maxErrorRate: 0.05 });
    climb(edge, 1000);
    edge.observe(pair(1050, 6300, 0.02), ctx, false);
    expect(edge.cap()).toBeLessThan(1050 * 1.03);
    // binding from the ramp on to its end: the shop cannot give the target within the guard
    l.verdict(false, true);
    const v = l.verdict(true, true);
    expect(v.report?.reason).toMatch(/the error rate would pass 4\.0 % \(the guard is 5\.0 %\)/);
    expect(v.report?.byGuard).toBe(true);
    // a guard far from its limit caps nothing
    const far = new LoadLimits({ maxErrorRate: 0.05 });
    for (const u of [100, 120, 140, 160]) far.observe(pair(u, 6 * u, 0.002 * (u / 100)), ctx, false);
    expect(far.cap()).toBeNull();
  });

  it('a load generator at 90 % CPU is flagged and holds the users; no knee is looked for until it has room again', () => {
    const l = new LoadLimits({ maxErrorRate: 0.05 });
    climb(l, 800);
    l.observe(pair(900, 5400, 0, { generatorCpuPct: 93 }), ctx, false);
    expect(l.generatorSaturated).toBe(true);
    expect(l.cap()).toBe(900);
    // orders stop following (the generator, not the shop): still no knee
    l.observe(pair(900, 5000, 0.04, { generatorCpuPct: 97 }), ctx, false);
    expect(l.holding).toBeNull();
    expect(l.verdict(true, true).report).toBeUndefined();
    l.observe(pair(900, 5400, 0, { generatorCpuPct: 60 }), ctx, false);
    expect(l.generatorSaturated).toBe(false);
    expect(l.cap()).toBeNull();
  });
});
