import { describe, expect, it } from 'vitest';
import { computeVerdict, plateauStats } from '../../../electron/core/rules/verdict.ts';
import type { Sample } from '../../../shared/model/run.ts';
import { makeSpec } from './lifecycle-fakes.ts';

const spec = makeSpec(); // target 600 OPM, tolerance 5 %
const sample = (phase: 'ramp' | 'plateau', opm: number, p99 = 200, err = 0.01): Sample => ({ t: 0, phase, targetOpm: 600, setpointOpm: 600, actualOpm: opm, users: 10, spawnRate: 1, errorRate: err, p99Ms: p99 });
const plateau = (opm: number) => [sample('ramp', 100), ...Array.from({ length: 4 }, () => sample('plateau', opm))];

describe('verdict rules', () => {
  it('passes when the plateau mean is within tolerance and the restore completed', () => {
    const v = computeVerdict({ spec, samples: plateau(590), knee: null, outcome: { kind: 'completed' }, restoreComplete: true });
    expect(v).toMatchObject({ status: 'passed', reasons: [], plateauOpm: 590, targetOpm: 600, plateauP99Ms: 200, errorRate: 0.01, restoreComplete: true });
  });

  it('fails when the plateau mean misses the target by more than the tolerance', () => {
    const v = computeVerdict({ spec, samples: plateau(560), knee: null, outcome: { kind: 'completed' }, restoreComplete: true });
    expect(v.status).toBe('failed');
    expect(v.reasons).toEqual(['plateau mean 560 OPM is 6.7% from the target 600 OPM (tolerance 5%)']);
  });

  it('fails on a guard breach, a knee below the target, or an incomplete restore', () => {
    expect(computeVerdict({ spec, samples: plateau(600), knee: null, outcome: { kind: 'guard', reason: 'p99 too high' }, restoreComplete: true })).toMatchObject({ status: 'failed', reasons: ['guard breached: p99 too high'] });
    const knee = computeVerdict({ spec, samples: plateau(600), knee: { users: 50, opm: 400, p99Ms: 900, t: 1 }, outcome: { kind: 'completed' }, restoreComplete: true });
    expect(knee.status).toBe('failed');
    expect(knee.reasons[0]).toMatch(/capacity knee at 400 OPM \(50 users\) is below the target 600 OPM/);
    // a guard, not the shop, stopped the climb: said so, with the controller's reason
    const guarded = computeVerdict({ spec, samples: plateau(600), knee: { users: 74, opm: 379, p99Ms: 118, t: 1, byGuard: true, reason: 'p99 would pass 120 ms (the guard is 150 ms) beyond ~74 users' }, outcome: { kind: 'completed' }, restoreComplete: true });
    expect(guarded.status).toBe('failed');
    expect(guarded.reasons).toEqual(['the guards limit the load to 379 OPM (74 users), below the target 600 OPM: p99 would pass 120 ms (the guard is 150 ms) beyond ~74 users']);
    const restore = computeVerdict({ spec, samples: plateau(600), knee: null, outcome: { kind: 'completed' }, restoreComplete: false, restoreFailures: ['cart: HTTP 500'] });
    expect(restore).toMatchObject({ status: 'failed', restoreComplete: false });
    expect(restore.reasons[0]).toMatch(/^restore incomplete: cart: HTTP 500/);
  });

  it('no plateau sample is a failure, not a pass', () => {
    expect(computeVerdict({ spec, samples: [sample('ramp', 600)], knee: null, outcome: { kind: 'completed' }, restoreComplete: true }).reasons).toEqual(['no plateau sample was taken']);
  });

  it('a user abort is aborted, an exception is error — whatever the samples say', () => {
    expect(computeVerdict({ spec, samples: plateau(600), knee: null, outcome: { kind: 'aborted', reason: 'Ctrl-C' }, restoreComplete: true })).toMatchObject({ status: 'aborted', reasons: ['aborted: Ctrl-C'] });
    expect(computeVerdict({ spec, samples: [], knee: null, outcome: { kind: 'error', reason: 'rollout timed out' }, restoreComplete: true })).toMatchObject({ status: 'error', reasons: ['rollout timed out'] });
  });

  it('plateau stats: mean OPM and p99 over the plateau only; error rate over the ramp when there is no plateau', () => {
    expect(plateauStats([sample('ramp', 100, 5000, 0.5), sample('plateau', 600, 300), sample('plateau', 500, null as unknown as number)])).toEqual({ plateauOpm: 550, plateauP99Ms: 300, errorRate: 0.01 });
    expect(plateauStats([sample('ramp', 100, 200, 0.2)])).toEqual({ plateauOpm: null, plateauP99Ms: null, errorRate: 0.2 });
  });
});
