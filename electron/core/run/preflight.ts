import { ConductorError, SpecError } from '../../../shared/model/errors.ts';
import type { RunContext } from './run-context.ts';
import { planAll } from './phases/deploy.ts';
import { GitOpsRefused, holdGitOps } from './gitops.ts';

/**
 * The checks between the snapshot and the first write, on what the snapshot read: every app is
 * planned (an ambiguous feature-branch override refuses the run, naming the containers to choose
 * from), a paused Deployment refuses the run (its rollout would never finish), naming the app
 * and how to resume it, and the GitOps controllers of the test apps are held off (or refuse the
 * run) by spec.gitops (./gitops.ts). A refusal writes nothing.
 */
/** A run refused before its first write: nothing to restore and no test data to clean up. */
export class RefusedBeforeWrite extends ConductorError {}

export async function preflight(ctx: RunContext): Promise<void> {
  try {
    planAll(ctx);
  } catch (err) {
    if (err instanceof SpecError) throw new RefusedBeforeWrite('SPEC_INVALID', `refusing to run: ${err.message}. Nothing was written.`, err.details);
    throw err;
  }
  const paused: string[] = [];
  for (const u of ctx.units) {
    const s = ctx.snapshot.get(u.name);
    if (ctx.skipped.has(u.name) || s?.kind !== 'kubernetes' || !s.paused) continue;
    paused.push(`${u.name} (deployment ${s.namespace}/${s.deployment} is paused: resume it with \`kubectl rollout resume deployment/${s.deployment} -n ${s.namespace}\`${ctx.deps.substrates.test.kubernetes ? ` --context ${ctx.deps.substrates.test.kubernetes.target.context}` : ''}, or leave the app out of the spec)`);
    ctx.setApp(u.name, 'snapshot', 'failed', undefined, 'paused Deployment');
  }
  if (paused.length) {
    throw new RefusedBeforeWrite('CONFLICT', `refusing to run: a paused Deployment never rolls out a change — ${paused.join('; ')}. Nothing was written.`, { paused: paused.length });
  }
  try {
    await holdGitOps(ctx);
  } catch (err) {
    if (err instanceof GitOpsRefused) throw new RefusedBeforeWrite('CONFLICT', `refusing to run: ${err.message}. Nothing was written.`);
    throw err;
  }
}
