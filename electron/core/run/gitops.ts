import type { GitOpsManager } from '../../../shared/model/app-state.ts';
import { errorMessage } from '../../../shared/model/errors.ts';
import { describeHold, describeManager, type GitOpsHold, type GitOpsPause, type HeldObject } from '../../../shared/model/gitops.ts';
import type { RunContext } from './run-context.ts';

/**
 * The test environment's GitOps controllers (Argo CD, Flux) during a run, by `spec.gitops`:
 * - pause (default): before the first write, hold off exactly what would revert the run's writes
 *   — each hold journaled before it is placed — and lift it after restore (and in `recover`);
 * - refuse: a managed app refuses the run before any write;
 * - ignore: go on, flagged (the controller may revert the run's writes).
 */

export class GitOpsRefused extends Error {}

function pauseEntry(ctx: RunContext, entry: GitOpsPause): void {
  const list = (ctx.status.gitops ??= []);
  const i = list.findIndex((p) => p.app === entry.app);
  if (i >= 0) list[i] = entry;
  else list.push(entry);
}

/** What each managed test app needs held, and holding it. Throws GitOpsRefused (nothing written) on `refuse` or an ApplicationSet. */
export async function holdGitOps(ctx: RunContext): Promise<void> {
  const policy = ctx.spec.spec.gitops;
  const managed: { name: string; manager: GitOpsManager; objects: HeldObject[] }[] = [];
  for (const u of ctx.units) {
    const s = ctx.snapshot.get(u.name);
    if (ctx.skipped.has(u.name) || s?.kind !== 'kubernetes' || !s.manager) continue;
    const objects: HeldObject[] = [{ resource: 'deployments', namespace: s.namespace, name: s.deployment }];
    const scale = ctx.plans.get(u.name)?.scale;
    if (s.hpa && scale && 'hpa' in scale && scale.hpa) objects.push({ resource: 'horizontalpodautoscalers', namespace: s.namespace, name: s.hpa.name });
    managed.push({ name: u.name, manager: s.manager, objects });
  }
  if (!managed.length) return;
  const list = managed.map((m) => `${m.name} (${describeManager(m.manager)})`).join(', ');
  if (policy === 'refuse') throw new GitOpsRefused(`spec.gitops is refuse and these test apps are applied by a GitOps controller: ${list}`);
  const holds = ctx.deps.substrates.test.kubernetes?.gitops;
  if (policy === 'ignore' || !holds) {
    const why = policy === 'ignore' ? 'spec.gitops: ignore' : 'the Kubernetes adapter cannot pause GitOps controllers';
    for (const m of managed) pauseEntry(ctx, { app: m.name, manager: m.manager, what: describeManager(m.manager), state: 'left', reason: why });
    ctx.flag(`GitOps controllers left running (${why}); they may revert the run's writes: ${list}`);
    return;
  }
  // plan every hold first (reads only): one refusal refuses the run before anything is held
  const planned: GitOpsHold[] = [];
  const refusals: string[] = [];
  for (const m of managed) {
    const r = await holds.plan(m.name, m.manager, m.objects, ctx.work.signal);
    if (r.refusal) refusals.push(r.refusal);
    if (r.note) ctx.log('info', `${m.name}: ${r.note}`);
    if (!r.hold) continue;
    const same = r.hold.kind === 'argocd' ? planned.find((h) => h.kind === 'argocd' && h.application === (r.hold as typeof h).application && h.namespace === (r.hold as typeof h).namespace) : undefined;
    if (same) same.apps.push(m.name);
    else planned.push(r.hold);
  }
  if (refusals.length) throw new GitOpsRefused(refusals.join('; '));
  for (const hold of planned) {
    await ctx.journal.append({ type: 'gitops-pause', hold });
    await holds.pause(hold, ctx.work.signal);
    ctx.holds.push(hold);
    for (const app of hold.apps) {
      const manager = ctx.snapshot.get(app)?.kind === 'kubernetes' ? (ctx.snapshot.get(app) as { manager?: GitOpsManager }).manager : undefined;
      if (manager) pauseEntry(ctx, { app, manager, what: describeHold(hold), state: 'paused' });
    }
    ctx.log('info', `paused ${describeHold(hold)} for ${hold.apps.join(', ')}`);
  }
}

/** Lift every hold (compare-and-set). A hold that cannot be lifted makes the restore incomplete. */
export async function releaseGitOps(ctx: RunContext, signal: AbortSignal): Promise<void> {
  const holds = ctx.deps.substrates.test.kubernetes?.gitops;
  if (!ctx.holds.length) return;
  for (const hold of [...ctx.holds].reverse()) {
    let result: { resumed: boolean; reason?: string };
    try {
      if (!holds) throw new Error('the Kubernetes adapter cannot resume GitOps controllers');
      result = await holds.resume(hold, signal);
    } catch (err) {
      result = { resumed: false, reason: errorMessage(err) };
      ctx.restoreComplete = false;
      ctx.restoreFailures.push(`resuming ${describeHold(hold)} failed: ${errorMessage(err)}`);
    }
    await ctx.journal.append({ type: 'gitops-resumed', hold, resumed: result.resumed, ...(result.reason ? { reason: result.reason } : {}) });
    for (const app of hold.apps) {
      const prev = ctx.status.gitops?.find((p) => p.app === app);
      const manager = prev?.manager ?? (hold.kind === 'argocd' ? { kind: 'argocd' as const, application: hold.application, namespace: hold.namespace, via: 'tracking-id' as const } : undefined);
      if (manager) pauseEntry(ctx, { app, manager, what: describeHold(hold), state: result.resumed ? 'resumed' : 'left', ...(result.reason ? { reason: result.reason } : {}) });
    }
    if (result.resumed) ctx.log('info', `resumed ${describeHold(hold)}`);
    else ctx.flag(`GitOps hold not lifted: ${describeHold(hold)}: ${result.reason ?? 'unknown'}`);
  }
  ctx.holds = [];
}
