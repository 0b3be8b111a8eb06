import { errorMessage } from '../../../shared/model/errors.ts';
import type { OtherWriterChange } from '../../../shared/model/gitops.ts';
import type { ObjectChange } from '../../substrates/types.ts';
import type { AppUnit } from '../rules/units.ts';
import type { RunContext } from './run-context.ts';

/**
 * Someone else changing the test environment mid-run: from the end of scale to restore, every
 * in-scope test Deployment is watched; a spec change the conductor did not make (its field
 * manager is not `conductor`) is an event naming the field, the old and new value and who made
 * it. spec.guards.otherWriters: `flag` (default) reports it and goes on, `abort` aborts the run.
 * An HPA moving replicas (kube-controller-manager) is the autoscaler at work within the bounds
 * the run set, not another writer.
 */

export const OUR_FIELD_MANAGER = 'conductor';

export function isOtherWriter(c: ObjectChange): boolean {
  if (c.manager === OUR_FIELD_MANAGER) return false;
  if (c.field === 'replicas' && c.manager === 'kube-controller-manager') return false;
  return true;
}

export function watchOtherWriters(ctx: RunContext, active: readonly AppUnit[]): () => void {
  const writer = ctx.deps.substrates.test.kubernetes;
  const refs = active.filter((u) => u.k8s).map((u) => u.k8s!);
  if (!writer?.watchChanges || !refs.length) return () => undefined;
  try {
    return writer.watchChanges(refs, (c) => {
      if (!isOtherWriter(c)) return;
      const change: OtherWriterChange = { ...c, t: ctx.elapsed() };
      ctx.emit({ type: 'other-writer', runId: ctx.runId, change });
      const message = `test environment changed by someone else: ${c.app} ${c.field} ${String(c.from)} → ${String(c.to)} (by ${c.manager}, ${c.object})`;
      ctx.flag(message);
      if (ctx.spec.spec.guards.otherWriters === 'abort') ctx.abort(message, 'guard');
    });
  } catch (err) {
    ctx.log('warn', `watching the test environment for other writers failed: ${errorMessage(err)}`);
    return () => undefined;
  }
}
