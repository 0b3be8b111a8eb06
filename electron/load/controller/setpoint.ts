/**
 * The reference the controller tracks: a linear ramp from 0 to the target over the ramp-up, then
 * the target through the plateau (`setpointAt` in ../types.ts), and the control-cycle arithmetic
 * around it.
 */
import { setpointAt } from '../types.ts';

export { setpointAt };

/** whole control cycles in the ramp-up (at least 1) */
export function rampCycles(rampUpMs: number, controlIntervalMs: number): number {
  return Math.max(1, Math.ceil(rampUpMs / controlIntervalMs));
}

/** control cycles left in the ramp at `elapsedMs` (0 on the plateau) */
export function remainingRampCycles(elapsedMs: number, rampUpMs: number, controlIntervalMs: number): number {
  if (elapsedMs >= rampUpMs) return 0;
  return Math.max(1, Math.ceil((rampUpMs - Math.max(0, elapsedMs)) / controlIntervalMs));
}

/**
 * The setpoint averaged over the control interval that starts at `elapsedMs`: what the users chosen
 * now should produce while they run. Exact for the piecewise-linear setpoint, including the
 * interval in which the ramp ends.
 */
export function intervalReference(elapsedMs: number, targetOpm: number, rampUpMs: number, controlIntervalMs: number): number {
  const a = setpointAt(elapsedMs, targetOpm, rampUpMs);
  const b = setpointAt(elapsedMs + controlIntervalMs, targetOpm, rampUpMs);
  const kink = rampUpMs > elapsedMs && rampUpMs < elapsedMs + controlIntervalMs;
  if (!kink) return (a + b) / 2;
  // ramp then plateau inside this interval: area of the trapezoid plus the rectangle
  const rampPart = rampUpMs - elapsedMs;
  return ((a + targetOpm) / 2 * rampPart + targetOpm * (controlIntervalMs - rampPart)) / controlIntervalMs;
}
