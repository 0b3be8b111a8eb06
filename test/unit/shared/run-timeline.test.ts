import { describe, expect, it } from 'vitest';
import { appStateWords, runningVersions, runTimeline, verdictWords } from '../../../shared/report/run-timeline.ts';
import { standInStatus, STAND_IN_PARITY } from '../main/stand-in-service.ts';

const load = { targetOpm: 1200, rampUpMs: 600_000, plateauMs: 600_000, controlIntervalMs: 15_000 };

describe('the run on one time axis', () => {
  it('spans the planned ramp and plateau from the start, before the load begins', () => {
    const tl = runTimeline(standInStatus({ state: 'running', phase: 'deploy', load, phases: [{ phase: 'deploy', startedAt: 40_000, state: 'running' }] }));
    expect(tl.spans).toEqual([
      { kind: 'ramp', from: 40_000, to: 640_000 },
      { kind: 'plateau', from: 640_000, to: 1_240_000 },
    ]);
    expect([tl.elapsed, tl.remaining]).toEqual([40_000, 1_200_000]);
  });

  it('marks phase changes, breaches, the knee, production drift and the abort, in time order; nothing remains once aborted', () => {
    const tl = runTimeline(
      standInStatus({
        state: 'aborting',
        load,
        phases: [
          { phase: 'validate', startedAt: 0, endedAt: 1000, state: 'done' },
          { phase: 'ramp', startedAt: 100_000, state: 'running' },
        ],
        guards: [
          { guard: 'maxP99Ms', state: 'breaching', value: 900, limit: 800, message: 'p99 900 ms above 800 ms', t: 300_000 },
          { guard: 'maxP99Ms', state: 'breached', value: 950, limit: 800, message: 'p99 950 ms above 800 ms for 30s', t: 330_000 },
          { guard: 'productionDrift', state: 'breaching', value: null, limit: null, message: 'checkout changed in production', t: 200_000 },
        ],
        knee: { users: 400, opm: 1000, p99Ms: 700, t: 250_000 },
        abort: { requestedAt: 330_000, reason: 'p99 950 ms above 800 ms for 30s', step: 'restoring' },
      }),
      320_000,
    );
    expect(tl.marks.map((m) => `${m.t / 1000} ${m.kind} ${m.label}`)).toEqual(['100 phase ramp', '200 drift production drift', '250 knee knee', '330 breach p99 breached', '330 abort abort']);
    expect(tl.spans[0]).toEqual({ kind: 'ramp', from: 100_000, to: 700_000 });
    expect(tl.remaining).toBeNull();
    expect(tl.elapsed).toBe(330_000);
  });

  it("names each app's version (overrides first) and its state in words; a pass with caveats says so", () => {
    expect(runningVersions([{ app: 'checkout', container: 'checkout-api', image: 'reg/checkout:feature', productionImage: 'shop/checkout-api:2.4.1', via: 'repository' }], STAND_IN_PARITY, 'checkout')).toEqual([{ container: 'checkout-api', image: 'reg/checkout:feature', override: true }]);
    expect(runningVersions([], STAND_IN_PARITY, 'checkout')).toEqual([{ container: 'checkout-api', image: 'shop/checkout-api:2.4.1', override: false }]);
    expect(appStateWords({ app: 'a', phase: 'restore', state: 'ready' })).toBe('restored');
    expect(appStateWords({ app: 'a', phase: 'scale', state: 'ready' })).toBe('ready');
    const apps = [{ app: 'ledger', phase: 'snapshot' as const, state: 'skipped' as const }];
    expect(verdictWords(standInStatus({ state: 'passed', apps, flags: ['ledger is missing in the test environment and was skipped', 'production changed mid-run'] }))).toEqual({
      status: 'passed',
      caveats: 'with 1 app skipped and 1 flag',
    });
    expect(verdictWords(standInStatus({ state: 'passed' })).caveats).toBeNull();
  });
});
