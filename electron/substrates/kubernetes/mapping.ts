import type { ContainerResources, GitOpsManager, HpaBounds, K8sAppState, K8sContainerState, ResourceList, RolloutStatus } from '../../../shared/model/app-state.ts';
import type { K8sAppRef } from '../types.ts';

/**
 * From API objects to the Conductor's app state. Works on both the typed models of
 * @kubernetes/client-node (lists) and the raw JSON of watch events: only these fields are read.
 */
export interface DeploymentLike {
  metadata?: { name?: string; namespace?: string; generation?: number; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    paused?: boolean;
    template?: { spec?: { containers?: { name: string; image?: string; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }[] } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

export interface HpaLike {
  metadata?: { name?: string };
  spec?: { scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number; maxReplicas?: number };
}

function resourceList(src: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = {};
  if (src?.cpu !== undefined) out.cpu = String(src.cpu);
  if (src?.memory !== undefined) out.memory = String(src.memory);
  return out;
}

/** kubectl's notion of a finished rollout (`kubectl rollout status`). */
export function rolloutStatusOf(dep: DeploymentLike): RolloutStatus {
  const desired = dep.spec?.replicas ?? 1;
  const s = dep.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (dep.metadata?.generation ?? 0);
  const updated = s.updatedReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const total = s.replicas ?? 0;
  const complete = observed && updated >= desired && total <= updated && available >= updated;
  return { observed, desired, updated, ready, available, complete };
}

/**
 * Why a rollout will not complete, by kubectl's rule: once the controller has observed the
 * current generation, a Progressing condition with reason ProgressDeadlineExceeded (the
 * deployment made no progress for spec.progressDeadlineSeconds). The condition's message, or undefined.
 */
export function rolloutFailure(dep: DeploymentLike): string | undefined {
  if ((dep.status?.observedGeneration ?? 0) < (dep.metadata?.generation ?? 0)) return undefined;
  const progressing = dep.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason !== 'ProgressDeadlineExceeded') return undefined;
  return progressing.message || 'ProgressDeadlineExceeded';
}

/** The HPA (autoscaling/v2) whose scaleTargetRef is this deployment, if any. */
export function hpaFor(deployment: string, hpas: HpaLike[]): HpaBounds | undefined {
  const h = hpas.find((x) => x.spec?.scaleTargetRef?.kind === 'Deployment' && x.spec.scaleTargetRef.name === deployment);
  if (!h?.spec || h.metadata?.name === undefined) return undefined;
  return { name: h.metadata.name, minReplicas: h.spec.minReplicas ?? 1, maxReplicas: h.spec.maxReplicas ?? 0 };
}

export function toAppState(ref: K8sAppRef, dep: DeploymentLike, hpas: HpaLike[] = []): K8sAppState {
  const all = dep.spec?.template?.spec?.containers ?? [];
  const wanted = ref.containers && ref.containers.length ? all.filter((c) => ref.containers?.includes(c.name)) : all;
  const containers: K8sContainerState[] = wanted.map((c) => {
    const resources: ContainerResources = { requests: resourceList(c.resources?.requests), limits: resourceList(c.resources?.limits) };
    return { name: c.name, image: c.image ?? '', resources };
  });
  const hpa = hpaFor(ref.deployment, hpas);
  return {
    kind: 'kubernetes',
    namespace: ref.namespace,
    deployment: ref.deployment,
    replicas: dep.spec?.replicas ?? 1,
    containers,
    ...(hpa ? { hpa } : {}),
    rollout: rolloutStatusOf(dep),
    ...(dep.spec?.paused ? { paused: true } : {}),
    ...withManager(gitOpsManagerOf(dep.metadata)),
  };
}

const withManager = (m: GitOpsManager | undefined) => (m ? { manager: m } : {});

export const ARGOCD_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const ARGOCD_INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const FLUX_KUSTOMIZE_PREFIX = 'kustomize.toolkit.fluxcd.io';
export const FLUX_HELM_PREFIX = 'helm.toolkit.fluxcd.io';

/**
 * Who reconciles an object, from its metadata: Argo CD's tracking annotation
 * (`<app>:<group>/<kind>:<namespace>/<name>`, `<app>` as `<namespace>_<name>` for Applications
 * outside Argo CD's own namespace) or instance label; Flux's kustomize or helm labels.
 */
export function gitOpsManagerOf(meta: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): GitOpsManager | undefined {
  const labels = meta?.labels ?? {};
  const tracking = meta?.annotations?.[ARGOCD_TRACKING_ID];
  if (tracking) {
    const app = tracking.split(':')[0] ?? '';
    const sep = app.indexOf('_');
    if (app) return sep > 0 ? { kind: 'argocd', application: app.slice(sep + 1), namespace: app.slice(0, sep), via: 'tracking-id' } : { kind: 'argocd', application: app, via: 'tracking-id' };
  }
  const fluxName = labels[`${FLUX_KUSTOMIZE_PREFIX}/name`];
  const fluxNs = labels[`${FLUX_KUSTOMIZE_PREFIX}/namespace`];
  if (fluxName && fluxNs) return { kind: 'flux-kustomization', name: fluxName, namespace: fluxNs };
  const helmName = labels[`${FLUX_HELM_PREFIX}/name`];
  const helmNs = labels[`${FLUX_HELM_PREFIX}/namespace`];
  if (helmName && helmNs) return { kind: 'flux-helmrelease', name: helmName, namespace: helmNs };
  const instance = labels[ARGOCD_INSTANCE_LABEL];
  if (instance) return { kind: 'argocd', application: instance, via: 'instance-label' };
  return undefined;
}

/** A stable signature of the pod template's images (of the selected containers), to notice a deploy. */
export function imagesSignature(ref: K8sAppRef, dep: DeploymentLike): string {
  const all = dep.spec?.template?.spec?.containers ?? [];
  const wanted = ref.containers && ref.containers.length ? all.filter((c) => ref.containers?.includes(c.name)) : all;
  return wanted.map((c) => `${c.name}=${c.image ?? ''}`).join(',');
}
