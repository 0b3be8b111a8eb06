import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareRuns, previousComparable, RunHistory } from '../../../electron/core/records/history.ts';
import type { RunReport, RunSummary, Verdict } from '../../../shared/model/run.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-history-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function report(runId: string, startedAt: string, v: Partial<Verdict>, specName = 'checkout-peak'): RunReport {
  const verdict: Verdict = { status: 'passed', reasons: [], plateauOpm: 1000, targetOpm: 1000, plateauP99Ms: 200, errorRate: 0.01, knee: null, restoreComplete: true, ...v };
  return {
    runId,
    specName,
    spec: {},
    startedAt,
    endedAt: startedAt,
    status: { runId, specName, state: verdict.status, phase: 'verdict', startedAt, timeScale: 1, phases: [], apps: [], samples: [], guards: [], knee: null, abort: null, verdict, testEnvironment: 't', flags: [] },
    parityBefore: null,
    parityAfter: null,
    verdict,
  };
}

const summary = (over: Partial<RunSummary>): RunSummary => ({ runId: 'x', specName: 's', startedAt: '', endedAt: '', verdict: 'passed', plateauOpm: 1000, targetOpm: 1000, plateauP99Ms: 200, errorRate: 0.01, regression: [], ...over });

describe('run history', () => {
  it('stores, lists newest first (per spec), gets and compares runs', async () => {
    const h = new RunHistory(dataDir);
    await h.save(report('r1', '2026-01-01T00:00:00Z', {}));
    await h.save(report('r2', '2026-01-02T00:00:00Z', { plateauOpm: 1010 }));
    await h.save(report('o1', '2026-01-03T00:00:00Z', {}, 'other-spec'));
    expect((await h.list()).map((s) => s.runId)).toEqual(['o1', 'r2', 'r1']);
    expect((await h.list('checkout-peak')).map((s) => s.runId)).toEqual(['r2', 'r1']);
    expect((await h.get('r1')).verdict.plateauOpm).toBe(1000);
    const cmp = await h.compare('r1', 'r2');
    expect(cmp.deltas.plateauOpmPct).toBeCloseTo(1, 5);
    expect(cmp.regressions).toEqual([]);
  });

  it('flags a regression against the previous run of the same spec', async () => {
    const h = new RunHistory(dataDir);
    await h.save(report('r1', '2026-01-01T00:00:00Z', {}));
    await h.save(report('x1', '2026-01-01T12:00:00Z', { plateauOpm: 10 }, 'other-spec'));
    const s = await h.save(report('r2', '2026-01-02T00:00:00Z', { plateauOpm: 900, plateauP99Ms: 300 }));
    expect(s.regression).toEqual(['plateau OPM -10.0% vs run r1 (1000 → 900)', 'plateau p99 +50.0% vs run r1 (200 → 300 ms)']);
    expect((await h.get('r2')).regressions).toEqual(s.regression);
    expect((await h.list('checkout-peak'))[0]!.regression).toHaveLength(2);
  });

  it('thresholds: −5 % OPM and +20 % p99 are still fine; error rate must rise by half and half a point', () => {
    expect(compareRuns(summary({}), summary({ plateauOpm: 951, plateauP99Ms: 239 })).regressions).toEqual([]);
    expect(compareRuns(summary({ errorRate: 0.01 }), summary({ errorRate: 0.014 })).regressions).toEqual([]);
    expect(compareRuns(summary({ errorRate: 0.01 }), summary({ errorRate: 0.02 })).regressions[0]).toMatch(/error rate 1\.00% → 2\.00%/);
    expect(compareRuns(summary({ plateauOpm: null }), summary({})).deltas.plateauOpmPct).toBeNull();
  });

  it('an unknown run is NOT_FOUND', async () => {
    await expect(new RunHistory(dataDir).get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(new RunHistory(dataDir).compare('a', 'b')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('runs with different targets compare how much of the target each reached, not raw OPM', () => {
    // the target was lowered and reached: no regression
    expect(compareRuns(summary({ plateauOpm: 1000, targetOpm: 1000 }), summary({ plateauOpm: 600, targetOpm: 600 })).regressions).toEqual([]);
    // the target was raised and only 80 % of it reached: a regression, even though OPM went up
    expect(compareRuns(summary({ plateauOpm: 1000, targetOpm: 1000 }), summary({ plateauOpm: 1600, targetOpm: 2000 })).regressions[0]).toMatch(
      /plateau reached 80\.0% of its target \(1600 of 2000 OPM\) vs 100\.0% in run x/,
    );
  });

  it('an aborted or errored run is never the baseline, and is not itself flagged', async () => {
    const h = new RunHistory(dataDir);
    await h.save(report('r1', '2026-01-01T00:00:00Z', {}));
    await h.save(report('ab', '2026-01-02T00:00:00Z', { status: 'aborted', plateauOpm: 2000 }));
    const aborted = await h.save(report('ab2', '2026-01-02T12:00:00Z', { status: 'aborted', plateauOpm: 100 }));
    expect(aborted.regression).toEqual([]);
    const s = await h.save(report('r2', '2026-01-03T00:00:00Z', { plateauOpm: 990 }));
    expect(s.regression).toEqual([]); // vs r1 (1000), not vs the aborted run's 2000
    expect(previousComparable(await h.list('checkout-peak'), s)?.runId).toBe('r1');
  });

  it('a summary names its baseline, the overrides, who started the run, the skipped apps and the flags', async () => {
    const h = new RunHistory(dataDir);
    await h.save(report('r1', '2026-01-01T00:00:00Z', {}));
    const r2 = report('r2', '2026-01-02T00:00:00Z', {});
    r2.status.overrides = [{ app: 'checkout', container: 'checkout', image: 'registry.example/checkout:feature-x', productionImage: 'registry.example/checkout:2.0', via: 'repository' }];
    r2.status.trigger = { source: 'manual', summary: 'started from the cockpit or the API of conductor serve' };
    r2.status.apps = [
      { app: 'checkout', phase: 'restore', state: 'ready' },
      { app: 'ledger', phase: 'snapshot', state: 'skipped', reason: 'missing in test' },
    ];
    r2.status.flags = ['ledger is missing in the test environment and was skipped'];
    const s = await h.save(r2);
    expect(s).toMatchObject({ baselineRunId: 'r1', overrides: r2.status.overrides, trigger: r2.status.trigger, skipped: ['ledger'], flags: r2.status.flags });
    expect((await h.list())[0]).toMatchObject({ runId: 'r2', baselineRunId: 'r1', skipped: ['ledger'] });
    const aborted = await h.save(report('ab', '2026-01-03T00:00:00Z', { status: 'aborted' }));
    expect(aborted.baselineRunId).toBeNull();
  });
});
