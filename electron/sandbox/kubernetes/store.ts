import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../base/clock.ts';
import { changedFields, FieldOwners } from './managed-fields.ts';
import { clone, deepEqual, isObject, type Json, type JsonObject } from './patch.ts';
import type { KubeDeploymentSeed, KubeSeed } from './types.ts';

/**
 * The sandbox cluster's state: deployments, HPAs, namespaces and Jobs as the API serves them, one
 * resourceVersion counter, an event history for watches, and a rollout simulation that moves
 * deployment status one replica per step on the sandbox clock. Pods are derived from deployments.
 */

/** Argo CD Applications and Flux Kustomizations / HelmReleases, stored as given (no controller CRD schema) */
export type GitOpsKind = 'applications' | 'kustomizations' | 'helmreleases';
export type EditableKind = 'deployments' | 'horizontalpodautoscalers' | 'leases' | GitOpsKind;
export type StoredKind = 'deployments' | 'horizontalpodautoscalers' | 'namespaces' | 'jobs' | 'leases' | GitOpsKind;

export interface StoreEvent {
  rv: number;
  kind: StoredKind;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: JsonObject;
}

/** An invalid object (→ 422) with the field at fault. */
export class InvalidObject extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

interface RolloutSim {
  /** pods of the current template (ready) */
  updated: number;
  /** pods of earlier templates still running */
  old: number;
  hash: string;
  oldHash: string;
  /** creation time of the current ReplicaSet's pods */
  since: number;
}

export interface KubeStoreOptions {
  clock: Clock;
  /** events kept for watch resumption; older resourceVersions answer 410 Gone */
  historyLimit?: number;
  /** pods that become ready per rollout step; default 1 */
  podsPerStep?: number;
}

const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

export function templateHash(template: Json | undefined): string {
  return createHash('sha1')
    .update(JSON.stringify(template ?? null))
    .digest('hex')
    .slice(0, 10);
}

export class KubeStore {
  private rvCounter = 1;
  private readonly objects: Record<StoredKind, Map<string, JsonObject>> = {
    deployments: new Map(),
    horizontalpodautoscalers: new Map(),
    namespaces: new Map(),
    jobs: new Map(),
    applications: new Map(),
    kustomizations: new Map(),
    helmreleases: new Map(),
    leases: new Map(),
  };
  /** kind/namespace/name → who owns which field (metadata.managedFields) */
  private readonly owners = new Map<string, FieldOwners>();
  private readonly history: StoreEvent[] = [];
  /** a watch resuming from a resourceVersion at or below this answers 410 Gone */
  private expiredThrough = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly sims = new Map<string, RolloutSim>();
  private readonly historyLimit: number;
  private readonly podsPerStep: number;

  constructor(private readonly opts: KubeStoreOptions) {
    this.historyLimit = opts.historyLimit ?? 10_000;
    this.podsPerStep = opts.podsPerStep ?? 1;
  }

  get resourceVersion(): string {
    return String(this.rvCounter);
  }

