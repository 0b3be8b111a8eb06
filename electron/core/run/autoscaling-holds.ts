import { describeScalableTarget, type AppState, type EcsAppState, type EcsDesiredState, type EcsScalableTarget, type K8sDesiredState } from '../../../shared/model/app-state.ts';
import type { GitOpsPause } from '../../../shared/model/gitops.ts';
import type { LeftField, Written } from '../rules/compare-and-set.ts';
import type { AppUnit } from '../rules/units.ts';
import type { RunContext } from './run-context.ts';

/**
 * ECS Application Auto Scaling the run suspended to hold production's count, shown beside the
 * GitOps holds (status.gitops, the terminal, the report): `paused` once the run's write suspended
 * it, then by restore `resumed` (the scalable target is back as before the run), `left` (someone
 * else changed it since, or spec.scale.restoreAfter is false) or `resume-failed` (the restore of
 * that service failed: it stays suspended).
 */

const suspendsMore = (before: EcsScalableTarget | undefined, after: EcsScalableTarget): boolean => {
  const b = before?.suspended;
  const a = after.suspended;
  return (a.dynamicScalingIn && !b?.dynamicScalingIn) || (a.dynamicScalingOut && !b?.dynamicScalingOut) || (a.scheduledScaling && !b?.scheduledScaling);
};

const what = (cluster: string, service: string, t: EcsScalableTarget) => `scalable target service/${cluster}/${service} (${describeScalableTarget(t)})`;

function emit(ctx: RunContext, unit: AppUnit, s: EcsAppState, t: EcsScalableTarget, state: GitOpsPause['state'], reason?: string): void {
  ctx.emit({ type: 'gitops', runId: ctx.runId, pause: { app: unit.name, manager: { kind: 'ecs-autoscaling', service: s.service }, what: what(s.cluster, s.service, t), state, ...(reason ? { reason } : {}) } });
}

/** after a deploy or scale write: the run suspended this service's auto scaling (it was not before) */
export function autoscalingWritten(ctx: RunContext, unit: AppUnit, before: AppState, change: K8sDesiredState | EcsDesiredState): void {
  const target = (change as EcsDesiredState).autoscaling;
  if (before.kind !== 'ecs' || !target || !suspendsMore(before.autoscaling, target)) return;
  emit(ctx, unit, before, target, 'paused');
}

/** after restore: what became of each suspension the run wrote (by its journal) */
export function autoscalingRestored(
  ctx: RunContext,
  r: { units: readonly AppUnit[]; snapshot: ReadonlyMap<string, AppState | null>; written: ReadonlyMap<string, Written>; left: readonly LeftField[]; failed: ReadonlySet<string>; restoreScale: boolean },
): void {
  for (const unit of r.units) {
    const before = r.snapshot.get(unit.name);
    const target = r.written.get(unit.name)?.autoscaling;
    if (before?.kind !== 'ecs' || !target || !suspendsMore(before.autoscaling, target)) continue;
    const left = r.left.find((f) => f.app === unit.name && f.field === 'autoscaling');
    if (r.failed.has(unit.name)) emit(ctx, unit, before, target, 'resume-failed', 'restoring the service failed');
    else if (!r.restoreScale) emit(ctx, unit, before, target, 'left', 'spec.scale.restoreAfter is false: held as the run scaled it');
    else if (left) emit(ctx, unit, before, target, 'left', `someone else changed the scalable target during the run: now ${String(left.now)}`);
    else emit(ctx, unit, before, target, 'resumed');
  }
}
