import { ConductorError } from '../../../../shared/model/errors.ts';
import type { AppState } from '../../../../shared/model/app-state.ts';
import { mergeDesired, planApps, type AppPlan } from '../../rules/plan.ts';
import { computeParity } from '../../rules/parity.ts';
import type { RunContext } from '../run-context.ts';
import { converge } from './converge.ts';
import { errorMessage } from './common.ts';
import type { Snapshotted } from './snapshot.ts';

/** app → what the run writes to it (deploy part and scale part) */
export type Plans = ReadonlyMap<string, AppPlan>;

/**
 * deploy: production's current version of every in-scope app (or its override), and — so each
 * app is written once — production's scale in the same apply. Waits for each rollout. Returns
 * the plans, which scale verifies.
 */
export async function deployPhase(ctx: RunContext, s: Snapshotted): Promise<Plans> {
  const plans = planApps(s.active, ctx.spec, s.production, s.test);
  for (const [app, plan] of plans) for (const note of plan.notes) ctx.log('warn', `${app}: ${note}`);
  const d = ctx.spec.spec.deploy;
  const result = await converge(ctx, {
    phase: 'deploy',
    purpose: 'deploy',
    units: s.active,
    desired: (u) => {
      const plan = plans.get(u.name);
      return plan ? mergeDesired(plan.deploy, plan.scale) : null;
    },
    signal: ctx.work.signal,
    timeoutMs: d.rolloutTimeout,
    concurrency: d.concurrency,
    unchanged: 'already at the planned version and size',
  });
  reportParityNow(ctx, s, result.states);
  throwIfFailed(ctx, 'deploy', result.failures);
  return plans;
}

/** parity as deploy or scale left it ("during the run"): production against the test side now, the other apps as they were */
export function reportParityNow(ctx: RunContext, s: Snapshotted, states: ReadonlyMap<string, AppState>): void {
  if (!s.parityBefore || states.size === 0) return;
  const test = new Map(s.test);
  for (const [app, state] of states) test.set(app, state);
  try {
    ctx.parity('during', computeParity(ctx.spec, s.production, test));
  } catch (err) {
    ctx.log('warn', `parity during the run could not be computed: ${errorMessage(err)}`);
  }
}

export function throwIfFailed(ctx: RunContext, phase: string, failures: { app: string; error: unknown }[]): void {
  if (!failures.length) return;
  if (ctx.work.signal.aborted) throw ctx.work.signal.reason;
  const text = failures.map((f) => `${f.app}: ${errorMessage(f.error)}`).join('; ');
  throw new ConductorError('SUBSTRATE', `${phase} failed for ${failures.length} application(s): ${text}`, { apps: failures.map((f) => f.app) });
}
