import type { EcsAppState, EcsDesiredState, GitOpsManager, K8sAppState, K8sDesiredState, RolloutStatus } from '../../shared/model/app-state.ts';
import type { GitOpsHold, HeldObject, OtherWriterChange } from '../../shared/model/gitops.ts';
import { sameResolvedEndpoint, type ResolvedEndpoint } from '../base/address.ts';

/**
 * The seams between the conductor and the platforms. Production gets a *Reader* (no mutating
 * methods at all); only the test side gets a *Writer*. Both are built by the adapters in
 * ./kubernetes and ./ecs on the real clients (@kubernetes/client-node, @aws-sdk/client-ecs).
 */

export interface K8sAppRef {
  /** the application name from the spec */
  app: string;
  namespace: string;
  deployment: string;
  /** only these containers are considered; default all */
  containers?: string[];
}

export interface EcsAppRef {
  app: string;
  service: string;
  containers?: string[];
}

/** Identifies where an adapter points, for guards, errors and the UI (never credentials). */
export interface K8sTarget {
  context: string;
  /** the API server URL */
  server: string;
}

export interface EcsTarget {
  region: string;
  cluster: string;
  endpoint?: string;
  profile?: string;
}

/**
 * Who a side really is, asked of the server itself — never derived from a URL, a context or a
 * name. A Kubernetes cluster is its kube-system namespace's UID; an ECS cluster is the clusterArn
 * DescribeClusters returns (account, region, name) at the address its endpoint resolves to.
 */
export type EnvironmentIdentity =
  | { substrate: 'kubernetes'; uid: string; server: string; context: string }
  | { substrate: 'ecs'; clusterArn: string; endpoint: ResolvedEndpoint | null };

/** Same cluster? (Kubernetes: same kube-system UID; ECS: same cluster ARN reached at the same resolved endpoint.) */
export function sameIdentity(a: EnvironmentIdentity, b: EnvironmentIdentity): boolean {
  if (a.substrate === 'kubernetes' && b.substrate === 'kubernetes') return a.uid === b.uid;
  if (a.substrate === 'ecs' && b.substrate === 'ecs') {
    if (a.clusterArn !== b.clusterArn) return false;
    if (!a.endpoint || !b.endpoint) return !a.endpoint && !b.endpoint;
    return sameResolvedEndpoint(a.endpoint, b.endpoint);
  }
  return false;
}

/** A coordination.k8s.io/v1 Lease as the lock needs it. */
export interface LeaseRecord {
  holderIdentity: string | null;
  leaseDurationSeconds: number;
  /** ISO time (MicroTime) */
  acquireTime: string | null;
  renewTime: string | null;
  annotations: Record<string, string>;
  resourceVersion: string;
}

export interface LeaseWrite {
  holderIdentity: string | null;
  leaseDurationSeconds: number;
  acquireTime: string | null;
  renewTime: string | null;
  annotations: Record<string, string>;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (status: RolloutStatus) => void;
}

export interface KubernetesReader {
  readonly target: K8sTarget;
  /** the cluster's identity: its kube-system namespace UID (a read; errors are SubstrateErrors) */
  identity(signal?: AbortSignal): Promise<Extract<EnvironmentIdentity, { substrate: 'kubernetes' }>>;
  /**
   * Read many apps in bulk (one list of deployments and one of HPAs per namespace).
   * A missing deployment maps to null.
   */
  readApps(refs: K8sAppRef[], signal?: AbortSignal): Promise<Map<string, K8sAppState | null>>;
  /** Watch deployments in these namespaces; calls back with the app name when its pod template (images) changes. Returns a stop function. */
  watchTemplates?(refs: K8sAppRef[], onChange: (app: string, state: K8sAppState) => void): () => void;
}

