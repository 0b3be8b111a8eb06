/**
 * In-memory fakes of the substrate and load INTERFACES for the lifecycle unit tests: Kubernetes
 * and ECS apps whose rollouts take time on the run's clock, a Locust master that records what it
 * is told, and a KPI plant (orders per minute proportional to users, with optional capacity).
 */
import type { EcsAppState, EcsDesiredState, K8sAppState, K8sDesiredState } from '../../../shared/model/app-state.ts';
import { AbortedError, SubstrateError, TimeoutError } from '../../../shared/model/errors.ts';
import type { LoadTest, LoadTestInput } from '../../../shared/spec/schema.ts';
import { endpointKey } from '../../../shared/net/address.ts';
import { loadTestSchema } from '../../../shared/spec/schema.ts';
import type { Clock } from '../../../electron/base/clock.ts';
import type { KpiSample, KpiSource, LocustDriver, LocustStats } from '../../../electron/load/types.ts';
import type { EcsAppRef, EcsWriter, K8sAppRef, K8sJobSpec, KubernetesWriter, LeaseRecord, LeaseWrite, Substrates } from '../../../electron/substrates/types.ts';

export interface WriteRecord {
  side: string;
  app: string;
  desired: K8sDesiredState | EcsDesiredState;
  at: number;
}

async function waitUntil(clock: Clock, ready: () => boolean, opts: { timeoutMs: number; signal?: AbortSignal }, what: string): Promise<void> {
  const start = clock.now();
  for (let i = 0; i < 100_000; i++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new AbortedError();
    if (ready()) return;
    if (clock.now() - start >= opts.timeoutMs) throw new TimeoutError(`${what} did not complete within ${opts.timeoutMs} ms`);
    await clock.sleep(500, opts.signal);
  }
  throw new TimeoutError(`${what}: too many polls`);
}

export class FakeK8s implements KubernetesWriter {
  readonly apps = new Map<string, K8sAppState>();
  readonly readyAt = new Map<string, number>();
  readonly writes: WriteRecord[];
  readonly jobs: K8sJobSpec[] = [];
  rolloutMs = 30_000;
  failApply: (app: string) => Error | null = () => null;
  /** apps whose rollouts never complete */
  stuck = new Set<string>();
  runJob?: KubernetesWriter['runJob'];
  reads = 0;
  readonly leases = new Map<string, LeaseRecord>();
  private leaseVersion = 0;
  constructor(
    readonly side: string,
    private readonly clock: Clock,
    writes: WriteRecord[],
    readonly target = { context: `${side}-ctx`, server: `https://${side}.example:6443` },
  ) {
    this.writes = writes;
  }
  async identity() {
    // a cluster is what its server is: the same API server (however spelled) answers with the same UID
    return { substrate: 'kubernetes' as const, uid: `uid-of-${endpointKey(this.target.server)}`, server: this.target.server, context: this.target.context };
  }
  async readLease(namespace: string, name: string): Promise<LeaseRecord | null> {
    return structuredClone(this.leases.get(`${namespace}/${name}`) ?? null);
  }
  async writeLease(namespace: string, name: string, lease: LeaseWrite, resourceVersion: string | null): Promise<LeaseRecord> {
    const k = `${namespace}/${name}`;
    const cur = this.leases.get(k);
    if (resourceVersion === null ? cur : cur?.resourceVersion !== resourceVersion) throw new SubstrateError('lease conflict', { substrate: 'kubernetes', target: this.target.context, status: 409 });
    const next: LeaseRecord = { ...structuredClone(lease), resourceVersion: String(++this.leaseVersion) };
    this.leases.set(k, next);
    return structuredClone(next);
  }
  add(app: string, state: Omit<K8sAppState, 'kind' | 'rollout'>): this {
    const s: K8sAppState = { kind: 'kubernetes', ...structuredClone(state), rollout: { observed: true, desired: state.replicas, updated: state.replicas, ready: state.replicas, available: state.replicas, complete: true } };
    this.apps.set(app, s);
    return this;
  }
  async readApps(refs: K8sAppRef[]): Promise<Map<string, K8sAppState | null>> {
    this.reads += 1;
    const out = new Map<string, K8sAppState | null>();
    for (const r of refs) {
      const s = this.apps.get(r.app);
      out.set(r.app, s ? this.withRollout(r.app, structuredClone(s)) : null);
    }
    return out;
  }
  private withRollout(app: string, s: K8sAppState): K8sAppState {
    const done = this.clock.now() >= (this.readyAt.get(app) ?? 0) && !this.stuck.has(app);
    s.rollout = { observed: true, desired: s.replicas, updated: done ? s.replicas : 0, ready: done ? s.replicas : 0, available: done ? s.replicas : 0, complete: done };
    return s;
  }
  async apply(ref: K8sAppRef, desired: K8sDesiredState): Promise<void> {
    const err = this.failApply(ref.app);
    if (err) throw err;
    const s = this.apps.get(ref.app);
    if (!s) throw new Error(`no deployment ${ref.deployment}`);
    this.writes.push({ side: this.side, app: ref.app, desired: structuredClone(desired), at: this.clock.now() });
    if (desired.replicas !== undefined) s.replicas = desired.replicas;
    for (const [n, img] of Object.entries(desired.images ?? {})) {
      const c = s.containers.find((x) => x.name === n);
      if (c) c.image = img;
    }
    for (const [n, res] of Object.entries(desired.resources ?? {})) {
      const c = s.containers.find((x) => x.name === n);
      if (c) c.resources = structuredClone(res);
    }
    if (desired.hpa && s.hpa) s.hpa = { ...s.hpa, ...desired.hpa };
    this.readyAt.set(ref.app, this.clock.now() + this.rolloutMs);
  }
  async waitForRollout(ref: K8sAppRef, opts: { timeoutMs: number; signal?: AbortSignal; onProgress?: (s: K8sAppState['rollout']) => void }): Promise<K8sAppState> {
    await waitUntil(
      this.clock,
      () => {
        const s = this.withRollout(ref.app, structuredClone(this.apps.get(ref.app)!));
        opts.onProgress?.(s.rollout);
        return s.rollout.complete;
      },
      opts,
      `rollout of ${ref.deployment}`,
    );
    return this.withRollout(ref.app, structuredClone(this.apps.get(ref.app)!));
  }
}

