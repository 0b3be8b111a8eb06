import { ScaledClock } from '../base/clock.ts';
import { FaultInjector, RequestLog } from './http-kit.ts';
import { startKubernetesApiServer, shopKubeSeed, kubeconfigFor, kubeconfigYaml, type KubeApiServer, type KubeconfigDocument, type KubeSeed } from './kubernetes/index.ts';
import { startEcsServer, shopEcsSeed, SANDBOX_ECS_REGION, type EcsServer, type EcsSeed } from './ecs/index.ts';
import { startLocustSimulator, type LocustSimulator } from './locust-sim.ts';
import { ShopModel } from './shop-model.ts';
import { SANDBOX_CONTEXTS, SANDBOX_DEFAULT_PORTS, SANDBOX_ECS_CLUSTERS } from './ports.ts';

/**
 * The embedded sandbox: loopback servers that speak the real Kubernetes, ECS and Locust wire
 * protocols, seeded with a small shop's payment platform, all on one clock that can run faster
 * than real time. The conductor talks to it through the same adapters and kubeconfig it uses for
 * real clusters; only the addresses differ.
 */

export type SandboxPorts = Record<keyof typeof SANDBOX_DEFAULT_PORTS, number>;

export interface SandboxOptions {
  /** simulated seconds per real second (default 1) */
  timeScale?: number;
  /** ports to bind on 127.0.0.1; 0 = ephemeral (the default for the embedded sandbox) */
  ports?: Partial<SandboxPorts>;
  seed?: { kubernetes?: { production: KubeSeed; test: KubeSeed }; ecs?: EcsSeed };
  shop?: ShopModel;
  /** simulated ms per replica step of a Kubernetes rollout (default: the server's) */
  rolloutStepMs?: number;
}

export interface SandboxEndpoints {
  kubernetesProduction: string;
  kubernetesTest: string;
  ecs: string;
  locust: string;
}

export interface Sandbox {
  readonly clock: ScaledClock;
  readonly kubernetes: { production: KubeApiServer; test: KubeApiServer };
  readonly ecs: EcsServer;
  readonly locust: LocustSimulator;
  readonly endpoints: SandboxEndpoints;
  readonly region: string;
  readonly clusters: typeof SANDBOX_ECS_CLUSTERS;
  readonly contexts: typeof SANDBOX_CONTEXTS;
  /** a kubeconfig with contexts sandbox-prod and sandbox-test (no real credentials: a fake token) */
  readonly kubeconfig: KubeconfigDocument;
  kubeconfigYaml(): string;
  /** mutating requests production received (Kubernetes production server + ECS production cluster) */
  productionMutatingRequests(): number;
  requestSummary(): SandboxRequestSummary;
  close(): Promise<void>;
}

export interface SandboxRequestSummary {
  kubernetesProduction: { total: number; mutating: number };
  kubernetesTest: { total: number; mutating: number };
  ecs: { total: number; mutating: number; productionMutating: number };
  locust: { total: number };
}

/**
 * Every sandbox this process started, and the mutating requests their production sides received.
 * The test suite asserts after every test file that this stays 0 (test/setup/production-writes.ts).
 */
const ledger = { started: 0, closedProductionWrites: 0, open: new Set<Sandbox>() };
export function sandboxLedger(): { started: number; productionWrites: number } {
  let open = 0;
  for (const s of ledger.open) open += s.productionMutatingRequests();
  return { started: ledger.started, productionWrites: ledger.closedProductionWrites + open };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const clock = new ScaledClock(opts.timeScale ?? 1);
  const ports = { kubernetesProduction: 0, kubernetesTest: 0, ecs: 0, locust: 0, ...opts.ports };
  const started: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(s: T): T => (started.push(s), s);
  try {
    const step = opts.rolloutStepMs !== undefined ? { rolloutStepMs: opts.rolloutStepMs } : {};
    const production = track(
      await startKubernetesApiServer({ clock, name: 'production', seed: opts.seed?.kubernetes?.production ?? shopKubeSeed('production'), port: ports.kubernetesProduction, faults: new FaultInjector(), log: new RequestLog(), ...step }),
    );
    const test = track(
      await startKubernetesApiServer({ clock, name: 'test', seed: opts.seed?.kubernetes?.test ?? shopKubeSeed('test'), port: ports.kubernetesTest, faults: new FaultInjector(), log: new RequestLog(), ...step }),
    );
    const ecs = track(await startEcsServer({ clock, seed: opts.seed?.ecs ?? shopEcsSeed(), port: ports.ecs, productionClusters: [SANDBOX_ECS_CLUSTERS.production] }));
    const locust = track(await startLocustSimulator({ clock, port: ports.locust, ...(opts.shop ? { shop: opts.shop } : {}) }));
    const kubeconfig = kubeconfigFor(
      [
        { name: 'sandbox-production', url: production.url },
        { name: 'sandbox-test', url: test.url },
      ],
      [
        { name: SANDBOX_CONTEXTS.production, cluster: 'sandbox-production' },
        { name: SANDBOX_CONTEXTS.test, cluster: 'sandbox-test' },
      ],
      { currentContext: SANDBOX_CONTEXTS.test },
    );
    let closed: Promise<void> | null = null;
    const sandbox: Sandbox = {
      clock,
      kubernetes: { production, test },
      ecs,
      locust,
      endpoints: { kubernetesProduction: production.url, kubernetesTest: test.url, ecs: ecs.url, locust: locust.url },
      region: SANDBOX_ECS_REGION,
      clusters: SANDBOX_ECS_CLUSTERS,
      contexts: SANDBOX_CONTEXTS,
      kubeconfig,
      kubeconfigYaml: () => kubeconfigYaml(kubeconfig),
      productionMutatingRequests: () => production.mutatingRequests() + ecs.productionMutatingRequests(),
      requestSummary: () => ({
        kubernetesProduction: { total: production.log.total, mutating: production.mutatingRequests() },
        kubernetesTest: { total: test.log.total, mutating: test.mutatingRequests() },
        ecs: { total: ecs.log.total, mutating: ecs.mutatingRequests(), productionMutating: ecs.productionMutatingRequests() },
        locust: { total: locust.log.total },
      }),
      close: () =>
        (closed ??= (async () => {
          ledger.closedProductionWrites += sandbox.productionMutatingRequests();
          ledger.open.delete(sandbox);
          await Promise.all(started.map((s) => s.close()));
        })()),
    };
    ledger.started += 1;
    ledger.open.add(sandbox);
    return sandbox;
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
}

/**
 * One sandbox shared by every run of a long-lived host (`conductor serve`, the desktop app), so
 * that parity before, during and after runs describes the same (simulated) environment.
 */
export class SandboxHost {
  private sandbox: Promise<Sandbox> | null = null;
  constructor(private readonly options: SandboxOptions = {}) {}
  get(): Promise<Sandbox> {
    this.sandbox ??= startSandbox(this.options).catch((err: unknown) => {
      this.sandbox = null;
      throw err;
    });
    return this.sandbox;
  }
  async close(): Promise<void> {
    const s = this.sandbox;
    this.sandbox = null;
    if (s) await (await s).close();
  }
}

export { SANDBOX_CONTEXTS, SANDBOX_DEFAULT_PORTS, SANDBOX_ECS_CLUSTERS } from './ports.ts';
