import pLimit from 'p-limit';
import type { AppState, EcsDesiredState, K8sDesiredState } from '../../../../shared/model/app-state.ts';
import type { PhaseName } from '../../../../shared/model/run.ts';
import { diffApp } from '../../rules/plan.ts';
import type { AppUnit } from '../../rules/units.ts';
import { autoscalingWritten } from '../autoscaling-holds.ts';
import { journaledWrite, type WritePurpose } from '../journaled-write.ts';
import type { RunContext } from '../run-context.ts';
import { errorMessage, forEachBounded, readSide, waitReady } from './common.ts';

/**
 * The engine under deploy, scale and restore: read the current state of every unit in bulk,
 * write only the difference to the desired state (one apply per app), then wait for its
 * rollout. At most `concurrency` writes are in flight at once; rollouts are awaited together. Resumable: a second pass
 * finds nothing to do.
 */
export interface ConvergeOptions {
  phase: PhaseName;
  purpose: WritePurpose;
  units: AppUnit[];
  desired: (unit: AppUnit, current: AppState) => K8sDesiredState | EcsDesiredState | null;
  signal: AbortSignal;
  timeoutMs: number;
  concurrency: number;
  /** detail shown for an app that needed no write */
  unchanged: string;
}

export interface ConvergeResult {
  writes: number;
  failures: { app: string; error: unknown }[];
  /** each app's state once it was ready (as read, or as its rollout ended) */
  states: Map<string, AppState>;
}

export async function converge(ctx: RunContext, opts: ConvergeOptions): Promise<ConvergeResult> {
  const { deps } = ctx;
  for (const u of opts.units) ctx.setApp(u.name, opts.phase, 'pending');
  const current = await readSide(deps.substrates, 'test', opts.units, opts.signal);
  let writes = 0;
  /** each app's state once it is ready (as read, or as its rollout ended) */
  const states = new Map<string, AppState>();
  // writes are bounded by `concurrency`; waiting for rollouts is not (a wait is one watch), so
  // 200 apps roll out together instead of in waves
  const writeSlot = pLimit(Math.max(1, opts.concurrency));
  const errors = await forEachBounded(opts.units, opts.units.length || 1, async (unit) => {
    try {
      const state = current.get(unit.name);
      if (!state) throw new Error(`${unit.name} is no longer in the test environment`);
      const desired = opts.desired(unit, state);
      const change = desired ? diffApp(state, desired) : null;
      if (!change) {
        states.set(unit.name, state);
        ctx.setApp(unit.name, opts.phase, 'ready', opts.unchanged);
        return;
      }
      await writeSlot(async () => {
        opts.signal.throwIfAborted();
        writes += 1;
        // 'applying' is shown once the intent is in the journal: from then on a crash is recoverable
        await journaledWrite(ctx.journal, deps.substrates.test, unit, opts.purpose, change, opts.signal, () => ctx.setApp(unit.name, opts.phase, 'rolling', 'applying'));
      });
      // restore reports what became of the holds itself (restore.ts)
      if (opts.purpose !== 'restore') autoscalingWritten(ctx, unit, state, change);
      const ready = await waitReady(deps.substrates, unit, {
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        onDetail: (detail) => ctx.setApp(unit.name, opts.phase, 'rolling', detail),
      });
      states.set(unit.name, ready);
      ctx.setApp(unit.name, opts.phase, 'ready', describeChange(change));
    } catch (err) {
      ctx.setApp(unit.name, opts.phase, 'failed', undefined, errorMessage(err));
      throw err;
    }
  });
  const failures = opts.units.flatMap((u, i) => (errors[i] ? [{ app: u.name, error: errors[i] }] : []));
  return { writes, failures, states };
}

export function describeChange(change: K8sDesiredState | EcsDesiredState): string {
  const parts: string[] = [];
  const c = change as K8sDesiredState & EcsDesiredState;
  if (c.images) parts.push(Object.entries(c.images).map(([n, i]) => `${n}=${i}`).join(', '));
  if (c.replicas !== undefined) parts.push(`replicas ${c.replicas}`);
  if (c.resources) parts.push('resources');
  if (c.hpa) parts.push(`hpa ${c.hpa.minReplicas}-${c.hpa.maxReplicas}`);
  if (c.taskDefinitionArn) parts.push(`task definition ${c.taskDefinitionArn.split('/').pop()}`);
  if (c.desiredCount !== undefined) parts.push(`desired ${c.desiredCount}`);
  if (c.autoscaling) parts.push(`auto scaling ${c.autoscaling.minCapacity}-${c.autoscaling.maxCapacity}${c.autoscaling.suspended.dynamicScalingIn ? ' suspended' : ''}`);
  if (c.taskCpu || c.taskMemory || c.containerSizes) parts.push('task size');
  return parts.join('; ');
}
