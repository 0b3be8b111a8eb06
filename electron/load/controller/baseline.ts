/**
 * The rule the original system used, kept as a selectable algorithm for comparison.
 *
 * Each cycle: `required = users / currentOPM × target`, and a spawn rate that spreads
 * `required − users` over the remaining ramp cycles; 1 user at spawn rate 1 when users or OPM is 0.
 *
 * Interpretation (the rule as stated, read literally):
 * - `target` is the run's final target OPM (the plateau value), not the moving setpoint: the rule
 *   asks "how many users would give the target at today's orders per user" and lets Locust's spawn
 *   rate make the ramp — the user count is sent at once, and the spawn rate
 *   (required − users) / (remaining ramp cycles × interval seconds) makes Locust reach it just as the
 *   ramp ends, which is a linear ramp of users, hence of OPM if orders per user stay constant;
 * - `currentOPM` is the latest measurement as it is (no lag correction, no smoothing), `users` the
 *   users Locust reports now;
 * - on the plateau there are no remaining ramp cycles, so the difference is spread over one cycle;
 * - a measurement that is missing counts as 0;
 * - the caps (maxUsers, total spawn rate) apply as they would in Locust, and the spawn rate is never
 *   below MIN_SPAWN_RATE (Locust refuses 0).
 */
import type { Controller, ControllerDecision, ControllerInput } from '../types.ts';
import { clampSpawnRate, type ControllerSpec } from './spec.ts';

export class BaselineController implements Controller {
  readonly name = 'baseline' as const;

  constructor(readonly spec: ControllerSpec) {}

  decide(input: ControllerInput): ControllerDecision {
    const users = Number.isFinite(input.users) ? Math.max(0, input.users) : 0;
    const opm = input.measuredOpm !== null && Number.isFinite(input.measuredOpm) ? input.measuredOpm : 0;
    if (users <= 0 || opm <= 0) return { users: 1, spawnRate: clampSpawnRate(1, this.spec), note: 'users or OPM is 0: 1 user at spawn rate 1' };
    const required = Math.min(this.spec.maxUsers, Math.max(1, Math.round((users / opm) * this.spec.targetOpm)));
    const cycles = Math.max(1, input.remainingRampCycles);
    const spawnRate = Math.abs(required - users) / (cycles * (this.spec.controlIntervalMs / 1000));
    return { users: required, spawnRate: clampSpawnRate(spawnRate, this.spec) };
  }
}