export class FakeEcs implements EcsWriter {
  readonly apps = new Map<string, EcsAppState>();
  readonly taskDefs = new Map<string, Pick<EcsAppState, 'containers' | 'taskCpu' | 'taskMemory'>>();
  readonly readyAt = new Map<string, number>();
  rolloutMs = 30_000;
  failApply: (app: string, desired: EcsDesiredState) => Error | null = () => null;
  private revision = 100;
  constructor(
    readonly side: string,
    private readonly clock: Clock,
    readonly writes: WriteRecord[],
    readonly target = { region: 'eu-central-1', cluster: `${side}-cluster` },
  ) {}
  async identity() {
    return { substrate: 'ecs' as const, clusterArn: `arn:aws:ecs:${this.target.region}:123456789012:cluster/${this.target.cluster}`, endpoint: null };
  }
  add(app: string, state: Omit<EcsAppState, 'kind' | 'steady' | 'runningCount'>): this {
    const s: EcsAppState = { kind: 'ecs', ...structuredClone(state), runningCount: state.desiredCount, steady: true };
    this.apps.set(app, s);
    this.taskDefs.set(s.taskDefinitionArn, { containers: structuredClone(s.containers), ...(s.taskCpu ? { taskCpu: s.taskCpu } : {}), ...(s.taskMemory ? { taskMemory: s.taskMemory } : {}) });
    return this;
  }
  async readApps(refs: EcsAppRef[]): Promise<Map<string, EcsAppState | null>> {
    const out = new Map<string, EcsAppState | null>();
    for (const r of refs) {
      const s = this.apps.get(r.app);
      out.set(r.app, s ? { ...structuredClone(s), steady: this.clock.now() >= (this.readyAt.get(r.app) ?? 0) } : null);
    }
    return out;
  }
  async apply(ref: EcsAppRef, desired: EcsDesiredState): Promise<string> {
    const err = this.failApply(ref.app, desired);
    if (err) throw err;
    const s = this.apps.get(ref.app);
    if (!s) throw new Error(`no service ${ref.service}`);
    this.writes.push({ side: this.side, app: ref.app, desired: structuredClone(desired), at: this.clock.now() });
    if (desired.autoscaling) s.autoscaling = structuredClone(desired.autoscaling);
    if (desired.taskDefinitionArn) {
      const td = this.taskDefs.get(desired.taskDefinitionArn);
      if (!td) throw new Error(`no task definition ${desired.taskDefinitionArn}`);
      s.taskDefinitionArn = desired.taskDefinitionArn;
      s.containers = structuredClone(td.containers);
      s.taskCpu = td.taskCpu;
      s.taskMemory = td.taskMemory;
    } else if (desired.images || desired.taskCpu || desired.taskMemory || desired.containerSizes) {
      for (const [n, img] of Object.entries(desired.images ?? {})) {
        const c = s.containers.find((x) => x.name === n);
        if (c) c.image = img;
      }
      for (const [n, size] of Object.entries(desired.containerSizes ?? {})) {
        const c = s.containers.find((x) => x.name === n);
        if (c) Object.assign(c, size);
      }
      if (desired.taskCpu) s.taskCpu = desired.taskCpu;
      if (desired.taskMemory) s.taskMemory = desired.taskMemory;
      const arn = `arn:aws:ecs:eu-central-1:1:task-definition/${ref.service}:${++this.revision}`;
      s.taskDefinitionArn = arn;
      this.taskDefs.set(arn, { containers: structuredClone(s.containers), ...(s.taskCpu ? { taskCpu: s.taskCpu } : {}), ...(s.taskMemory ? { taskMemory: s.taskMemory } : {}) });
    }
    if (desired.desiredCount !== undefined) s.desiredCount = s.runningCount = desired.desiredCount;
    this.readyAt.set(ref.app, this.clock.now() + this.rolloutMs);
    return s.taskDefinitionArn;
  }
  async waitForSteady(ref: EcsAppRef, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<EcsAppState> {
    await waitUntil(this.clock, () => this.clock.now() >= (this.readyAt.get(ref.app) ?? 0), opts, `deployment of ${ref.service}`);
    return (await this.readApps([ref])).get(ref.app)!;
  }
}

export class FakeLocust implements LocustDriver {
  users = 0;
  spawnRate = 0;
  running = false;
  readonly calls: { op: string; at: number; users?: number }[] = [];
  workers: number | null = 2;
  constructor(private readonly clock: Clock) {}
  async swarm(users: number, spawnRate: number): Promise<void> {
    if (!(spawnRate > 0)) throw new Error('spawn rate must be > 0');
    this.users = users;
    this.spawnRate = spawnRate;
    this.running = true;
    this.calls.push({ op: 'swarm', at: this.clock.now(), users });
  }
  async stop(): Promise<void> {
    this.users = 0;
    this.running = false;
    this.calls.push({ op: 'stop', at: this.clock.now() });
  }
  async resetStats(): Promise<void> {
    this.calls.push({ op: 'reset', at: this.clock.now() });
  }
  async stats(): Promise<LocustStats> {
    const aggregated = { method: '', name: 'Aggregated', numRequests: 0, numFailures: 0, currentRps: 0, currentFailPerSec: 0, p50Ms: null, p95Ms: null, p99Ms: null };
    return { state: this.running ? 'running' : 'ready', userCount: this.users, workerCount: this.workers, workers: null, failRatio: 0, requests: new Map(), aggregated, current: { p50Ms: null, p95Ms: null, p99Ms: null } };
  }
}

/** OPM = users × opmPerUser up to a capacity; error rate and p99 settable per sample. */
export class FakeKpi implements KpiSource {
  opmPerUser = 2;
  capacityOpm = Infinity;
  errorRate: () => number = () => 0.001;
  p99Ms: () => number | null = () => 200;
  zero = false;
  samples = 0;
  constructor(
    private readonly clock: Clock,
    private readonly locust: FakeLocust,
  ) {}
  async sample(): Promise<KpiSample> {
    this.samples += 1;
    const opm = this.zero ? 0 : Math.min(this.capacityOpm, this.locust.users * this.opmPerUser);
    return { t: this.clock.now(), opm, errorRate: this.errorRate(), p99Ms: this.p99Ms(), users: this.locust.users };
  }
}

export const baseSpecInput = (): LoadTestInput => ({
  apiVersion: 'conductor/v1',
  kind: 'LoadTest',
  metadata: { name: 'unit-rehearsal' },
  spec: {
    production: { kubernetes: { context: 'prod-ctx' }, ecs: { region: 'eu-central-1', cluster: 'production-cluster' } },
    test: { kubernetes: { context: 'test-ctx' }, ecs: { region: 'eu-central-1', cluster: 'test-cluster' } },
    applications: [
      { name: 'checkout', kubernetes: { namespace: 'shop', deployment: 'checkout-api' } },
      { name: 'cart', kubernetes: { namespace: 'shop', deployment: 'cart' } },
      { name: 'payments', ecs: { service: 'payments' } },
    ],
    load: {
      locust: { url: 'http://127.0.0.1:18089' },
      kpi: { locustRequest: 'POST /orders' },
      targetOrdersPerMinute: 600,
      rampUp: '5m',
      plateau: '5m',
      controlInterval: '15s',
    },
    guards: { maxErrorRate: 0.05, maxP99Ms: 2000 },
  },
});

export function makeSpec(mutate: (s: LoadTestInput) => void = () => undefined): LoadTest {
  const input = baseSpecInput();
  mutate(input);
  return loadTestSchema.parse(input);
}

const res = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });

