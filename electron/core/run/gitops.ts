import type { AppState, GitOpsManager } from '../../../shared/model/app-state.ts';
import { errorMessage } from '../../../shared/model/errors.ts';
import { describeHold, describeManager, type GitOpsHold, type GitOpsPause, type HeldObject } from '../../../shared/model/gitops.ts';
import type { AppPlan } from '../rules/plan.ts';
import type { RunContext } from './run-context.ts';
import type { Snapshotted } from './phases/snapshot.ts';

/**
 * The test environment's GitOps controllers (Argo CD, Flux) during a run, by `spec.gitops`:
 * - pause (default): before the first write, hold off exactly what would revert the run's writes
 *   — each hold journaled before it is placed — and lift it after restore (and in `recover`);
 * - refuse: a managed app refuses the run before any write;
 * - ignore: go on, flagged (the controller may revert the run's writes).
 */

export class GitOpsRefused extends Error {}

function pauseEntry(ctx: RunContext, pause: GitOpsPause): void {
  ctx.emit({ type: 'gitops', runId: ctx.runId, pause });
}

/** What each managed test app needs held, and holding it. Throws GitOpsRefused (nothing written) on `refuse` or an ApplicationSet. */
export async function holdGitOps(ctx: RunContext, snap: Snapshotted, plans: ReadonlyMap<string, AppPlan>): Promise<void> {
  const policy = ctx.spec.spec.gitops;
  const managed: { name: string; manager: GitOpsManager; objects: HeldObject[] }[] = [];
  for (const u of snap.active) {
    const s = snap.test.get(u.name);
    if (s?.kind !== 'kubernetes' || !s.manager) continue;
    const objects: HeldObject[] = [{ resource: 'deployments', namespace: s.namespace, name: s.deployment }];
    const scale = plans.get(u.name)?.scale;
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
  const placed: GitOpsHold[] = [];
  for (const hold of planned) {
    await ctx.journal.append({ type: 'gitops-pause', hold });
    placed.push(hold);
    try {
      await holds.pause(hold, ctx.work.signal);
    } catch (err) {
      // the run stops before any other write: let go of what it already holds (the journal keeps them for recover if this fails too)
      const released = new AbortController().signal;
      await releaseGitOps(ctx, placed, snap.test, released).catch(() => undefined);
      throw err;
    }
    for (const app of hold.apps) {
      const manager = managerIn(snap.test.get(app));
      if (manager) pauseEntry(ctx, { app, manager, what: describeHold(hold), state: 'paused' });
    }
    ctx.log('info', `paused ${describeHold(hold)} for ${hold.apps.join(', ')}`);
  }
}

const managerIn = (s: AppState | null | undefined): GitOpsManager | undefined => (s?.kind === 'kubernetes' ? s.manager : undefined);

/**
 * Lift every hold a run placed and has not lifted (from its journal, so a live run and `recover`
 * do the same), compare-and-set. Returns the failures: a hold that cannot be lifted makes the
 * restore incomplete; one someone else already changed is left and reported.
 */
export async function releaseGitOps(ctx: RunContext, open: GitOpsHold[], snapshot: ReadonlyMap<string, AppState | null>, signal: AbortSignal): Promise<string[]> {
  const holds = ctx.deps.substrates.test.kubernetes?.gitops;
  const failures: string[] = [];
  for (const hold of [...open].reverse()) {
    let result: { resumed: boolean; reason?: string };
    let failed = false;
    try {
      if (!holds) throw new Error('the Kubernetes adapter cannot resume GitOps controllers');
      result = await holds.resume(hold, signal);
    } catch (err) {
      result = { resumed: false, reason: errorMessage(err) };
      failed = true;
      failures.push(`resuming ${describeHold(hold)} failed: ${errorMessage(err)}`);
    }
    await ctx.journal.append({ type: 'gitops-resumed', hold, resumed: result.resumed, ...(result.reason ? { reason: result.reason } : {}) });
    for (const app of hold.apps) {
      const manager = managerIn(snapshot.get(app)) ?? (hold.kind === 'argocd' ? { kind: 'argocd' as const, application: hold.application, namespace: hold.namespace, via: 'tracking-id' as const } : undefined);
      if (manager) pauseEntry(ctx, { app, manager, what: describeHold(hold), state: result.resumed ? 'resumed' : failed ? 'resume-failed' : 'left', ...(result.reason ? { reason: result.reason } : {}) });
    }
    if (result.resumed) ctx.log('info', `resumed ${describeHold(hold)}`);
    else ctx.flag(`GitOps hold not lifted: ${describeHold(hold)}: ${result.reason ?? 'unknown'}`);
  }
  return failures;
}
