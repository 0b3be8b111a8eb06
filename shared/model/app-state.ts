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
}
