import { describe, expect, it } from 'vitest';
import { Guards } from '../../../electron/core/rules/guards.ts';
import type { KpiSample } from '../../../electron/load/types.ts';
import { guardsSchema } from '../../../shared/spec/schema.ts';

const s = (over: Partial<KpiSample> = {}): KpiSample => ({ t: 0, opm: 100, errorRate: 0, p99Ms: 100, users: 10, ...over });
const guards = (input: Record<string, unknown> = {}) => new Guards(guardsSchema.parse(input));

describe('guards', () => {
  it('error rate trips at once without a grace period', () => {
    const g = guards({ maxErrorRate: 0.02 });
    expect(g.evaluate(s({ errorRate: 0.01 }), 0, 0).breach).toBeNull();
    const r = g.evaluate(s({ errorRate: 0.03 }), 15_000, 1);
    expect(r.breach).toMatchObject({ guard: 'maxErrorRate', state: 'breached', value: 0.03, limit: 0.02 });
    expect(r.breach!.message).toMatch(/error rate 3\.00% above 2\.00%/);
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

  it('a breached guard is latched and reported once', () => {
    const g = guards({ maxErrorRate: 0.01 });
    expect(g.evaluate(s({ errorRate: 0.5 }), 0, 0).events).toHaveLength(1);
    const again = g.evaluate(s({ errorRate: 0.5 }), 1, 1);
    expect(again.events).toHaveLength(0);
    expect(again.breach?.guard).toBe('maxErrorRate');
  });
});