  private nowIso(): string {
    return new Date(this.opts.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Load a seed: namespaces, deployments with completed rollouts, HPAs. */
  seed(seed: KubeSeed): void {
    for (const ns of new Set([...seed.namespaces, ...seed.deployments.map((d) => d.namespace)])) this.createNamespace(ns);
    for (const obj of seed.gitops ?? []) {
      const o = clone(obj) as JsonObject;
      const kind = ({ Application: 'applications', Kustomization: 'kustomizations', HelmRelease: 'helmreleases' } as const)[String(o.kind) as 'Application'];
      if (!kind || !isObject(o.metadata)) throw new Error(`seed: unsupported GitOps object ${String(o.kind)}`);
      this.createNamespace(String(o.metadata.namespace));
      this.createCustom(kind, o);
    }
    for (const d of seed.deployments) {
      // who applied it: the GitOps controller that manages it, else someone with kubectl
      const creator = d.annotations?.['argocd.argoproj.io/tracking-id'] || d.labels?.['app.kubernetes.io/instance']
        ? 'argocd-controller'
        : d.labels?.['kustomize.toolkit.fluxcd.io/name']
          ? 'kustomize-controller'
          : d.labels?.['helm.toolkit.fluxcd.io/name']
            ? 'helm-controller'
            : 'kubectl-client-side-apply';
      this.createDeployment(seedToDeployment(d), true, creator);
      const hpa = seedToHpa(d);
      if (hpa) {
        const meta = hpa.metadata as JsonObject;
        this.create('horizontalpodautoscalers', d.namespace, String(meta.name), { ...hpa, status: { currentReplicas: d.replicas, desiredReplicas: d.replicas } });
      }
    }
  }

  createNamespace(name: string): JsonObject {
    const existing = this.get('namespaces', undefined, name);
    if (existing) return existing;
    return this.create('namespaces', undefined, name, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  /** Create a coordination.k8s.io/v1 Lease as given (validated here). Throws InvalidObject. */
  createLease(ns: string, obj: JsonObject): JsonObject {
    validateLease(obj);
    const name = String((obj.metadata as JsonObject).name);
    return this.create('leases', ns, name, { ...clone(obj), apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { ...clone(obj.metadata as JsonObject), name, namespace: ns } });
  }

  /** Create a deployment; `ready` seeds it with its rollout already complete. */
  createDeployment(obj: JsonObject, ready = false, manager = 'kubectl-client-side-apply'): JsonObject {
    const meta = obj.metadata as JsonObject;
    const ns = String(meta.namespace);
    const name = String(meta.name);
    validateDeployment(obj, name);
    const spec = obj.spec as JsonObject;
    defaultPodTemplate(spec.template);
    const replicas = spec.replicas as number;
    const hash = templateHash(spec.template);
    this.sims.set(key(ns, name), { updated: ready ? replicas : 0, old: 0, hash, oldHash: hash, since: this.opts.clock.now() });
    obj.status = ready ? {} : { observedGeneration: 0 };
    const created = this.create('deployments', ns, name, obj, randomUUID(), manager);
    if (ready) {
      this.writeStatus(created);
    }
    return this.get('deployments', ns, name) as JsonObject;
  }

  /**
   * Store a batch/v1 Job as given (validated and defaulted by the caller, with its uid already
   * set); status starts empty. The job controller (./jobs.ts) moves it on with writeJobStatus.
   */
  createJob(obj: JsonObject): JsonObject {
    const meta = obj.metadata as JsonObject;
    obj.status = {};
    return this.create('jobs', String(meta.namespace), String(meta.name), obj, String(meta.uid));
  }

  /** The job controller's status write; undefined when that job (this uid) is gone. No-op when unchanged. */
  writeJobStatus(ns: string, name: string, uid: string, status: JsonObject): JsonObject | undefined {
    const job = this.objects.jobs.get(key(ns, name));
    if (!job || (job.metadata as JsonObject).uid !== uid) return undefined;
    if (deepEqual(job.status, status)) return clone(job);
    const rv = ++this.rvCounter;
    job.status = clone(status);
    (job.metadata as JsonObject).resourceVersion = String(rv);
    this.emit({ rv, kind: 'jobs', type: 'MODIFIED', object: clone(job) });
    return clone(job);
  }

  /** Store an Argo CD Application or a Flux Kustomization/HelmRelease as given. */
  createCustom(kind: GitOpsKind, obj: JsonObject, manager = 'kubectl-client-side-apply'): JsonObject {
    const meta = obj.metadata as JsonObject;
    return this.create(kind, String(meta.namespace), String(meta.name), obj, randomUUID(), manager);
  }

  private create(kind: StoredKind, ns: string | undefined, name: string, obj: JsonObject, uid: string = randomUUID(), manager?: string): JsonObject {
    const map = this.objects[kind];
    if (map.has(key(ns, name))) throw new Error(`${kind} ${key(ns, name)} already exists`);
    const rv = ++this.rvCounter;
    const meta = obj.metadata as JsonObject;
    if (manager) {
      const owners = new FieldOwners();
      owners.record(manager, changedFields(undefined, obj), this.nowIso(), String(obj.apiVersion ?? 'v1'));
      this.owners.set(`${kind}/${key(ns, name)}`, owners);
      meta.managedFields = owners.render();
    }
    meta.uid = uid;
    meta.resourceVersion = String(rv);
    meta.creationTimestamp = this.nowIso();
    if (kind !== 'namespaces' && kind !== 'leases') meta.generation = 1;
    map.set(key(ns, name), obj);
    this.emit({ rv, kind, type: 'ADDED', object: clone(obj) });
    return clone(obj);
  }

  get(kind: StoredKind, ns: string | undefined, name: string): JsonObject | undefined {
    const o = this.objects[kind].get(key(ns, name));
    return o ? clone(o) : undefined;
  }

  list(kind: StoredKind, ns?: string): JsonObject[] {
    const out: JsonObject[] = [];
    for (const o of this.objects[kind].values()) {
      if (ns === undefined || (o.metadata as JsonObject).namespace === ns) out.push(clone(o));
    }
    return out.sort((a, b) => String((a.metadata as JsonObject).name).localeCompare(String((b.metadata as JsonObject).name)));
  }

  /**
   * Replace an object with `next` (spec and metadata from the caller; status, uid, creationTimestamp kept).
   * Bumps resourceVersion, and metadata.generation when the spec changed. Throws InvalidObject.
   */
  replace(kind: EditableKind, ns: string, name: string, next: JsonObject, manager = 'unknown'): JsonObject {
    const map = this.objects[kind];
    const cur = map.get(key(ns, name));
    if (!cur) throw new Error(`${kind} ${ns}/${name} not found`);
    const curMeta = cur.metadata as JsonObject;
    const nextMeta = isObject(next.metadata) ? next.metadata : {};
    if (nextMeta.name !== undefined && nextMeta.name !== name) throw new InvalidObject('metadata.name', `metadata.name: Invalid value: "${String(nextMeta.name)}": field is immutable`);
    if (nextMeta.namespace !== undefined && nextMeta.namespace !== ns)
      throw new InvalidObject('metadata.namespace', `metadata.namespace: Invalid value: "${String(nextMeta.namespace)}": field is immutable`);
    if (kind === 'deployments') {
      validateDeployment(next, name);
      defaultPodTemplate((next.spec as JsonObject).template);
    } else if (kind === 'leases') validateLease(next);
    else if (kind === 'horizontalpodautoscalers') validateHpa(next);
    const specChanged = !deepEqual(cur.spec, next.spec);
    const updated: JsonObject = {
      ...clone(next),
      apiVersion: cur.apiVersion as Json,
      kind: cur.kind as Json,
      metadata: {
        ...clone(nextMeta),
        name,
        namespace: ns,
        uid: curMeta.uid as Json,
        creationTimestamp: curMeta.creationTimestamp as Json,
        ...(kind === 'leases' ? {} : { generation: (curMeta.generation as number) + (specChanged ? 1 : 0) }),
      },
      status: clone(cur.status ?? {}),
    };
    // a write that changes nothing keeps the resourceVersion, as the API server does
    const updatedMeta = updated.metadata as JsonObject;
    if (curMeta.managedFields !== undefined) updatedMeta.managedFields = clone(curMeta.managedFields);
    else delete updatedMeta.managedFields;
    const noOp = !specChanged && deepEqual(withoutRv(updated), withoutRv(cur));
    if (noOp) return clone(cur);
    const owners = this.owners.get(`${kind}/${key(ns, name)}`) ?? new FieldOwners();
    this.owners.set(`${kind}/${key(ns, name)}`, owners);
    owners.record(manager, changedFields(cur, updated), this.nowIso(), String(cur.apiVersion ?? 'v1'));
    updatedMeta.managedFields = owners.render();
    const rv = ++this.rvCounter;
    (updated.metadata as JsonObject).resourceVersion = String(rv);
    map.set(key(ns, name), updated);
    if (kind === 'deployments' && specChanged) this.onDeploymentSpecChange(ns, name, updated);
    if (kind === 'horizontalpodautoscalers' && specChanged) this.clampToHpa(updated);
    this.emit({ rv, kind, type: 'MODIFIED', object: clone(updated) });
    return clone(updated);
  }

  delete(kind: StoredKind, ns: string | undefined, name: string): JsonObject | undefined {
    const map = this.objects[kind];
    const cur = map.get(key(ns, name));
    if (!cur) return undefined;
    map.delete(key(ns, name));
    this.owners.delete(`${kind}/${key(ns, name)}`);
    if (kind === 'deployments') this.sims.delete(key(ns, name));
    const rv = ++this.rvCounter;
    const obj = clone(cur);
    (obj.metadata as JsonObject).resourceVersion = String(rv);
    this.emit({ rv, kind, type: 'DELETED', object: obj });
    return obj;
  }

  private onDeploymentSpecChange(ns: string, name: string, dep: JsonObject): void {
    const sim = this.sims.get(key(ns, name));
    if (!sim) return;
    const hash = templateHash((dep.spec as JsonObject).template);
    if (hash !== sim.hash) {
      // a new ReplicaSet: every running pod becomes an old pod
      sim.old += sim.updated;
      sim.updated = 0;
      sim.oldHash = sim.hash;
      sim.hash = hash;
      sim.since = this.opts.clock.now();
    }
  }

  /** An HPA's bounds keep the target's replicas within [min, max], as the controller would. */
  private clampToHpa(hpa: JsonObject): void {
    const spec = hpa.spec as JsonObject;
    const target = spec.scaleTargetRef as JsonObject;
    const ns = String((hpa.metadata as JsonObject).namespace);
    const dep = this.objects.deployments.get(key(ns, String(target.name)));
    if (!dep) return;
    const replicas = (dep.spec as JsonObject).replicas as number;
    const min = (spec.minReplicas as number | undefined) ?? 1;
    const max = spec.maxReplicas as number;
    const clamped = Math.min(max, Math.max(min, replicas));
    if (clamped !== replicas) this.replace('deployments', ns, String(target.name), { ...clone(dep), spec: { ...clone(dep.spec as JsonObject), replicas: clamped } }, 'kube-controller-manager');
  }

  /** One rollout step for every deployment that is not settled. Call on the sandbox clock. */
  tick(): void {
    for (const [k, dep] of this.objects.deployments) {
      const sim = this.sims.get(k);
      if (!sim) continue;
      const desired = (dep.spec as JsonObject).replicas as number;
      if ((dep.spec as JsonObject).paused === true) {
        // paused (`kubectl rollout pause`): no new ReplicaSet rolls out; replica changes still apply, to the pods running
        for (let i = 0; i < this.podsPerStep; i++) {
          if (sim.old > 0) sim.old += sim.updated + sim.old < desired ? 1 : sim.updated + sim.old > desired ? -1 : 0;
          else if (sim.updated !== desired) sim.updated += sim.updated < desired ? 1 : -1;
        }
        this.writeStatus(dep);
        continue;
      }
      for (let i = 0; i < this.podsPerStep; i++) {
        if (sim.updated < desired) sim.updated += 1;
        else if (sim.updated > desired) sim.updated -= 1;
        if (sim.old > 0 && sim.updated + sim.old > desired) sim.old -= 1;
      }
      this.writeStatus(dep);
    }
  }

  private writeStatus(depIn: JsonObject): void {
    const meta = depIn.metadata as JsonObject;
    const k = key(String(meta.namespace), String(meta.name));
    const dep = this.objects.deployments.get(k);
    const sim = this.sims.get(k);
    if (!dep || !sim) return;
    const desired = (dep.spec as JsonObject).replicas as number;
    const total = sim.updated + sim.old;
    const generation = (dep.metadata as JsonObject).generation as number;
    const complete = sim.updated >= desired && total <= sim.updated;
    const maxUnavailable = Math.floor(desired * 0.25);
    const availableOk = total >= desired - maxUnavailable;
    const prev = isObject(dep.status) ? dep.status : {};
    const prevConds = Array.isArray(prev.conditions) ? (prev.conditions as JsonObject[]) : [];
    const now = this.nowIso();
    const cond = (type: string, status: string, reason: string, message: string): JsonObject => {
      const before = prevConds.find((c) => c.type === type);
      const same = before && before.status === status && before.reason === reason;
      return {
        type,
        status,
        lastUpdateTime: same ? (before.lastUpdateTime as Json) : now,
        lastTransitionTime: before && before.status === status ? (before.lastTransitionTime as Json) : now,
        reason,
        message,
      };
    };
    const rsName = `${String(meta.name)}-${sim.hash}`;
    const status: JsonObject = {
      observedGeneration: generation,
      replicas: total,
      updatedReplicas: sim.updated,
      readyReplicas: total,
      availableReplicas: total,
      // 1.37: pods being deleted (the sandbox drains old pods at once)
      terminatingReplicas: 0,
      conditions: [
        cond(
          'Available',
          availableOk ? 'True' : 'False',
          availableOk ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          availableOk ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
        ),
        (dep.spec as JsonObject).paused === true
          ? cond('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused')
          : cond(
              'Progressing',
              'True',
              complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
              complete ? `ReplicaSet "${rsName}" has successfully progressed.` : `ReplicaSet "${rsName}" is progressing.`,
            ),
      ],
    };
    if (total < desired) status.unavailableReplicas = desired - total;
    if (total === 0) {
      delete status.readyReplicas;
      delete status.availableReplicas;
    }
    if (deepEqual(status, prev)) return;
    const rv = ++this.rvCounter;
    dep.status = status;
    (dep.metadata as JsonObject).resourceVersion = String(rv);
    this.emit({ rv, kind: 'deployments', type: 'MODIFIED', object: clone(dep) });
  }

  /** Pods derived from a deployment's rollout state (current and old ReplicaSet). */
  podsOf(dep: JsonObject): JsonObject[] {
    const meta = dep.metadata as JsonObject;
    const ns = String(meta.namespace);
    const name = String(meta.name);
    const sim = this.sims.get(key(ns, name));
    if (!sim) return [];
    const template = ((dep.spec as JsonObject).template ?? {}) as JsonObject;
    const tplMeta = (template.metadata ?? {}) as JsonObject;
    const tplSpec = (template.spec ?? {}) as JsonObject;
    const pods: JsonObject[] = [];
    const make = (hash: string, i: number, spec: JsonObject, since: number): JsonObject => {
      const suffix = createHash('sha1').update(`${ns}/${name}/${hash}/${i}`).digest('hex').slice(0, 5);
      const started = new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const containers = Array.isArray(spec.containers) ? (spec.containers as JsonObject[]) : [];
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-${hash}-${suffix}`,
          generateName: `${name}-${hash}-`,
          namespace: ns,
          uid: createHash('sha1').update(`uid/${ns}/${name}/${hash}/${i}`).digest('hex'),
          resourceVersion: String(meta.resourceVersion),
          creationTimestamp: started,
          labels: { ...((tplMeta.labels ?? {}) as JsonObject), 'pod-template-hash': hash },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}`, uid: hash, controller: true, blockOwnerDeletion: true }],
        },
        spec: clone(spec),
        status: {
          phase: 'Running',
          conditions: [
            { type: 'Initialized', status: 'True', lastTransitionTime: started },
            { type: 'Ready', status: 'True', lastTransitionTime: started },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: started },
            { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
          ],
          podIP: `10.0.${(i % 250) + 1}.${(parseInt(suffix, 16) % 250) + 1}`,
          startTime: started,
          containerStatuses: containers.map((c) => ({
            name: c.name as Json,
            image: c.image as Json,
            imageID: `${String(c.image)}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}`,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: started } },
          })),
        },
      };
    };
    for (let i = 0; i < sim.updated; i++) pods.push(make(sim.hash, i, tplSpec, sim.since));
    // old pods keep their old spec only in spirit: the simulation does not keep old templates
    for (let i = 0; i < sim.old; i++) pods.push(make(sim.oldHash, i, tplSpec, sim.since));
    return pods;
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      const last = dropped[dropped.length - 1];
      if (last) this.expiredThrough = last.rv - 1;
    }
    for (const l of this.listeners) l(e);
  }

  /** Forget all watch history: any watch that resumes from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.expiredThrough = this.rvCounter;
    this.history.length = 0;
  }

  /** Events after `rv`, or undefined when `rv` is older than the retained history (410 Gone). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv <= this.expiredThrough) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function withoutRv(o: JsonObject): JsonObject {
  const c = clone(o);
  if (isObject(c.metadata)) delete c.metadata.resourceVersion;
  return c;
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

export function validateDeployment(obj: JsonObject, name: string): void {
  const spec = obj.spec;
  if (!isObject(spec)) throw new InvalidObject('spec', 'spec: Required value');
  if (!isNonNegInt(spec.replicas)) throw new InvalidObject('spec.replicas', `spec.replicas: Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`);
  const tpl = spec.template;
  const podSpec = isObject(tpl) ? tpl.spec : undefined;
  const containers = isObject(podSpec) ? podSpec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0)
    throw new InvalidObject('spec.template.spec.containers', 'spec.template.spec.containers: Required value');
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const at = `spec.template.spec.containers[${i}]`;
    if (!isObject(c) || typeof c.name !== 'string' || c.name === '') throw new InvalidObject(`${at}.name`, `${at}.name: Required value`);
    if (seen.has(c.name)) throw new InvalidObject(`${at}.name`, `${at}.name: Duplicate value: "${c.name}"`);
    seen.add(c.name);
    if (typeof c.image !== 'string' || c.image === '') throw new InvalidObject(`${at}.image`, `${at}.image: Required value`);
  });
  if (!name) throw new InvalidObject('metadata.name', 'metadata.name: Required value');
}

/** A body the API server cannot decode (→ 400 BadRequest, before any validation). */
export class UndecodableObject extends Error {}

