import type { Clock } from '../../base/clock.ts';
import { DEFAULT_ECS_TIMING, type EcsSeed, type EcsSeedTaskDefinition, type EcsTiming } from './seed.ts';

/**
 * The state behind the sandbox ECS endpoint and the operations on it, in the shapes of the ECS
 * JSON 1.1 API (API version 2014-11-13). Deployments progress lazily on the sandbox clock: every
 * read computes where a rollout is at `clock.now()` from closed-form timings, so results do not
 * depend on how often anyone polls.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An error the API answers with: `{"__type": type, "message": message}` and an HTTP status. */
export class EcsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'EcsApiError';
  }
}

const clientError = (message: string) => new EcsApiError('ClientException', message);
const invalidParameter = (message: string) => new EcsApiError('InvalidParameterException', message);

interface TaskDefinitionRec {
  family: string;
  revision: number;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: number;
  /** the registered document without the read-only fields */
  body: JsonObject;
  tags: JsonValue[];
}

interface DeploymentRec {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  /** running tasks when the current target was set */
  base: number;
  /** simulated ms when the current target was set */
  since: number;
  createdAt: number;
  updatedAt: number;
  launchType: string;
  /** ACTIVE (superseded) deployments: running tasks frozen at supersession */
  frozenRunning?: number;
  /** PRIMARY: the rollout state; COMPLETED sticks once reached */
  completedAt?: number;
  initiallyCompleted?: boolean;
}

interface ServiceEventRec {
  id: string;
  createdAt: number;
  message: string;
}

interface ServiceRec {
  name: string;
  arn: string;
  cluster: string;
  status: 'ACTIVE' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  launchType: string;
  createdAt: number;
  deployments: DeploymentRec[];
  events: ServiceEventRec[];
}

interface ClusterRec {
  name: string;
  arn: string;
  services: Map<string, ServiceRec>;
}

const FAMILY_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_EVENTS = 100;

/** Fields RegisterTaskDefinition accepts (everything else in a request is ignored). */
const REGISTER_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const;

const seconds = (ms: number) => Math.round(ms) / 1000;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(body: JsonObject, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`${key} must be a string.`);
  return v;
}

function strList(body: JsonObject, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidParameter(`${key} must be a list of strings.`);
  return v as string[];
}

function int(body: JsonObject, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidParameter(`${key} must be an integer.`);
  return v;
}

