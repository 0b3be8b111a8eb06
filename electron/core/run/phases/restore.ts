import type { AppState } from '../../../../shared/model/app-state.ts';
import { restoreDesired } from '../../rules/plan.ts';
import type { AppUnit } from '../../rules/units.ts';
import type { RunContext } from '../run-context.ts';
import { converge } from './converge.ts';
import { errorMessage } from './common.ts';

/** What restore puts back: the in-scope units and the test side's state before the run. */
export interface RestoreInput {
  units: readonly AppUnit[];
  snapshot: ReadonlyMap<string, AppState | null>;
}

export interface RestoreResult {
  complete: boolean;
  /** "app: why" for each app that could not be restored */
  failures: string[];
}

/**
 * restore: put every app back to the snapshot — images, replicas, resources, HPA bounds; ECS
 * task definition ARN and desired count. Runs under its own signal (a user abort never
 * interrupts it) with the rollout timeout per app; an app that fails is reported and the
 * others continue. Used by a live run and by `recover` alike.
 *
 * spec.scale.restoreAfter = false: versions are restored, but replicas, resources, HPA bounds
 * and the ECS desired count stay as the run scaled them (on every outcome, recovery included).
 */
export async function restorePhase(ctx: RunContext, input: RestoreInput, signal: AbortSignal): Promise<RestoreResult> {
  const restoreScale = ctx.spec.spec.scale.restoreAfter;
  const units = input.units.filter((u) => input.snapshot.get(u.name));
  const d = ctx.spec.spec.deploy;
  const result = await converge(ctx, {
    phase: 'restore',
    purpose: 'restore',
    units,
    desired: (u: AppUnit, current: AppState) => restoreDesired(input.snapshot.get(u.name)!, current, restoreScale),
    signal,
    timeoutMs: d.rolloutTimeout,
    concurrency: d.concurrency,
    unchanged: 'as before the run',
  });
  const failures = result.failures.map((f) => `${f.app}: ${errorMessage(f.error)}`);
  if (failures.length) ctx.log('error', `restore incomplete: ${failures.join('; ')}`);
  return { complete: failures.length === 0, failures };
}
