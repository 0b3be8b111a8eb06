import { ConductorError } from '../../../../shared/model/errors.ts';
import { mergeDesired, planApp } from '../../rules/plan.ts';
import type { RunContext } from '../run-context.ts';
import { converge } from './converge.ts';
import { errorMessage } from './common.ts';

/** Plan every app once (deploy + scale) from production's snapshot and the test snapshot. */
export function planAll(ctx: RunContext): void {
  for (const u of ctx.units) {
    if (ctx.skipped.has(u.name) || ctx.plans.has(u.name)) continue;
    const test = ctx.snapshot.get(u.name);
    if (!test) continue;
    const plan = planApp(u.app, ctx.spec, ctx.production.get(u.name) ?? null, test);
    ctx.plans.set(u.name, plan);
    for (const note of plan.notes) ctx.log('warn', `${u.name}: ${note}`);
  }
}

export function activeUnits(ctx: RunContext) {
  return ctx.units.filter((u) => !ctx.skipped.has(u.name));
}

/**
 * deploy: production's current version of every in-scope app (or its override), and — so each
 * app is written once — production's scale in the same apply. Waits for each rollout.
 */
export async function deployPhase(ctx: RunContext): Promise<void> {
  planAll(ctx);
  const d = ctx.spec.spec.deploy;
  const result = await converge(ctx, {
    phase: 'deploy',
    purpose: 'deploy',
    units: activeUnits(ctx),
    desired: (u) => {
      const plan = ctx.plans.get(u.name);
      return plan ? mergeDesired(plan.deploy, plan.scale) : null;
    },
    signal: ctx.work.signal,
    timeoutMs: d.rolloutTimeout,
    concurrency: d.concurrency,
    unchanged: 'already at the planned version and size',
  });
  throwIfFailed(ctx, 'deploy', result.failures);
}

export function throwIfFailed(ctx: RunContext, phase: string, failures: { app: string; error: unknown }[]): void {
  if (!failures.length) return;
  if (ctx.work.signal.aborted) throw ctx.work.signal.reason;
  const text = failures.map((f) => `${f.app}: ${errorMessage(f.error)}`).join('; ');
  throw new ConductorError('SUBSTRATE', `${phase} failed for ${failures.length} application(s): ${text}`, { apps: failures.map((f) => f.app) });
}
