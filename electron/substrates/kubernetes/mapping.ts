import type { ContainerResources, HpaBounds, K8sAppState, K8sContainerState, ResourceList, RolloutStatus } from '../../../shared/model/app-state.ts';
import type { K8sAppRef } from '../types.ts';

/**
 * From API objects to the Conductor's app state. Works on both the typed models of
 * @kubernetes/client-node (lists) and the raw JSON of watch events: only these fields are read.
 */
export interface DeploymentLike {
  metadata?: { name?: string; namespace?: string; generation?: number; resourceVersion?: string };
  spec?: {
    replicas?: number;
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
  };
}

/** A stable signature of the pod template's images (of the selected containers), to notice a deploy. */
export function imagesSignature(ref: K8sAppRef, dep: DeploymentLike): string {
  const all = dep.spec?.template?.spec?.containers ?? [];
  const wanted = ref.containers && ref.containers.length ? all.filter((c) => ref.containers?.includes(c.name)) : all;
  return wanted.map((c) => `${c.name}=${c.image ?? ''}`).join(',');
}