export interface World {
  writes: WriteRecord[];
  prodK8s: FakeK8s;
  testK8s: FakeK8s;
  prodEcs: FakeEcs;
  testEcs: FakeEcs;
  locust: FakeLocust;
  kpi: FakeKpi;
  substrates: Substrates;
}

/** production runs v2 with more replicas and resources; test runs v1, smaller */
export function makeWorld(clock: Clock): World {
  const writes: WriteRecord[] = [];
  const prodK8s = new FakeK8s('production', clock, writes)
    .add('checkout', { namespace: 'shop', deployment: 'checkout-api', replicas: 6, containers: [{ name: 'api', image: 'reg/checkout:2.0', resources: res('1', '1Gi') }], hpa: { name: 'checkout', minReplicas: 6, maxReplicas: 20 } })
    .add('cart', { namespace: 'shop', deployment: 'cart', replicas: 4, containers: [{ name: 'cart', image: 'reg/cart:5.1', resources: res('500m', '512Mi') }] });
  const testK8s = new FakeK8s('test', clock, writes)
    .add('checkout', { namespace: 'shop', deployment: 'checkout-api', replicas: 2, containers: [{ name: 'api', image: 'reg/checkout:1.9', resources: res('250m', '256Mi') }], hpa: { name: 'checkout', minReplicas: 1, maxReplicas: 3 } })
    .add('cart', { namespace: 'shop', deployment: 'cart', replicas: 1, containers: [{ name: 'cart', image: 'reg/cart:5.0', resources: res('100m', '128Mi') }] });
  const prodEcs = new FakeEcs('production', clock, writes).add('payments', {
    cluster: 'production-cluster',
    service: 'payments',
    desiredCount: 8,
    taskDefinitionArn: 'arn:aws:ecs:eu-central-1:1:task-definition/payments:40',
    taskCpu: '1024',
    taskMemory: '2048',
    containers: [{ name: 'payments', image: 'reg/payments:7.3', cpu: 1024, memory: 2048 }],
  });
  const testEcs = new FakeEcs('test', clock, writes).add('payments', {
    cluster: 'test-cluster',
    service: 'payments',
    desiredCount: 1,
    taskDefinitionArn: 'arn:aws:ecs:eu-central-1:1:task-definition/payments:12',
    taskCpu: '256',
    taskMemory: '512',
    containers: [{ name: 'payments', image: 'reg/payments:7.0', cpu: 256, memory: 512 }],
  });
  const locust = new FakeLocust(clock);
  const kpi = new FakeKpi(clock, locust);
  return {
    writes,
    prodK8s,
    testK8s,
    prodEcs,
    testEcs,
    locust,
    kpi,
    substrates: { production: { kubernetes: prodK8s, ecs: prodEcs }, test: { kubernetes: testK8s, ecs: testEcs } },
  };
}

/** a copy of the test side's apps, for before/after comparisons */
export function testState(w: World): unknown {
  const k = [...w.testK8s.apps.entries()].map(([n, s]) => [n, { replicas: s.replicas, containers: s.containers, hpa: s.hpa }]);
  const e = [...w.testEcs.apps.entries()].map(([n, s]) => [n, { desiredCount: s.desiredCount, taskDefinitionArn: s.taskDefinitionArn, containers: s.containers, taskCpu: s.taskCpu, taskMemory: s.taskMemory }]);
  return structuredClone({ k, e });
}
