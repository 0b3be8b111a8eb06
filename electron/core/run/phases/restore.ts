import { WORKERS_UNIT } from '../../rules/units.ts';
import type { AppState } from '../../../../shared/model/app-state.ts';
import { restoreDesired } from '../../rules/plan.ts';
import { compareAndSet, type LeftField } from '../../rules/compare-and-set.ts';
import { autoscalingRestored } from '../autoscaling-holds.ts';
import { releaseGitOps } from '../gitops.ts';
import { openHolds, readJournal, writtenByRun } from '../journal.ts';
import type { AppUnit } from '../../rules/units.ts';
import type { RunContext } from '../run-context.ts';
import { converge } from './converge.ts';
import { errorMessage } from './common.ts';

/** What restore puts back: the in-scope units and the test side's state before the run. */
export interface RestoreInput {
  units: readonly AppUnit[];
  snapshot: ReadonlyMap<string, AppState | null>;
  /** false (recover --force): back to the snapshot whatever happened since; default compare-and-set */
  compareAndSet?: boolean;
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
 *
 * Compare-and-set (../../rules/compare-and-set.ts): a field goes back only where it still holds
 * what the run wrote (by its journal); one someone else changed since is left and reported. Then
 * the GitOps controllers the run held off are let go (../gitops.ts), and what became of each ECS
 * auto scaling suspension is reported with them (../autoscaling-holds.ts).
 */
export async function restorePhase(ctx: RunContext, input: RestoreInput, signal: AbortSignal): Promise<RestoreResult> {
  const restoreScale = ctx.spec.spec.scale.restoreAfter;
  const units = input.units.filter((u) => input.snapshot.get(u.name));
  const d = ctx.spec.spec.deploy;
  await ctx.journal.flush();
  const entries = await readJournal(ctx.journal.dataDir, ctx.runId);
  const byRun = writtenByRun(entries);
  const written = input.compareAndSet === false ? null : byRun;
  const left: LeftField[] = [];
  const result = await converge(ctx, {
    phase: 'restore',
    purpose: 'restore',
    units,
    // the conductor's own scaling of the Locust workers is always undone, whatever spec.scale.restoreAfter says about the apps
    desired: (u: AppUnit, current: AppState) => {
      const full = restoreDesired(input.snapshot.get(u.name)!, current, restoreScale || u.name === WORKERS_UNIT);
      if (!written) return full;
      const cas = compareAndSet(u.name, full, current, written.get(u.name));
      left.push(...cas.left);
      return cas.desired;
    },
    signal,
    timeoutMs: d.rolloutTimeout,
    concurrency: d.concurrency,
    unchanged: 'as before the run',
  });
  for (const f of left) ctx.flag(`restore left ${f.app} ${f.field} as someone else set it during the run: ${String(f.now)} (the run wrote ${String(f.wrote)})`);
  autoscalingRestored(ctx, { units, snapshot: input.snapshot, written: byRun, left, failed: new Set(result.failures.map((f) => f.app)), restoreScale });
  const failures = result.failures.map((f) => `${f.app}: ${errorMessage(f.error)}`);
  // the GitOps controllers come back once the apps are as before the run
  failures.push(...(await releaseGitOps(ctx, openHolds(entries), input.snapshot, signal)));
  if (failures.length) ctx.log('error', `restore incomplete: ${failures.join('; ')}`);
  return { complete: failures.length === 0, failures };
}
