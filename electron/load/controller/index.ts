/**
 * The closed-loop orders-per-minute controller. `createController(spec)` returns a pure,
 * deterministic `Controller`: no timers, the caller calls `decide()` once per control interval.
 */
import type { LoadTest } from '../../../shared/spec/schema.ts';
import type { Controller } from '../types.ts';
import { AdaptiveController, type AdaptiveOptions } from './adaptive.ts';
import { BaselineController } from './baseline.ts';
import { validateControllerSpec, type ControllerSpec } from './spec.ts';

export type { ControllerSpec } from './spec.ts';
export type { AdaptiveOptions } from './adaptive.ts';
export type { Knee, KneeOptions } from './knee.ts';
export { AdaptiveController, DEFAULT_ADAPTIVE } from './adaptive.ts';
export { BaselineController } from './baseline.ts';
export { DEFAULT_KNEE } from './knee.ts';
export { MIN_SPAWN_RATE, validateControllerSpec } from './spec.ts';
export { intervalReference, rampCycles, remainingRampCycles, setpointAt } from './setpoint.ts';

export interface ControllerDeps {
  /** tuning of the adaptive controller (defaults are what the benchmark measures) */
  adaptive?: Partial<AdaptiveOptions>;
}

export function createController(spec: ControllerSpec, deps: ControllerDeps = {}): Controller {
  validateControllerSpec(spec);
  return spec.algorithm === 'baseline' ? new BaselineController(spec) : new AdaptiveController(spec, deps.adaptive);
}

/** The controller a LoadTest spec asks for, with the spawn-rate cap scaled by the workers Locust reported. */
export function controllerForSpec(spec: LoadTest, info: { workers: number | null }): Controller {
  const l = spec.spec.load;
  return createController({
    algorithm: l.algorithm,
    targetOpm: l.targetOrdersPerMinute,
    rampUpMs: l.rampUp,
    controlIntervalMs: l.controlInterval,
    maxUsers: l.maxUsers,
    maxSpawnRate: l.maxSpawnRatePerWorker * Math.max(1, info.workers ?? 1),
  });
}