/** metav1.MicroTime's wire format: RFC 3339 with exactly six fraction digits */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** coordination.k8s.io/v1 Lease: MicroTimes that decode, a name, and spec fields of the right types when given. */
export function validateLease(obj: JsonObject): void {
  decodeLease(obj);
  if (!isObject(obj.metadata) || typeof obj.metadata.name !== 'string' || !obj.metadata.name) throw new InvalidObject('metadata.name', 'metadata.name: Required value: name or generateName is required');
  const spec = obj.spec ?? {};
  if (!isObject(spec)) throw new InvalidObject('spec', 'spec: Invalid value: must be an object');
  if (spec.holderIdentity !== undefined && spec.holderIdentity !== null && typeof spec.holderIdentity !== 'string') throw new InvalidObject('spec.holderIdentity', 'spec.holderIdentity: Invalid value: must be a string');
  const d = spec.leaseDurationSeconds;
  if (d !== undefined && d !== null && (!isNonNegInt(d) || d < 1)) throw new InvalidObject('spec.leaseDurationSeconds', `spec.leaseDurationSeconds: Invalid value: ${JSON.stringify(d)}: must be greater than 0`);
}

/** the MicroTimes of a Lease body decode (the API server checks this before anything else) */
export function decodeLease(obj: JsonObject): void {
  const times = isObject(obj.spec) ? obj.spec : {};
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const v = times[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || !MICRO_TIME.test(v)) {
      // the real server's words (Go's time.Parse with the MicroTime layout), e.g. for JavaScript's toISOString()
      const text = String(v);
      throw new UndecodableObject(
        `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(text.slice(19))} as ".000000"`,
      );
    }
  }
}

