/**
 * What an application looks like on one side (production or test), as read by a substrate adapter.
 * Quantities are kept as Kubernetes strings ("500m", "1Gi") or ECS unit strings ("512") so that
 * parity compares exactly what the platform reports.
 */
export interface ResourceList {
  cpu?: string;
  memory?: string;
}

export interface ContainerResources {
  requests: ResourceList;
  limits: ResourceList;
}

export interface K8sContainerState {
  name: string;
  image: string;
  resources: ContainerResources;
}

export interface RolloutStatus {
  /** metadata.generation vs status.observedGeneration */
  observed: boolean;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  /** true when the rollout is complete (all replicas updated, ready and available, generation observed). */
  complete: boolean;
}

export interface HpaBounds {
  name: string;
  minReplicas: number;
  maxReplicas: number;
}

export interface K8sAppState {
  kind: 'kubernetes';
  namespace: string;
  deployment: string;
  replicas: number;
  containers: K8sContainerState[];
  hpa?: HpaBounds;
  rollout: RolloutStatus;
  /** spec.paused (`kubectl rollout pause`): a template change would never roll out */
  paused?: boolean;
  /** who reconciles this Deployment in its cluster (GitOps), from its labels and annotations */
  manager?: GitOpsManager;
}

/**
 * A GitOps controller that owns a Kubernetes object and would revert what the conductor patches.
 * Argo CD: the object's `argocd.argoproj.io/tracking-id` annotation or `app.kubernetes.io/instance`
 * label names the Application; Flux: the `kustomize.toolkit.fluxcd.io/name|namespace` labels name
 * the Kustomization, `helm.toolkit.fluxcd.io/name|namespace` the HelmRelease.
 */
export type GitOpsManager =
  | { kind: 'argocd'; application: string; namespace?: string; via: 'tracking-id' | 'instance-label' }
  | { kind: 'flux-kustomization'; name: string; namespace: string }
  | { kind: 'flux-helmrelease'; name: string; namespace: string };

/** An ECS service's Application Auto Scaling scalable target (ecs:service:DesiredCount). */
export interface EcsScalableTarget {
  minCapacity: number;
  maxCapacity: number;
  suspended: { dynamicScalingIn: boolean; dynamicScalingOut: boolean; scheduledScaling: boolean };
}

/** `none`, or which of dynamic scale-in, scale-out and scheduled scaling are suspended (null: no scalable target) */
export function suspendedText(t: EcsScalableTarget | undefined): string | null {
  if (!t) return null;
  const s = [t.suspended.dynamicScalingIn && 'scale-in', t.suspended.dynamicScalingOut && 'scale-out', t.suspended.scheduledScaling && 'scheduled'].filter(Boolean);
  return s.length ? s.join(', ') : 'none';
}

/** e.g. `min 1, max 6, suspended: scale-in, scale-out, scheduled` */
export function describeScalableTarget(t: EcsScalableTarget): string {
  return `min ${t.minCapacity}, max ${t.maxCapacity}, suspended: ${suspendedText(t) ?? 'none'}`;
}

export interface EcsContainerState {
  name: string;
  image: string;
  /** container-level cpu units, if set */
  cpu?: number;
  /** container-level hard memory limit (MiB), if set */
  memory?: number;
  /** container-level soft memory limit (MiB), if set */
  memoryReservation?: number;
}

export interface EcsAppState {
  kind: 'ecs';
  cluster: string;
  service: string;
  desiredCount: number;
  runningCount: number;
  /** task definition ARN the service's primary deployment uses */
  taskDefinitionArn: string;
  /** task-level cpu and memory as ECS reports them ("512", "1024") */
  taskCpu?: string;
  taskMemory?: string;
  containers: EcsContainerState[];
  /** true when the primary deployment is complete and running == desired */
  steady: boolean;
  /** the service's scalable target, when Application Auto Scaling manages its desired count */
  autoscaling?: EcsScalableTarget;
}

export type AppState = K8sAppState | EcsAppState;

/** What the conductor wants a test-side Kubernetes app to look like. Only the fields present are changed. */
export interface K8sDesiredState {
  replicas?: number;
  /** container name → image */
  images?: Record<string, string>;
  /** container name → resources (requests/limits replace the container's requests/limits) */
  resources?: Record<string, ContainerResources>;
  /** HPA bounds, applied only if the test app has an HPA */
  hpa?: { minReplicas: number; maxReplicas: number };
}

/** What the conductor wants a test-side ECS service to look like. */
export interface EcsDesiredState {
  desiredCount?: number;
  /** container name → image */
  images?: Record<string, string>;
  taskCpu?: string;
  taskMemory?: string;
  /** container name → container cpu/memory */
  containerSizes?: Record<string, { cpu?: number; memory?: number; memoryReservation?: number }>;
  /** restore path: point the service back at this exact task definition instead of registering a new revision */
  taskDefinitionArn?: string;
  /** the scalable target's bounds and suspension, written (one RegisterScalableTarget) before the service */
  autoscaling?: EcsScalableTarget;
}
