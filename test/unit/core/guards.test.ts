import { describe, expect, it } from 'vitest';
import { Guards } from '../../../electron/core/rules/guards.ts';
import type { KpiSample } from '../../../electron/load/types.ts';
import { guardsSchema } from '../../../shared/spec/schema.ts';

// a KPI counted over a minute (Locust's counters read a control interval apart)
const s = (over: Partial<KpiSample> = {}): KpiSample => ({ t: 0, opm: 100, errorRate: 0, p99Ms: 100, users: 10, window: { from: 0, to: 60_000 }, ...over });
const guards = (input: Record<string, unknown> = {}) => new Guards(guardsSchema.parse(input));

describe('guards', () => {
  it('error rate trips at once without a grace period', () => {
    const g = guards({ maxErrorRate: 0.02 });
    expect(g.evaluate(s({ errorRate: 0.01 }), 0, 0).breach).toBeNull();
    const r = g.evaluate(s({ errorRate: 0.03 }), 15_000, 1);
    expect(r.breach).toMatchObject({ guard: 'maxErrorRate', state: 'breached', value: 0.03, limit: 0.02 });
    expect(r.breach!.message).toMatch(/error rate 3\.00% above 2\.00%/);
  });

  it('the error rate judged is the latest interval\'s where the KPI counts one, not its longer span', () => {
    const g = guards({ maxErrorRate: 0.05, gracePeriod: '30s' });
    // the span still carries errors the last interval no longer has: ok
    expect(g.evaluate(s({ errorRate: 0.08, recentErrorRate: 0.01 }), 0, 0).events).toEqual([]);
    // the latest interval over the limit: breaching, whatever the span says
    expect(g.evaluate(s({ errorRate: 0.02, recentErrorRate: 0.09 }), 20_000, 1).events.map((e) => [e.state, e.value])).toEqual([['breaching', 0.09]]);
  });

  it('p99 must stay above the limit for the whole grace period', () => {
    const g = guards({ maxP99Ms: 1000, gracePeriod: '60s' });
    const a = g.evaluate(s({ p99Ms: 1500 }), 0, 0);
    expect(a.events.map((e) => e.state)).toEqual(['breaching']);
    expect(a.breach).toBeNull();
    expect(g.evaluate(s({ p99Ms: 1500 }), 30_000, 1).breach).toBeNull();
    // recovers: back to ok, the clock restarts
    expect(g.evaluate(s({ p99Ms: 500 }), 45_000, 2).events.map((e) => e.state)).toEqual(['ok']);
    expect(g.evaluate(s({ p99Ms: 1500 }), 60_000, 3).breach).toBeNull();
    expect(g.evaluate(s({ p99Ms: 1500 }), 100_000, 4).breach).toBeNull();
    const r = g.evaluate(s({ p99Ms: 1600 }), 120_000, 5);
    expect(r.breach).toMatchObject({ guard: 'maxP99Ms', state: 'breached' });
    expect(r.breach!.message).toMatch(/p99 1600 ms above 1000 ms for 60s/);
  });

  it('stall: KPI at zero for N consecutive samples with users running, after the warm-up cycles', () => {
    const g = guards({ stallSamples: 3 });
    // warm-up cycles 0-2 do not count
    for (let c = 0; c < 3; c++) expect(g.evaluate(s({ opm: 0 }), c * 1000, c).breach).toBeNull();
    expect(g.evaluate(s({ opm: 0 }), 3000, 3).breach).toBeNull();
    expect(g.evaluate(s({ opm: 0 }), 4000, 4).breach).toBeNull();
    const r = g.evaluate(s({ opm: 0 }), 5000, 5);
    expect(r.breach).toMatchObject({ guard: 'stall', state: 'breached', value: 3, limit: 3 });
  });

  it('stall: a non-zero sample resets the streak; zero users do not count', () => {
    const g = guards({ stallSamples: 2 });
    g.evaluate(s({ opm: 0 }), 0, 5);
    g.evaluate(s({ opm: 10 }), 1, 6);
    expect(g.evaluate(s({ opm: 0 }), 2, 7).breach).toBeNull();
    expect(g.evaluate(s({ opm: 0, users: 0 }), 3, 8).breach).toBeNull();
    expect(g.evaluate(s({ opm: 0 }), 4, 9).breach).not.toBeNull();
  });

  it('stall: a single probing user that places no order is not a stalled shop (the baseline rule starts at 1 user)', () => {
    const g = guards({ stallSamples: 3 });
    for (let c = 0; c < 10; c++) expect(g.evaluate(s({ opm: 0, users: 1 }), c * 60_000, c).breach).toBeNull();
    // once orders were seen, zero orders where a few were expected count
    const h = guards({ stallSamples: 2 });
    h.evaluate(s({ opm: 60, users: 10 }), 0, 3);
    // 1 user at 6 orders per user a minute: 6 orders expected over the minute: a zero counts
    h.evaluate(s({ opm: 0, users: 1 }), 60_000, 4);
    expect(h.evaluate(s({ opm: 0, users: 1 }), 120_000, 5).breach).not.toBeNull();
    // over 10 s one user would place one order: a zero says nothing
    const k = guards({ stallSamples: 2 });
    k.evaluate(s({ opm: 60, users: 10 }), 0, 3);
    for (let c = 4; c < 8; c++) expect(k.evaluate(s({ opm: 0, users: 1, window: { from: 0, to: 10_000 } }), c * 10_000, c).breach).toBeNull();
  });

  it('a breached guard is latched and reported once', () => {
    const g = guards({ maxErrorRate: 0.01 });
    expect(g.evaluate(s({ errorRate: 0.5 }), 0, 0).events).toHaveLength(1);
    const again = g.evaluate(s({ errorRate: 0.5 }), 1, 1);
    expect(again.events).toHaveLength(0);
    expect(again.breach?.guard).toBe('maxErrorRate');
  });
});
