import type { RunContext } from '../run-context.ts';
import { reportParityNow, throwIfFailed, type Plans } from './deploy.ts';
import { converge } from './converge.ts';
import type { Snapshotted } from './snapshot.ts';

/**
 * scale: production's replicas, CPU/memory and HPA bounds (Kubernetes), desired count and task
 * size (ECS), capped by spec.scale.caps. Deploy already applied them in the same write, so this
 * phase normally verifies and writes nothing; it writes when something drifted since.
 */
export async function scalePhase(ctx: RunContext, s: Snapshotted, plans: Plans): Promise<void | 'skipped'> {
  if (!ctx.spec.spec.scale.matchProduction) {
    for (const u of s.active) ctx.setApp(u.name, 'scale', 'skipped', 'scale.matchProduction is false');
    return 'skipped';
  }
  const d = ctx.spec.spec.deploy;
  const result = await converge(ctx, {
    phase: 'scale',
    purpose: 'scale',
    units: s.active,
    desired: (u) => plans.get(u.name)?.scale ?? null,
    signal: ctx.work.signal,
    timeoutMs: d.rolloutTimeout,
    concurrency: d.concurrency,
    unchanged: 'scaled with deploy',
  });
  reportParityNow(ctx, s, result.states);
  throwIfFailed(ctx, 'scale', result.failures);
}
