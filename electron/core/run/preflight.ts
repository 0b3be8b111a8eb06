import { ConductorError, SpecError } from '../../../shared/model/errors.ts';
import type { ResolvedOverride } from '../../../shared/model/override.ts';
import { planApps } from '../rules/plan.ts';
import type { RunContext } from './run-context.ts';
import type { Snapshotted } from './phases/snapshot.ts';
import { GitOpsRefused, holdGitOps } from './gitops.ts';

/**
 * The checks between the snapshot and the first write, on what the snapshot read: every app is
 * planned (an ambiguous feature-branch override refuses the run, naming the containers to choose
 * from; the resolved overrides become the run's `overrides` event), a paused Deployment refuses
 * the run (its rollout would never finish), naming the app and how to resume it, and the GitOps
 * controllers of the test apps are held off (or refuse the run) by spec.gitops (./gitops.ts).
 * A refusal writes nothing.
 */

/** A run refused before its first write: nothing to restore and no test data to clean up. */
export class RefusedBeforeWrite extends ConductorError {}

export async function preflight(ctx: RunContext, s: Snapshotted): Promise<void> {
  let plans;
  try {
    plans = planApps(s.active, ctx.spec, s.production, s.test);
  } catch (err) {
    if (err instanceof SpecError) throw new RefusedBeforeWrite('SPEC_INVALID', `refusing to run: ${err.message}. Nothing was written.`, err.details);
    throw err;
  }
  const overrides: ResolvedOverride[] = [...plans.values()].flatMap((p) => p.overrides);
  if (overrides.length) ctx.emit({ type: 'overrides', runId: ctx.runId, overrides });

  const paused: string[] = [];
  for (const u of s.active) {
    const t = s.test.get(u.name);
    if (t?.kind !== 'kubernetes' || !t.paused) continue;
    const context = ctx.deps.substrates.test.kubernetes?.target.context;
    paused.push(`${u.name} (deployment ${t.namespace}/${t.deployment} is paused: resume it with \`kubectl rollout resume deployment/${t.deployment} -n ${t.namespace}${context ? ` --context ${context}` : ''}\`, or leave the app out of the spec)`);
    ctx.setApp(u.name, 'snapshot', 'failed', undefined, 'paused Deployment');
  }
  if (paused.length) {
    throw new RefusedBeforeWrite('CONFLICT', `refusing to run: a paused Deployment never rolls out a change — ${paused.join('; ')}. Nothing was written.`, { paused: paused.length });
  }
  try {
    await holdGitOps(ctx, s, plans);
  } catch (err) {
    if (err instanceof GitOpsRefused) throw new RefusedBeforeWrite('CONFLICT', `refusing to run: ${err.message}. Nothing was written.`);
    throw err;
  }
}