export class EcsStore {
  readonly region: string;
  readonly accountId: string;
  readonly timing: EcsTiming;
  private readonly clusters = new Map<string, ClusterRec>();
  private readonly taskDefinitions = new Map<string, Map<number, TaskDefinitionRec>>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    seed: EcsSeed,
    timing: Partial<EcsTiming> = {},
  ) {
    this.region = seed.region;
    this.accountId = seed.accountId;
    this.timing = { ...DEFAULT_ECS_TIMING, ...timing };
    const born = clock.now() - 86_400_000;
    for (const td of seed.taskDefinitions ?? []) this.registerSeed(td, born);
    for (const c of seed.clusters) {
      const cluster: ClusterRec = { name: c.name, arn: this.clusterArn(c.name), services: new Map() };
      this.clusters.set(c.name, cluster);
      for (const s of c.services) {
        const td = this.registerSeed(s.taskDefinition, born);
        const launchType = s.launchType ?? 'FARGATE';
        const dep: DeploymentRec = {
          id: this.deploymentId(),
          status: 'PRIMARY',
          taskDefinition: td.arn,
          desiredCount: s.desiredCount,
          base: s.desiredCount,
          since: born,
          createdAt: born,
          updatedAt: born,
          launchType,
          completedAt: born,
          initiallyCompleted: true,
        };
        cluster.services.set(s.name, {
          name: s.name,
          arn: this.serviceArn(c.name, s.name),
          cluster: c.name,
          status: s.inactive ? 'INACTIVE' : 'ACTIVE',
          desiredCount: s.inactive ? 0 : s.desiredCount,
          taskDefinition: td.arn,
          launchType,
          createdAt: born,
          deployments: s.inactive ? [] : [dep],
          events: [{ id: this.eventId(), createdAt: born, message: `(service ${s.name}) has reached a steady state.` }],
        });
      }
    }
  }

  // ---- naming -------------------------------------------------------------------------------

  clusterArn(name: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:cluster/${name}`;
  }
  serviceArn(cluster: string, name: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:service/${cluster}/${name}`;
  }
  taskDefinitionArn(family: string, revision: number): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:task-definition/${family}:${revision}`;
  }
  private deploymentId(): string {
    this.seq += 1;
    return `ecs-svc/${String(4_000_000_000_000_000_000n + BigInt(this.seq * 7919))}`;
  }
  private eventId(): string {
    this.seq += 1;
    const hex = this.seq.toString(16).padStart(12, '0');
    return `6f1c2a3b-0000-4000-8000-${hex}`;
  }

  /** a cluster name from a name or an ARN; undefined when the argument names nothing parseable */
  static clusterName(ref: string): string {
    const m = /^arn:aws[a-z-]*:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(ref);
    return m ? m[1]! : ref;
  }

  private cluster(ref: string | undefined): ClusterRec {
    const name = EcsStore.clusterName(ref ?? 'default');
    const c = this.clusters.get(name);
    if (!c) throw new EcsApiError('ClusterNotFoundException', 'Cluster not found.');
    return c;
  }

  private serviceName(ref: string): string {
    const m = /^arn:aws[a-z-]*:ecs:[^:]*:[^:]*:service\/(?:[^/]+\/)?(.+)$/.exec(ref);
    return m ? m[1]! : ref;
  }

  clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  // ---- task definitions ---------------------------------------------------------------------

  private registerSeed(td: EcsSeedTaskDefinition, at: number): TaskDefinitionRec {
    const revs = this.taskDefinitions.get(td.family);
    if (td.revision !== undefined && revs?.has(td.revision)) return revs.get(td.revision)!;
    const body: JsonObject = {
      family: td.family,
      containerDefinitions: td.containers.map((c) => {
        const def: JsonObject = {
          name: c.name,
          image: c.image,
          essential: c.essential ?? true,
          portMappings: (c.portMappings ?? []).map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort ?? p.containerPort, protocol: p.protocol ?? 'tcp' })),
          environment: (c.environment ?? []).map((e) => ({ name: e.name, value: e.value })),
          mountPoints: [],
          volumesFrom: [],
        };
        if (c.cpu !== undefined) def.cpu = c.cpu;
        if (c.memory !== undefined) def.memory = c.memory;
        if (c.memoryReservation !== undefined) def.memoryReservation = c.memoryReservation;
        return withContainerDefaults(def, td.networkMode ?? 'awsvpc');
      }),
      volumes: [],
      placementConstraints: [],
    };
    if (td.cpu !== undefined) body.cpu = td.cpu;
    if (td.memory !== undefined) body.memory = td.memory;
    body.networkMode = td.networkMode ?? 'awsvpc';
    body.requiresCompatibilities = td.requiresCompatibilities ?? ['FARGATE'];
    if (td.executionRoleArn) body.executionRoleArn = td.executionRoleArn;
    if (td.taskRoleArn) body.taskRoleArn = td.taskRoleArn;
    return this.insertTaskDefinition(body, at, [], td.revision);
  }

  private insertTaskDefinition(body: JsonObject, at: number, tags: JsonValue[], revision?: number): TaskDefinitionRec {
    const family = body.family as string;
    let revs = this.taskDefinitions.get(family);
    if (!revs) this.taskDefinitions.set(family, (revs = new Map()));
    const rev = revision ?? Math.max(0, ...revs.keys()) + 1;
    const rec: TaskDefinitionRec = { family, revision: rev, arn: this.taskDefinitionArn(family, rev), status: 'ACTIVE', registeredAt: at, body, tags };
    revs.set(rev, rec);
    return rec;
  }

  /** resolve "family", "family:revision" or a task definition ARN */
  private findTaskDefinition(ref: string): TaskDefinitionRec | undefined {
    const m = /^(?:arn:aws[a-z-]*:ecs:[^:]*:[^:]*:task-definition\/)?([a-zA-Z0-9_-]+)(?::(\d+))?$/.exec(ref);
    if (!m) return undefined;
    const revs = this.taskDefinitions.get(m[1]!);
    if (!revs) return undefined;
    if (m[2] !== undefined) return revs.get(Number(m[2]));
    const active = [...revs.values()].filter((r) => r.status === 'ACTIVE');
    return active.sort((a, b) => b.revision - a.revision)[0];
  }

  private taskDefinitionJson(td: TaskDefinitionRec): JsonObject {
    const compat = (td.body.requiresCompatibilities as string[] | undefined)?.includes('FARGATE') ? ['EC2', 'FARGATE'] : ['EC2'];
    const requiresAttributes: JsonValue[] = [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }];
    if (td.body.networkMode === 'awsvpc') requiresAttributes.push({ name: 'ecs.capability.task-eni' });
    if (td.body.executionRoleArn) requiresAttributes.push({ name: 'ecs.capability.execution-role-ecr-pull' });
    return {
      taskDefinitionArn: td.arn,
      ...structuredClone(td.body),
      revision: td.revision,
      status: td.status,
      requiresAttributes,
      compatibilities: compat,
      registeredAt: seconds(td.registeredAt),
      registeredBy: `arn:aws:sts::${this.accountId}:assumed-role/sandbox/conductor`,
    };
  }

  describeTaskDefinition(body: JsonObject): JsonObject {
    const ref = str(body, 'taskDefinition');
    if (!ref) throw clientError('TaskDefinition cannot be empty.');
    const td = this.findTaskDefinition(ref);
    if (!td) throw clientError('Unable to describe task definition.');
    const out: JsonObject = { taskDefinition: this.taskDefinitionJson(td) };
    if (strList(body, 'include')?.includes('TAGS')) out.tags = structuredClone(td.tags);
    return out;
  }

  registerTaskDefinition(body: JsonObject): JsonObject {
    const family = str(body, 'family');
    if (!family) throw clientError('Family cannot be empty.');
    if (!FAMILY_RE.test(family)) throw clientError('Family contains invalid characters; up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
    const defs = body.containerDefinitions;
    if (!Array.isArray(defs) || defs.length === 0) throw clientError('Container list cannot be empty.');
    const names = new Set<string>();
    const cpu = str(body, 'cpu');
    const memory = str(body, 'memory');
    const compat = strList(body, 'requiresCompatibilities') ?? [];
    const networkMode = str(body, 'networkMode');
    for (const d of defs) {
      if (!isObject(d)) throw invalidParameter('containerDefinitions must be a list of objects.');
      const name = typeof d.name === 'string' ? d.name : '';
      if (!name) throw clientError('Container.name should not be null or empty.');
      if (typeof d.image !== 'string' || !d.image) throw clientError('Container.image should not be null or empty.');
      if (names.has(name)) throw clientError(`Duplicate container name: ${name}.`);
      names.add(name);
      if (memory === undefined && d.memory === undefined && d.memoryReservation === undefined)
        throw clientError(`Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
      if (typeof d.memory === 'number' && typeof d.memoryReservation === 'number' && d.memoryReservation > d.memory)
        throw clientError(`Invalid setting for container '${name}'. 'memoryReservation' must be less than or equal to 'memory'.`);
    }
    if (compat.includes('FARGATE')) {
      if (networkMode !== 'awsvpc') throw clientError("Fargate only supports network mode 'awsvpc'.");
      if (cpu === undefined) throw clientError("Fargate requires that 'cpu' be defined at the task level.");
      if (memory === undefined) throw clientError("Fargate requires that 'memory' be defined at the task level.");
    }
    if (memory !== undefined) {
      const total = defs.reduce<number>((sum, d) => sum + (isObject(d) && typeof d.memory === 'number' ? d.memory : 0), 0);
      if (Number(memory) < total) throw clientError(`Invalid 'memory' setting for task. The task memory (${memory}) is less than the sum of container memory (${total}).`);
    }
    const stored: JsonObject = {};
    for (const k of REGISTER_FIELDS) if (body[k] !== undefined && body[k] !== null) stored[k] = structuredClone(body[k]);
    stored.containerDefinitions = (stored.containerDefinitions as JsonObject[]).map((d) => withContainerDefaults(d, networkMode));
    stored.volumes ??= [];
    stored.placementConstraints ??= [];
    const tags = Array.isArray(body.tags) ? structuredClone(body.tags) : [];
    const td = this.insertTaskDefinition(stored, this.clock.now(), tags);
    return { taskDefinition: this.taskDefinitionJson(td), tags };
  }

  // ---- deployments over time -----------------------------------------------------------------

  private runningAt(dep: DeploymentRec, t: number): number {
    const { taskStartDelayMs, taskStaggerMs, drainMs } = this.timing;
    if (dep.desiredCount >= dep.base) {
      if (t < dep.since + taskStartDelayMs) return dep.base;
      const n = Math.floor((t - dep.since - taskStartDelayMs) / Math.max(1, taskStaggerMs)) + 1;
      return Math.min(dep.desiredCount, dep.base + n);
    }
    return t >= dep.since + drainMs ? dep.desiredCount : dep.base;
  }

  /** when the deployment's running count reaches its desired count */
  private reachedAt(dep: DeploymentRec): number {
    const { taskStartDelayMs, taskStaggerMs, drainMs } = this.timing;
    if (dep.desiredCount > dep.base) return dep.since + taskStartDelayMs + (dep.desiredCount - dep.base - 1) * taskStaggerMs;
    if (dep.desiredCount < dep.base) return dep.since + drainMs;
    return dep.since;
  }

  /** bring a service's deployments up to `now`: drain and drop superseded ones, complete the primary */
  private refresh(svc: ServiceRec): void {
    const now = this.clock.now();
    const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
    if (!primary) return;
    const reached = this.reachedAt(primary);
    if (now < reached) return;
    let lastRemoval = reached;
    const keep: DeploymentRec[] = [];
    for (const d of svc.deployments) {
      if (d.status === 'PRIMARY') {
        keep.push(d);
        continue;
      }
      const removeAt = Math.max(reached, d.since) + this.timing.drainMs;
      if (now < removeAt) keep.push(d);
      else lastRemoval = Math.max(lastRemoval, removeAt);
    }
    svc.deployments = keep;
    if (keep.length === 1 && primary.completedAt === undefined) {
      primary.completedAt = lastRemoval;
      primary.updatedAt = lastRemoval;
      this.addEvent(svc, lastRemoval, `(service ${svc.name}) has reached a steady state.`);
      this.addEvent(svc, lastRemoval, `(service ${svc.name}) (deployment ${primary.id}) deployment completed.`);
    }
  }

  private deploymentCounts(d: DeploymentRec, now: number): { running: number; pending: number } {
    if (d.status === 'PRIMARY') {
      const running = this.runningAt(d, now);
      return { running, pending: Math.max(0, d.desiredCount - running) };
    }
    return { running: d.frozenRunning ?? 0, pending: 0 };
  }

  private addEvent(svc: ServiceRec, at: number, message: string): void {
    svc.events.unshift({ id: this.eventId(), createdAt: at, message });
    if (svc.events.length > MAX_EVENTS) svc.events.length = MAX_EVENTS;
  }

  private serviceJson(svc: ServiceRec, includeTags: boolean): JsonObject {
    this.refresh(svc);
    const now = this.clock.now();
    let running = 0;
    let pending = 0;
    const network: JsonObject = {
      awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
    };
    const deployments = svc.deployments.map((d) => {
      const c = this.deploymentCounts(d, now);
      running += c.running;
      pending += c.pending;
      const completed = d.status === 'PRIMARY' && d.completedAt !== undefined && d.completedAt <= now;
      const dep: JsonObject = {
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition,
        desiredCount: d.status === 'PRIMARY' ? d.desiredCount : 0,
        pendingCount: c.pending,
        runningCount: c.running,
        failedTasks: 0,
        createdAt: seconds(d.createdAt),
        updatedAt: seconds(d.updatedAt),
        launchType: d.launchType,
        networkConfiguration: network,
        rolloutState: d.status === 'PRIMARY' ? (completed ? 'COMPLETED' : 'IN_PROGRESS') : 'COMPLETED',
        rolloutStateReason: d.status === 'PRIMARY' && completed ? 'ECS deployment ' + d.id + ' completed.' : 'ECS deployment ' + d.id + ' in progress.',
      };
      if (d.launchType === 'FARGATE') {
        dep.platformVersion = '1.4.0';
        dep.platformFamily = 'Linux';
      }
      return dep;
    });
    const out: JsonObject = {
      serviceArn: svc.arn,
      serviceName: svc.name,
      clusterArn: this.clusterArn(svc.cluster),
      loadBalancers: [],
      serviceRegistries: [],
      status: svc.status,
      desiredCount: svc.desiredCount,
      runningCount: running,
      pendingCount: pending,
      launchType: svc.launchType,
      taskDefinition: svc.taskDefinition,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, maximumPercent: 200, minimumHealthyPercent: 100 },
      deployments,
      events: svc.events.filter((e) => e.createdAt <= now).map((e) => ({ id: e.id, createdAt: seconds(e.createdAt), message: e.message })),
      createdAt: seconds(svc.createdAt),
      placementConstraints: [],
      placementStrategy: [],
      networkConfiguration: network,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      createdBy: `arn:aws:iam::${this.accountId}:role/sandbox`,
      enableECSManagedTags: false,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
    };
    if (svc.launchType === 'FARGATE') {
      out.platformVersion = 'LATEST';
      out.platformFamily = 'Linux';
    }
    if (includeTags) out.tags = [];
    return out;
  }

  // ---- clusters and services -----------------------------------------------------------------

  listClusters(body: JsonObject): JsonObject {
    const arns = [...this.clusters.values()].map((c) => c.arn);
    return paginate(arns, body, 100, 'clusterArns');
  }

  describeClusters(body: JsonObject): JsonObject {
    const refs = strList(body, 'clusters') ?? ['default'];
    if (refs.length > 100) throw invalidParameter('clusters can have at most 100 items.');
    const clusters: JsonValue[] = [];
    const failures: JsonValue[] = [];
    for (const ref of refs) {
      const name = EcsStore.clusterName(ref);
      const c = this.clusters.get(name);
      if (!c) {
        failures.push({ arn: this.clusterArn(name), reason: 'MISSING' });
        continue;
      }
      let running = 0;
      let pending = 0;
      let active = 0;
      for (const s of c.services.values()) {
        if (s.status !== 'ACTIVE') continue;
        active += 1;
        const json = this.serviceJson(s, false);
        running += json.runningCount as number;
        pending += json.pendingCount as number;
      }
      clusters.push({
        clusterArn: c.arn,
        clusterName: c.name,
        status: 'ACTIVE',
        registeredContainerInstancesCount: 0,
        runningTasksCount: running,
        pendingTasksCount: pending,
        activeServicesCount: active,
        statistics: [],
        tags: [],
        settings: [{ name: 'containerInsights', value: 'disabled' }],
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        defaultCapacityProviderStrategy: [],
      });
    }
    return { clusters, failures };
  }

  listServices(body: JsonObject): JsonObject {
    const c = this.cluster(str(body, 'cluster'));
    const launchType = str(body, 'launchType');
    const scheduling = str(body, 'schedulingStrategy');
    const arns = [...c.services.values()]
      .filter((s) => s.status === 'ACTIVE')
      .filter((s) => !launchType || s.launchType === launchType)
      .filter(() => !scheduling || scheduling === 'REPLICA')
      .map((s) => s.arn);
    return paginate(arns, body, 10, 'serviceArns');
  }

  describeServices(body: JsonObject): JsonObject {
    const refs = strList(body, 'services');
    if (!refs || refs.length === 0) throw invalidParameter('Services cannot be empty.');
    if (refs.length > 10) throw invalidParameter('services can have at most 10 items.');
    const c = this.cluster(str(body, 'cluster'));
    const includeTags = strList(body, 'include')?.includes('TAGS') ?? false;
    const services: JsonValue[] = [];
    const failures: JsonValue[] = [];
    for (const ref of refs) {
      const name = this.serviceName(ref);
      const s = c.services.get(name);
      if (!s) failures.push({ arn: this.serviceArn(c.name, name), reason: 'MISSING' });
      else services.push(this.serviceJson(s, includeTags));
    }
    return { services, failures };
  }

  updateService(body: JsonObject): JsonObject {
    const ref = str(body, 'service');
    if (!ref) throw invalidParameter('Service cannot be empty.');
    const c = this.cluster(str(body, 'cluster'));
    const svc = c.services.get(this.serviceName(ref));
    if (!svc) throw new EcsApiError('ServiceNotFoundException', 'Service not found.');
    if (svc.status !== 'ACTIVE') throw new EcsApiError('ServiceNotActiveException', 'Service was not ACTIVE.');
    const desired = int(body, 'desiredCount');
    if (desired !== undefined && (desired < 0 || desired > 5000)) throw invalidParameter('desiredCount must be between 0 and 5000.');
    const tdRef = str(body, 'taskDefinition');
    let td: TaskDefinitionRec | undefined;
    if (tdRef !== undefined) {
      td = this.findTaskDefinition(tdRef);
      if (!td) throw clientError('TaskDefinition not found.');
      if (td.status !== 'ACTIVE') throw clientError(`TaskDefinition is inactive (${td.arn}).`);
    }
    const force = body.forceNewDeployment === true;
    this.refresh(svc);
    const now = this.clock.now();
    const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
    const newDesired = desired ?? svc.desiredCount;
    const newTd = td?.arn ?? svc.taskDefinition;
    if (newTd !== svc.taskDefinition || force || !primary) {
      for (const d of svc.deployments) {
        if (d.status === 'PRIMARY') {
          d.frozenRunning = this.runningAt(d, now);
          d.status = 'ACTIVE';
          d.since = now;
          d.updatedAt = now;
        }
      }
      const dep: DeploymentRec = {
        id: this.deploymentId(),
        status: 'PRIMARY',
        taskDefinition: newTd,
        desiredCount: newDesired,
        base: 0,
        since: now,
        createdAt: now,
        updatedAt: now,
        launchType: svc.launchType,
      };
      svc.deployments.unshift(dep);
      this.addEvent(svc, now, `(service ${svc.name}) has started ${newDesired} tasks: (deployment ${dep.id}).`);
    } else if (newDesired !== primary.desiredCount) {
      primary.base = this.runningAt(primary, now);
      primary.since = now;
      primary.desiredCount = newDesired;
      primary.updatedAt = now;
      const verb = newDesired > primary.base ? 'started' : 'stopped';
      this.addEvent(svc, now, `(service ${svc.name}) has ${verb} ${Math.abs(newDesired - primary.base)} tasks.`);
    }
    svc.taskDefinition = newTd;
    svc.desiredCount = newDesired;
    return { service: this.serviceJson(svc, false) };
  }

  // ---- for tests and the sandbox summary -------------------------------------------------------

  /** a service's task definition ARN and counts, without going through HTTP */
  peekService(cluster: string, service: string): { taskDefinition: string; desiredCount: number; deployments: number } | undefined {
    const svc = this.clusters.get(cluster)?.services.get(service);
    if (!svc) return undefined;
    this.refresh(svc);
    return { taskDefinition: svc.taskDefinition, desiredCount: svc.desiredCount, deployments: svc.deployments.length };
  }

  /** how many task definition revisions are registered in a family */
  revisions(family: string): number {
    return this.taskDefinitions.get(family)?.size ?? 0;
  }
}

