import { errorMessage } from '../../../shared/model/errors.ts';
import type { OtherWriterChange } from '../../../shared/model/gitops.ts';
import { ECS_AUTOSCALER, type ObjectChange } from '../../substrates/types.ts';
import type { AppUnit } from '../rules/units.ts';
import type { RunContext } from './run-context.ts';

/**
 * Someone else changing the test environment mid-run: from the end of scale to restore, every
 * in-scope test Deployment is watched and every in-scope ECS service is polled (ECS has no watch:
 * every control interval, on the run's clock, bounded in count); a change the conductor did not
 * make (its field manager is not `conductor`) is an event naming the field, the old and new value
 * and who made it (Kubernetes: the managedFields manager; ECS records no author, so the adapter
 * names the deployment the change started, else "someone else"). spec.guards.otherWriters:
 * `flag` (default) reports it and goes on, `abort` aborts the run. An autoscaler moving the count
 * within the bounds the run set is not another writer: an HPA moving replicas
 * (kube-controller-manager), Application Auto Scaling moving an ECS desired count inside its
 * scalable target in a direction the target does not suspend.
 */

export const OUR_FIELD_MANAGER = 'conductor';

export function isOtherWriter(c: ObjectChange): boolean {
  if (c.manager === OUR_FIELD_MANAGER) return false;
  if (c.field === 'replicas' && c.manager === 'kube-controller-manager') return false;
  if (c.field === 'desiredCount' && c.manager === ECS_AUTOSCALER) return false;
  return true;
}

function report(ctx: RunContext, c: ObjectChange): void {
  if (!isOtherWriter(c)) return;
  const change: OtherWriterChange = { ...c, t: ctx.elapsed() };
  ctx.emit({ type: 'other-writer', runId: ctx.runId, change });
  const message = `test environment changed by someone else: ${c.app} ${c.field} ${String(c.from)} → ${String(c.to)} (by ${c.manager}, ${c.object})`;
  ctx.flag(message);
  if (ctx.spec.spec.guards.otherWriters === 'abort') ctx.abort(message, 'guard');
}

/** Watch (Kubernetes) and poll (ECS) the in-scope test apps until the returned stop() is called. */
export function watchOtherWriters(ctx: RunContext, active: readonly AppUnit[]): () => void {
  const stops = [watchKubernetes(ctx, active), pollEcs(ctx, active)];
  return () => {
    for (const stop of stops) stop();
  };
}

function watchKubernetes(ctx: RunContext, active: readonly AppUnit[]): () => void {
  const writer = ctx.deps.substrates.test.kubernetes;
  const refs = active.filter((u) => u.k8s).map((u) => u.k8s!);
  if (!writer?.watchChanges || !refs.length) return () => undefined;
  try {
    return writer.watchChanges(refs, (c) => report(ctx, c));
  } catch (err) {
    ctx.log('warn', `watching the test environment for other writers failed: ${errorMessage(err)}`);
    return () => undefined;
  }
}

/** the poll loop's bound: one poll per control interval over the load, and a few for the phases' edges */
const SPARE_POLLS = 4;

function pollEcs(ctx: RunContext, active: readonly AppUnit[]): () => void {
  const writer = ctx.deps.substrates.test.ecs;
  const refs = active.filter((u) => u.ecs).map((u) => u.ecs!);
  if (!writer?.changePoller || !refs.length) return () => undefined;
  const poller = writer.changePoller(refs);
  const stop = new AbortController();
  const load = ctx.spec.spec.load;
  const maxPolls = Math.ceil((load.rampUp + load.plateau) / load.controlInterval) + SPARE_POLLS;
  void (async () => {
    let warned = false;
    for (let i = 0; i < maxPolls && !stop.signal.aborted; i++) {
      try {
        if (i > 0) await ctx.deps.clock.sleep(load.controlInterval, stop.signal);
        const changes = await poller.poll(stop.signal);
        if (stop.signal.aborted) return; // restore may be writing by now: its own changes are not someone else's
        for (const c of changes) report(ctx, c);
      } catch (err) {
        if (stop.signal.aborted) return;
        if (!warned) ctx.log('warn', `polling the test ECS services for other writers failed (will retry): ${errorMessage(err)}`);
        warned = true;
      }
    }
  })();
  return () => stop.abort();
}
