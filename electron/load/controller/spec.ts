/** What a controller is told about the run, validated; and the spawn-rate rule both algorithms share. */
import { LoadError } from '../../../shared/model/errors.ts';

export interface ControllerSpec {
  algorithm: 'adaptive' | 'baseline';
  targetOpm: number;
  rampUpMs: number;
  controlIntervalMs: number;
  maxUsers: number;
  /** users per second, total: the per-worker cap × workers */
  maxSpawnRate: number;
  /** the run's guards (spec.guards): the controller keeps the shop below them and calls the point where it cannot a knee */
  maxErrorRate?: number | null;
  maxP99Ms?: number | null;
}

/** the smallest spawn rate sent (Locust crashes a greenlet on 0) */
export const MIN_SPAWN_RATE = 0.1;

export function validateControllerSpec(spec: ControllerSpec): ControllerSpec {
  const bad = (field: string, expected: string, value: unknown): never => {
    throw new LoadError(`controller: ${field} must be ${expected}, got ${String(value)}`, { field, expected, found: String(value) });
  };
  if (spec.algorithm !== 'adaptive' && spec.algorithm !== 'baseline') bad('algorithm', '"adaptive" or "baseline"', spec.algorithm);
  if (!Number.isFinite(spec.targetOpm) || spec.targetOpm <= 0) bad('targetOpm', 'a finite number of orders per minute > 0', spec.targetOpm);
  if (!Number.isFinite(spec.rampUpMs) || spec.rampUpMs < 0) bad('rampUpMs', 'a finite duration in ms ≥ 0', spec.rampUpMs);
  if (!Number.isFinite(spec.controlIntervalMs) || spec.controlIntervalMs < 1000) bad('controlIntervalMs', 'a finite duration in ms ≥ 1000', spec.controlIntervalMs);
  if (!Number.isInteger(spec.maxUsers) || spec.maxUsers < 1) bad('maxUsers', 'an integer ≥ 1', spec.maxUsers);
  if (!Number.isFinite(spec.maxSpawnRate) || spec.maxSpawnRate < MIN_SPAWN_RATE) bad('maxSpawnRate', `a finite number of users per second ≥ ${MIN_SPAWN_RATE}`, spec.maxSpawnRate);
  if (spec.maxErrorRate != null && !(spec.maxErrorRate > 0 && spec.maxErrorRate <= 1)) bad('maxErrorRate', 'a fraction in (0, 1]', spec.maxErrorRate);
  if (spec.maxP99Ms != null && !(spec.maxP99Ms > 0 && Number.isFinite(spec.maxP99Ms))) bad('maxP99Ms', 'a finite number of ms > 0', spec.maxP99Ms);
  return spec;
}

/** a spawn rate that moves `deltaUsers` within `within` × the control interval, in [MIN_SPAWN_RATE, maxSpawnRate] */
export function spawnRateFor(deltaUsers: number, spec: ControllerSpec, within: number): number {
  const seconds = Math.max(1, (spec.controlIntervalMs / 1000) * within);
  return clampSpawnRate(Math.max(1, deltaUsers / seconds), spec);
}

export function clampSpawnRate(rate: number, spec: ControllerSpec): number {
  const r = Number.isFinite(rate) ? rate : spec.maxSpawnRate;
  return Math.min(spec.maxSpawnRate, Math.max(MIN_SPAWN_RATE, r));
}