export function validateHpa(obj: JsonObject): void {
  const spec = obj.spec;
  if (!isObject(spec)) throw new InvalidObject('spec', 'spec: Required value');
  const min = spec.minReplicas ?? 1;
  if (!isNonNegInt(min) || min < 1) throw new InvalidObject('spec.minReplicas', `spec.minReplicas: Invalid value: ${JSON.stringify(min)}: must be greater than or equal to 1`);
  if (!isNonNegInt(spec.maxReplicas) || spec.maxReplicas < min)
    throw new InvalidObject('spec.maxReplicas', `spec.maxReplicas: Invalid value: ${JSON.stringify(spec.maxReplicas)}: must be greater than or equal to \`minReplicas\``);
  if (!isObject(spec.scaleTargetRef) || typeof spec.scaleTargetRef.name !== 'string')
    throw new InvalidObject('spec.scaleTargetRef.name', 'spec.scaleTargetRef.name: Required value');
}

export function seedToDeployment(d: KubeDeploymentSeed): JsonObject {
  const labels: JsonObject = { app: d.name, ...(d.labels ?? {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace, labels: clone(labels), annotations: { 'deployment.kubernetes.io/revision': '1', ...(d.annotations ?? {}) } },
    spec: {
      replicas: d.replicas,
      ...(d.paused ? { paused: true } : {}),
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: d.name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: clone(labels) },
        spec: {
          containers: d.containers.map((c) => {
            const resources: JsonObject = {};
            if (c.resources?.requests) resources.requests = { ...c.resources.requests } as JsonObject;
            if (c.resources?.limits) resources.limits = { ...c.resources.limits } as JsonObject;
            return { name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent', resources, ports: [{ containerPort: 8080, protocol: 'TCP' }] };
          }),
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
  };
}

/** the autoscaling/v2 HPA of a seeded deployment, if it has one (without status) */
export function seedToHpa(d: KubeDeploymentSeed): JsonObject | undefined {
  if (!d.hpa) return undefined;
  const name = d.hpa.name ?? d.name;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: d.namespace, labels: { app: d.name } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: d.name },
      minReplicas: d.hpa.minReplicas,
      maxReplicas: d.hpa.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: d.hpa.targetCpuPercent ?? 70 } } }],
    },
  };
}

/**
 * The defaults the API server fills into a pod template on create and update (what a real server
 * answers with, and what `kubectl get -o json` shows): per container the termination message
 * path and policy, the pull policy and empty resources; per pod the restart and DNS policies,
 * scheduler, security context and grace period.
 */
export function defaultPodTemplate(template: Json | undefined): void {
  if (!isObject(template)) return;
  const pod = isObject(template.spec) ? template.spec : undefined;
  if (!pod) return;
  for (const c of Array.isArray(pod.containers) ? pod.containers : []) {
    if (!isObject(c)) continue;
    const image = typeof c.image === 'string' ? c.image : '';
    const tag = /:([^:/]+)$/.exec(image.replace(/@.*$/, ''))?.[1];
    c.imagePullPolicy ??= image.includes('@') || (tag !== undefined && tag !== 'latest') ? 'IfNotPresent' : 'Always';
    c.resources ??= {};
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
  }
  pod.restartPolicy ??= 'Always';
  pod.terminationGracePeriodSeconds ??= 30;
  pod.dnsPolicy ??= 'ClusterFirst';
  pod.securityContext ??= {};
  pod.schedulerName ??= 'default-scheduler';
}