export interface KubernetesWriter extends KubernetesReader {
  /** Apply the desired state in as few patches as possible (one deployment patch, one HPA patch if needed). */
  apply(ref: K8sAppRef, desired: K8sDesiredState, signal?: AbortSignal): Promise<void>;
  /** Wait for the deployment's rollout to complete, via a watch that resumes when dropped. */
  waitForRollout(ref: K8sAppRef, opts: WaitOptions): Promise<K8sAppState>;
  /**
   * Optional (cleanup hooks): create a batch/v1 Job in the test cluster and wait until it
   * succeeds or fails, within opts.timeoutMs. When absent, the conductor skips Job hooks with a log line.
   * The Kubernetes adapter resolves `{succeeded: true, job, message}` on Complete and rejects with a
   * SubstrateError on Failed, TimeoutError on timeout, AbortedError on abort (deleting the Job then).
   * `runId` goes into the Job's name suffix; `job` is the created Job's name.
   */
  /** the lock's Lease: null when absent */
  readLease(namespace: string, name: string, signal?: AbortSignal): Promise<LeaseRecord | null>;
  /** create (no resourceVersion) or replace (resourceVersion must still match: a 409 means someone else wrote it) */
  writeLease(namespace: string, name: string, lease: LeaseWrite, resourceVersion: string | null, signal?: AbortSignal): Promise<LeaseRecord>;
  runJob?(job: K8sJobSpec, opts: { timeoutMs: number; signal?: AbortSignal; runId?: string }): Promise<{ succeeded: boolean; message?: string; job?: string }>;
  /** Optional: GitOps holds (Argo CD, Flux). Without it, managed apps are reported and not paused. */
  gitops?: GitOpsHolds;
  /** Optional: watch these apps' Deployments and report every spec change, field by field, with who made it. Returns stop(). */
  watchChanges?(refs: K8sAppRef[], onChange: (change: ObjectChange) => void): () => void;
}

/** One field of a test object changed, and by whom (the managedFields manager); the run adds when. */
export type ObjectChange = Omit<OtherWriterChange, 't'>;

/** Pausing and resuming the GitOps controllers that would revert the run's writes (./kubernetes/gitops.ts). */
export interface GitOpsHolds {
  /** Reads only: the hold that keeps `manager` off these objects, none (with a note) when nothing would revert them, or a refusal. */
  plan(app: string, manager: GitOpsManager, objects: HeldObject[], signal?: AbortSignal): Promise<{ hold: GitOpsHold | null; note?: string; refusal?: string }>;
  pause(hold: GitOpsHold, signal?: AbortSignal): Promise<void>;
  /** Compare-and-set: lifts the hold only where it is still in place. */
  resume(hold: GitOpsHold, signal?: AbortSignal): Promise<{ resumed: boolean; reason?: string }>;
}

/** A cleanup Job: one container running `command` in `image`. */
export interface K8sJobSpec {
  namespace: string;
  name: string;
  image: string;
  command: string[];
}

export interface EcsReader {
  readonly target: EcsTarget;
  /** the cluster's identity: the clusterArn DescribeClusters returns, and the endpoint's resolved address */
  identity(signal?: AbortSignal): Promise<Extract<EnvironmentIdentity, { substrate: 'ecs' }>>;
  /** Read many services (DescribeServices batched by 10, task definitions de-duplicated). Missing → null. */
  readApps(refs: EcsAppRef[], signal?: AbortSignal): Promise<Map<string, EcsAppState | null>>;
}

export interface EcsWriter extends EcsReader {
  /**
   * Register a task-definition revision derived from the service's current one with the desired
   * images and sizes (unless `desired.taskDefinitionArn` is given), then update the service.
   * Returns the task definition ARN the service now uses.
   */
  apply(ref: EcsAppRef, desired: EcsDesiredState, signal?: AbortSignal): Promise<string>;
  /** Wait for steady state: primary deployment complete and running == desired. */
  waitForSteady(ref: EcsAppRef, opts: Omit<WaitOptions, 'onProgress'> & { onProgress?: (s: { desired: number; running: number; pending: number }) => void }): Promise<EcsAppState>;
  /** Optional: a poller of these services' changes, field by field (ECS has no watch). */
  changePoller?(refs: EcsAppRef[]): EcsChangePoller;
}

/**
 * Someone else's changes to ECS services, by polling: the first poll reads the baseline and
 * returns none; each later one returns what changed since the previous (DescribeServices in
 * batches of 10, the task definitions, the scalable targets).
 */
export interface EcsChangePoller {
  poll(signal?: AbortSignal): Promise<ObjectChange[]>;
}

/** ECS records no author for a change: who an ObjectChange names when nothing else tells */
export const ECS_UNKNOWN_WRITER = 'someone else (ECS does not record who)';
/** a desired count that moved where Application Auto Scaling could have moved it (inside its bounds, that direction not suspended) */
export const ECS_AUTOSCALER = 'application-autoscaling';

/** The substrate clients for one run: production read-only, test read-write. Either side may lack a substrate. */
export interface Substrates {
  production: { kubernetes?: KubernetesReader; ecs?: EcsReader };
  test: { kubernetes?: KubernetesWriter; ecs?: EcsWriter };
}
