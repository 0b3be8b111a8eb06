import type { RunContext } from '../run-context.ts';
import { activeUnits, planAll, throwIfFailed } from './deploy.ts';
import { converge } from './converge.ts';

/**
 * scale: production's replicas, CPU/memory and HPA bounds (Kubernetes), desired count and task
 * size (ECS), capped by spec.scale.caps. Deploy already applied them in the same write, so this
 * phase normally verifies and writes nothing; it writes when resuming or when something drifted.
 */
export async function scalePhase(ctx: RunContext): Promise<void | 'skipped'> {
  if (!ctx.spec.spec.scale.matchProduction) {
    for (const u of activeUnits(ctx)) ctx.setApp(u.name, 'scale', 'skipped', 'scale.matchProduction is false');
    return 'skipped';
  }
  planAll(ctx);
  const d = ctx.spec.spec.deploy;
  const result = await converge(ctx, {
    phase: 'scale',
    purpose: 'scale',
    units: activeUnits(ctx),
    desired: (u) => ctx.plans.get(u.name)?.scale ?? null,
    signal: ctx.work.signal,
    timeoutMs: d.rolloutTimeout,
    concurrency: d.concurrency,
    unchanged: 'scaled with deploy',
  });
  throwIfFailed(ctx, 'scale', result.failures);
}
