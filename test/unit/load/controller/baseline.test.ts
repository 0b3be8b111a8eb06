import { describe, expect, it } from 'vitest';
import { createController, MIN_SPAWN_RATE } from '../../../../electron/load/controller/index.ts';
import type { ControllerInput } from '../../../../electron/load/types.ts';

const spec = { algorithm: 'baseline' as const, targetOpm: 7200, rampUpMs: 1_800_000, controlIntervalMs: 60_000, maxUsers: 5000, maxSpawnRate: 100 };
const input = (over: Partial<ControllerInput>): ControllerInput => ({
  elapsedMs: 1_200_000,
  setpointOpm: 4800,
  targetOpm: 7200,
  measuredOpm: 400,
  users: 100,
  p99Ms: 120,
  errorRate: 0,
  remainingRampCycles: 10,
  ...over,
});

describe('baseline controller (the original rule)', () => {
  it('asks for users / OPM × target and spreads the difference over the remaining ramp cycles', () => {
    const c = createController(spec);
    expect(c.name).toBe('baseline');
    // 100 users give 400 OPM → 7200 needs 1800 users; 1700 more over 10 cycles of 60 s = 2.8333/s
    const d = c.decide(input({}));
    expect(d.users).toBe(1800);
    expect(d.spawnRate).toBeCloseTo(1700 / 600, 9);
  });

  it('rounds the user count and uses one cycle on the plateau', () => {
    const d = createController(spec).decide(input({ users: 1000, measuredOpm: 7000, remainingRampCycles: 0 }));
    expect(d.users).toBe(Math.round((1000 / 7000) * 7200)); // 1029
    expect(d.spawnRate).toBeCloseTo(29 / 60, 9);
  });

  it('sends 1 user at spawn rate 1 when users or OPM is 0 (or the KPI is missing)', () => {
    const c = createController(spec);
    expect(c.decide(input({ users: 0 }))).toMatchObject({ users: 1, spawnRate: 1 });
    expect(c.decide(input({ measuredOpm: 0 }))).toMatchObject({ users: 1, spawnRate: 1 });
    expect(c.decide(input({ measuredOpm: null }))).toMatchObject({ users: 1, spawnRate: 1 });
    expect(c.decide(input({ users: 0, measuredOpm: 0 }))).toMatchObject({ users: 1, spawnRate: 1 });
  });

  it('respects maxUsers and the spawn-rate cap, and never sends a spawn rate of 0', () => {
    const c = createController({ ...spec, maxUsers: 1000, maxSpawnRate: 2 });
    const d = c.decide(input({ remainingRampCycles: 1 }));
    expect(d.users).toBe(1000);
    expect(d.spawnRate).toBe(2);
    const same = c.decide(input({ users: 1800, measuredOpm: 7200, remainingRampCycles: 0 }));
    expect(same.spawnRate).toBeGreaterThanOrEqual(MIN_SPAWN_RATE);
  });
});
