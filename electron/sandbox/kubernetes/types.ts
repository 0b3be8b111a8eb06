/** Seed and option types of the sandbox Kubernetes API server. */

export interface KubeResourceListSeed {
  cpu?: string;
  memory?: string;
}

export interface KubeContainerSeed {
  name: string;
  image: string;
  resources?: { requests?: KubeResourceListSeed; limits?: KubeResourceListSeed };
}

export interface KubeHpaSeed {
  /** defaults to the deployment's name */
  name?: string;
  minReplicas: number;
  maxReplicas: number;
  /** target average CPU utilisation; default 70 */
  targetCpuPercent?: number;
}

export interface KubeDeploymentSeed {
  namespace: string;
  name: string;
  replicas: number;
  containers: KubeContainerSeed[];
  hpa?: KubeHpaSeed;
  /** extra labels on the deployment and its pods; `app: <name>` is always set */
  labels?: Record<string, string>;
  /** extra annotations on the deployment (e.g. argocd.argoproj.io/tracking-id) */
  annotations?: Record<string, string>;
  /** spec.paused: `kubectl rollout pause` was run on it */
  paused?: boolean;
}

export interface KubeSeed {
  namespaces: string[];
  deployments: KubeDeploymentSeed[];
  /** Argo CD Applications and Flux Kustomizations / HelmReleases, as full objects (apiVersion, kind, metadata, spec) */
  gitops?: Record<string, unknown>[];
}

/** One watch event as the API server streams it (one JSON object per line). */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR' | 'BOOKMARK';
  object: Record<string, unknown>;
}
