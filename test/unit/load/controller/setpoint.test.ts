import { describe, expect, it } from 'vitest';
import { intervalReference, rampCycles, remainingRampCycles, setpointAt } from '../../../../electron/load/controller/setpoint.ts';

describe('setpoint', () => {
  it('ramps linearly from 0 to the target, then holds it', () => {
    expect(setpointAt(0, 7200, 1_800_000)).toBe(0);
    expect(setpointAt(-5, 7200, 1_800_000)).toBe(0);
    expect(setpointAt(600_000, 7200, 1_800_000)).toBe(2400);
    expect(setpointAt(900_000, 7200, 1_800_000)).toBe(3600);
    expect(setpointAt(1_800_000, 7200, 1_800_000)).toBe(7200);
    expect(setpointAt(5_000_000, 7200, 1_800_000)).toBe(7200);
  });

  it('counts ramp cycles and the cycles left', () => {
    expect(rampCycles(1_800_000, 60_000)).toBe(30);
    expect(rampCycles(1_800_000, 15_000)).toBe(120);
    expect(rampCycles(0, 60_000)).toBe(1);
    expect(remainingRampCycles(0, 1_800_000, 60_000)).toBe(30);
    expect(remainingRampCycles(1_740_000, 1_800_000, 60_000)).toBe(1);
    expect(remainingRampCycles(1_770_000, 1_800_000, 60_000)).toBe(1);
    expect(remainingRampCycles(1_800_000, 1_800_000, 60_000)).toBe(0);
  });

  it('averages the setpoint over the coming interval, including the one where the ramp ends', () => {
    expect(intervalReference(0, 7200, 1_800_000, 60_000)).toBeCloseTo(120, 9);
    expect(intervalReference(600_000, 7200, 1_800_000, 60_000)).toBeCloseTo(2520, 9);
    expect(intervalReference(1_800_000, 7200, 1_800_000, 60_000)).toBe(7200);
    // ramp ends 30 s into a 60 s interval: half of it averages (7080+7200)/2... exactly
    const r = intervalReference(1_770_000, 7200, 1_800_000, 60_000);
    expect(r).toBeCloseTo(((7080 + 7200) / 2) * 0.5 + 7200 * 0.5, 9);
  });
});
