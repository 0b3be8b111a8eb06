import { describeScalableTarget, type AppState, type ContainerResources, type EcsDesiredState, type K8sDesiredState } from '../../../shared/model/app-state.ts';
import { sameResources, sameScalableTarget } from './plan.ts';

/**
 * Restore as compare-and-set: a field goes back to its pre-run value only where it still holds
 * the value the run wrote. A field someone else changed since (a deploy, `kubectl scale`, a
 * GitOps sync) is left as they set it, and reported. Fields the run never wrote are left alone.
 * Replicas of an app with an HPA are the autoscaler's to change, so they are restored regardless.
 */

export type Written = K8sDesiredState & EcsDesiredState;

export interface LeftField {
  app: string;
  field: string;
  /** what is there now (someone else's value) */
  now: string | number | null;
  /** what the run wrote */
  wrote: string | number | null;
}

const show = (r: ContainerResources | undefined) => (r ? JSON.stringify(r) : null);

/** Merge what the run wrote to one app, in order (later writes win per field). */
export function mergeWritten(into: Written | undefined, desired: K8sDesiredState | EcsDesiredState, result?: string): Written {
  const w: Written = { ...(into ?? {}) };
  const d = desired as Written;
  if (d.images) w.images = { ...(w.images ?? {}), ...d.images };
  if (d.resources) w.resources = { ...(w.resources ?? {}), ...d.resources };
  if (d.replicas !== undefined) w.replicas = d.replicas;
  if (d.hpa) w.hpa = d.hpa;
  if (d.desiredCount !== undefined) w.desiredCount = d.desiredCount;
  if (d.autoscaling) w.autoscaling = d.autoscaling;
  // an ECS write ends with the service on a task definition: the one it registered, or the one it named
  if (result) w.taskDefinitionArn = result;
  else if (d.taskDefinitionArn) w.taskDefinitionArn = d.taskDefinitionArn;
  else if (d.images || d.taskCpu || d.taskMemory || d.containerSizes) w.taskDefinitionArn = UNKNOWN_REVISION;
  return w;
}

/** a task definition the run registered but whose ARN the journal never saw (a crash mid-write) */
export const UNKNOWN_REVISION = '(registered by the run; ARN not journaled)';

/** The part of a restore that may be written (fields still as the run left them), and the fields left. */
export function compareAndSet(app: string, restore: K8sDesiredState | EcsDesiredState, current: AppState, written: Written | undefined): { desired: K8sDesiredState | EcsDesiredState; left: LeftField[] } {
  const left: LeftField[] = [];
  const w = written ?? {};
  if (current.kind === 'kubernetes') {
    const r = restore as K8sDesiredState;
    const out: K8sDesiredState = {};
    for (const [name, image] of Object.entries(r.images ?? {})) {
      const c = current.containers.find((x) => x.name === name);
      if (!c || c.image === image) continue;
      const ours = w.images?.[name];
      if (ours === c.image) (out.images ??= {})[name] = image;
      else if (ours !== undefined) left.push({ app, field: `image[${name}]`, now: c.image, wrote: ours });
    }
    for (const [name, res] of Object.entries(r.resources ?? {})) {
      const c = current.containers.find((x) => x.name === name);
      if (!c || sameResources(c.resources, res)) continue;
      const ours = w.resources?.[name];
      if (ours && sameResources(c.resources, ours)) (out.resources ??= {})[name] = res;
      else if (ours) left.push({ app, field: `resources[${name}]`, now: show(c.resources), wrote: show(ours) });
    }
    if (r.replicas !== undefined && r.replicas !== current.replicas) {
      if (current.hpa || w.replicas === current.replicas) out.replicas = r.replicas;
      else if (w.replicas !== undefined) left.push({ app, field: 'replicas', now: current.replicas, wrote: w.replicas });
    }
    if (r.hpa && current.hpa && (r.hpa.minReplicas !== current.hpa.minReplicas || r.hpa.maxReplicas !== current.hpa.maxReplicas)) {
      if (w.hpa && w.hpa.minReplicas === current.hpa.minReplicas && w.hpa.maxReplicas === current.hpa.maxReplicas) out.hpa = r.hpa;
      else if (w.hpa) left.push({ app, field: 'hpa', now: `${current.hpa.minReplicas}-${current.hpa.maxReplicas}`, wrote: `${w.hpa.minReplicas}-${w.hpa.maxReplicas}` });
    }
    return { desired: out, left };
  }
  const r = restore as EcsDesiredState;
  const out: EcsDesiredState = {};
  if (r.taskDefinitionArn !== undefined && r.taskDefinitionArn !== current.taskDefinitionArn) {
    if (w.taskDefinitionArn === current.taskDefinitionArn || w.taskDefinitionArn === UNKNOWN_REVISION) out.taskDefinitionArn = r.taskDefinitionArn;
    else if (w.taskDefinitionArn !== undefined) left.push({ app, field: 'taskDefinition', now: current.taskDefinitionArn, wrote: w.taskDefinitionArn });
  }
  if (r.images) {
    // versions-only restore on a new revision: only when the service still runs what the run deployed
    if (w.taskDefinitionArn === undefined || w.taskDefinitionArn === current.taskDefinitionArn || w.taskDefinitionArn === UNKNOWN_REVISION) out.images = r.images;
    else left.push({ app, field: 'taskDefinition', now: current.taskDefinitionArn, wrote: w.taskDefinitionArn });
  }
  if (r.desiredCount !== undefined && r.desiredCount !== current.desiredCount) {
    if (w.desiredCount === current.desiredCount) out.desiredCount = r.desiredCount;
    else if (w.desiredCount !== undefined) left.push({ app, field: 'desiredCount', now: current.desiredCount, wrote: w.desiredCount });
  }
  if (r.autoscaling && current.autoscaling && !sameScalableTarget(r.autoscaling, current.autoscaling)) {
    if (w.autoscaling && sameScalableTarget(w.autoscaling, current.autoscaling)) out.autoscaling = r.autoscaling;
    else if (w.autoscaling) left.push({ app, field: 'autoscaling', now: describeScalableTarget(current.autoscaling), wrote: describeScalableTarget(w.autoscaling) });
  }
  return { desired: out, left };
}