function paginate(items: string[], body: JsonObject, defaultMax: number, key: string): JsonObject {
  const max = int(body, 'maxResults') ?? defaultMax;
  if (max < 1 || max > 100) throw invalidParameter('maxResults must be between 1 and 100.');
  const token = str(body, 'nextToken');
  let start = 0;
  if (token) {
    const m = /^sandbox:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!m) throw invalidParameter('Invalid nextToken.');
    start = Number(m[1]);
  }
  const page = items.slice(start, start + max);
  const out: JsonObject = { [key]: page };
  if (start + max < items.length) out.nextToken = Buffer.from(`sandbox:${start + max}`).toString('base64');
  return out;
}

/**
 * What AWS fills in on a registered container definition that left it out (and moto too): empty
 * lists, cpu 0, and in awsvpc mode each port mapping's hostPort equal to its containerPort.
 */
function withContainerDefaults(def: JsonObject, networkMode: string | undefined): JsonObject {
  const ports = Array.isArray(def.portMappings) ? (def.portMappings as JsonObject[]) : [];
  return {
    cpu: 0,
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    ...def,
    portMappings: ports.map((p) => ({ ...p, ...(networkMode === 'awsvpc' && p.hostPort === undefined ? { hostPort: p.containerPort as JsonValue } : {}), protocol: (p.protocol as JsonValue) ?? 'tcp' })),
  };
}
