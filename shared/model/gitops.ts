import type { GitOpsManager } from './app-state.ts';

/**
 * What a run did about the test environment's other writers — GitOps controllers it paused and
 * changes someone else made mid-run — as the run status, the report and the cockpit show it.
 */

/** Application Auto Scaling on an ECS service's desired count, suspended by the run to hold production's count. */
export interface EcsAutoScaling {
  kind: 'ecs-autoscaling';
  service: string;
}

/**
 * One hold a run placed on what would revert its writes — a GitOps controller (journaled before
 * it was placed), or an ECS service's auto scaling (suspended in the run's own journaled write) —
 * and whether it was lifted: `resume-failed` the run tried and could not (it stays paused),
 * `left` the run did not lift it (someone else changed it since, or the spec says to leave it).
 */
export interface GitOpsPause {
  app: string;
  manager: GitOpsManager | EcsAutoScaling;
  /** what was paused, e.g. `Application argocd/checkout: spec.syncPolicy.automated removed` */
  what: string;
  state: 'paused' | 'resumed' | 'resume-failed' | 'left';
  /** why it was left or failed */
  reason?: string;
}

/** One line for a hold's state, as the terminal, `recover` and the report show it. */
export function describePause(p: GitOpsPause): string {
  const who = `${p.app}: ${p.manager.kind === 'ecs-autoscaling' ? 'Application Auto Scaling' : 'GitOps'}`;
  if (p.state === 'resume-failed') return `${who} left paused — ${p.what}: ${p.reason ?? 'resuming failed'}`;
  if (p.state === 'left') return `${who} left as it is — ${p.what}${p.reason ? ` (${p.reason})` : ''}`;
  return `${who} ${p.state} — ${p.what}`;
}

/** A change to an in-scope test object that the conductor did not make. */
export interface OtherWriterChange {
  app: string;
  /** e.g. `deployments shop/checkout-api` */
  object: string;
  /** e.g. `image[checkout-api]`, `replicas` */
  field: string;
  from: string | number | null;
  to: string | number | null;
  /** the managedFields manager that made it (`kubectl-edit`, `argocd-controller` …), or `unknown` */
  manager: string;
  /** ms since run start */
  t: number;
}

/** One line for a manager, for parity, the run view and messages. */
export function describeManager(m: GitOpsManager | undefined): string {
  if (!m) return 'none';
  if (m.kind === 'argocd') return `Argo CD Application ${m.namespace ? `${m.namespace}/` : ''}${m.application}`;
  if (m.kind === 'flux-kustomization') return `Flux Kustomization ${m.namespace}/${m.name}`;
  return `Flux HelmRelease ${m.namespace}/${m.name}`;
}

/** A Kubernetes object a hold touches. */
export interface HeldObject {
  resource: 'deployments' | 'horizontalpodautoscalers';
  namespace: string;
  name: string;
}

/**
 * A hold on a GitOps controller: exactly what would revert the run's writes, and the value it
 * replaced, so that restore and `recover` can lift it. Journaled before it is placed.
 * - argocd: the Application's `spec.syncPolicy.automated` (removed while held; `previous` is put back);
 * - flux: an annotation on each object the run patches (`kustomize.toolkit.fluxcd.io/reconcile` or
 *   `helm.toolkit.fluxcd.io/driftDetection` set to `disabled`; `previous` per object, null when absent).
 */
export type GitOpsHold =
  | { kind: 'argocd'; apps: string[]; namespace: string; application: string; previous: unknown }
  | { kind: 'flux'; apps: string[]; annotation: string; objects: (HeldObject & { previous: string | null })[] };

export function describeHold(h: GitOpsHold): string {
  if (h.kind === 'argocd') return `Argo CD Application ${h.namespace}/${h.application}: automated sync (spec.syncPolicy.automated) off`;
  return `Flux: ${h.annotation}=disabled on ${h.objects.map((o) => `${o.resource} ${o.namespace}/${o.name}`).join(', ')}`;
}
