import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../../shared/model/errors.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { createLocustKpi } from '../../load/kpi/locust-kpi.ts';
import { createPrometheusKpi } from '../../load/kpi/prometheus-kpi.ts';
import { createLocustDriver } from '../../load/locust-driver.ts';
import type { Controller, KpiSource, LocustDriver } from '../../load/types.ts';
import { createEcsReader, createEcsWriter } from '../../substrates/ecs/index.ts';
import { createKubernetesReader, createKubernetesWriter, type KubeconfigLoadOptions } from '../../substrates/kubernetes/index.ts';
import type { EcsReader, EcsWriter, KubernetesReader, KubernetesWriter, Substrates } from '../../substrates/types.ts';
import { ScaledClock, type Clock } from '../../base/clock.ts';
import { silentLogger, type Logger } from '../../base/logger.ts';

/** What a spec's platforms look like once opened (sandbox or real clusters). */
export interface OpenedEnvironment {
  substrates: Substrates;
  locust: LocustDriver;
  kpi: KpiSource;
  /** optional: the controller; default is the spec's algorithm from electron/load/controller */
  controllerFor?: (spec: LoadTest, info: { workers: number | null }) => Controller;
  /** the clock to run on (the sandbox's, so simulated time agrees); default ScaledClock */
  clock?: Clock;
  close(): Promise<void>;
}

export interface OpenEnvironmentOptions {
  timeScale: number;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}

export type OpenEnvironment = (spec: LoadTest, opts: OpenEnvironmentOptions) => Promise<OpenedEnvironment>;

/**
 * What the embedded sandbox gives a run: its addresses and its clock. The sandbox itself
 * (electron/sandbox) satisfies this; the core never starts one — a host injects it (layers).
 */
export interface SandboxAddresses {
  readonly clock: Clock;
  readonly region: string;
  readonly contexts: { readonly production: string; readonly test: string };
  readonly clusters: { readonly production: string; readonly test: string };
  readonly endpoints: { readonly kubernetesProduction: string; readonly kubernetesTest: string; readonly ecs: string; readonly locust: string };
  kubeconfigYaml(): string;
}

/** A sandbox the environment owns: started for it, closed with it. */
export type StartSandbox = (opts: { timeScale: number }) => Promise<SandboxAddresses & { close(): Promise<void> }>;

/**
 * From a spec to the things a run talks to: production readers (no write methods), test writers
 * (guarded against production), the Locust driver and the KPI source — on the embedded sandbox or
 * on the user's real clusters. Both go through the same adapters; the sandbox only supplies the
 * addresses (a kubeconfig with contexts sandbox-prod/sandbox-test and a loopback ECS endpoint).
 */

export interface EnvironmentOptions {
  timeScale?: number;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** a running sandbox to use for sandbox specs (a long-lived host shares one) */
  sandbox?: SandboxAddresses;
  /** else: how to start one for this environment (closed with it); a host without either cannot open sandbox specs */
  startSandbox?: StartSandbox;
  fetch?: typeof fetch;
}

export interface Environment extends OpenedEnvironment {
  clock: Clock;
  /** the sandbox behind a sandbox spec */
  sandbox?: SandboxAddresses;
}

export async function openEnvironment(spec: LoadTest, opts: EnvironmentOptions = {}): Promise<Environment> {
  const logger = opts.logger ?? silentLogger;
  if (spec.spec.sandbox) {
    if (opts.sandbox) return sandboxEnvironment(spec, opts.sandbox, logger, null, opts.fetch);
    if (!opts.startSandbox) throw new UsageError('this spec uses the embedded sandbox (spec.sandbox), which this host does not provide');
    const sandbox = await opts.startSandbox({ timeScale: opts.timeScale ?? spec.spec.sandbox.timeScale });
    try {
      return sandboxEnvironment(spec, sandbox, logger, () => sandbox.close(), opts.fetch);
    } catch (err) {
      await sandbox.close();
      throw err;
    }
  }
  return realEnvironment(spec, opts, logger);
}

function sandboxEnvironment(spec: LoadTest, sandbox: SandboxAddresses, logger: Logger, closeSandbox: (() => Promise<void>) | null, fetchImpl?: typeof fetch): Environment {
  const clock = sandbox.clock;
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigYaml());
  const namespaces = [...new Set(spec.spec.applications.flatMap((a) => (a.kubernetes ? [a.kubernetes.namespace] : [])))];
  const ecsProduction = { region: sandbox.region, cluster: sandbox.clusters.production, endpoint: sandbox.endpoints.ecs };
  const prodK8s = createKubernetesReader({ kubeconfig: kc, context: sandbox.contexts.production, clock, logger });
  const prodEcs = createEcsReader({ ...ecsProduction, clock, logger });
  const substrates: Substrates = {
    production: { kubernetes: prodK8s, ecs: prodEcs },
    test: {
      kubernetes: createKubernetesWriter({
        kubeconfig: kc,
        context: sandbox.contexts.test,
        clock,
        logger,
        productionTargets: [{ server: sandbox.endpoints.kubernetesProduction, context: sandbox.contexts.production, namespaces, identity: () => prodK8s.identity() }],
      }),
      ecs: createEcsWriter({ region: sandbox.region, cluster: sandbox.clusters.test, endpoint: sandbox.endpoints.ecs, clock, logger, productionClusters: [{ ...ecsProduction, identity: () => prodEcs.identity() }] }),
    },
  };
  const { locust, kpi } = loadFor(spec, sandbox.endpoints.locust, clock, logger, fetchImpl);
  return {
    substrates,
    locust,
    kpi,
    clock,
    sandbox,
    close: async () => {
      await closeSandbox?.();
    },
  };
}

function realEnvironment(spec: LoadTest, opts: EnvironmentOptions, logger: Logger): Environment {
  const clock = new ScaledClock(1);
  const { production, test } = spec.spec;
  const uses = (s: 'kubernetes' | 'ecs') => spec.spec.applications.some((a) => a[s] !== undefined);
  const env = opts.env ?? process.env;
  const substrates: Substrates = { production: {}, test: {} };

  if (uses('kubernetes') && production?.kubernetes && test?.kubernetes) {
    const source = (k: { context: string; kubeconfig?: string | undefined }): KubeconfigLoadOptions => ({ context: k.context, env, ...(k.kubeconfig ? { kubeconfigPath: k.kubeconfig } : {}) });
    const reader: KubernetesReader = createKubernetesReader({ kubeconfig: source(production.kubernetes), clock, logger });
    const namespaces = [...new Set(spec.spec.applications.flatMap((a) => (a.kubernetes ? [a.kubernetes.namespace] : [])))];
    const writer: KubernetesWriter = createKubernetesWriter({
      kubeconfig: source(test.kubernetes),
      clock,
      logger,
      productionTargets: [{ server: reader.target.server, context: reader.target.context, namespaces, identity: () => reader.identity() }],
    });
    substrates.production.kubernetes = reader;
    substrates.test.kubernetes = writer;
  }
  if (uses('ecs') && production?.ecs && test?.ecs) {
    const side = (e: NonNullable<typeof production.ecs>) => ({ region: e.region, cluster: e.cluster, ...(e.profile ? { profile: e.profile } : {}), ...(e.endpoint ? { endpoint: e.endpoint } : {}) });
    const reader: EcsReader = createEcsReader({ ...side(production.ecs), clock, logger });
    const writer: EcsWriter = createEcsWriter({ ...side(test.ecs), clock, logger, productionClusters: [{ ...side(production.ecs), identity: () => reader.identity() }] });
    substrates.production.ecs = reader;
    substrates.test.ecs = writer;
  }
  const url = spec.spec.load.locust.url;
  if (!url) throw new Error('spec.load.locust.url is required outside the sandbox');
  const { locust, kpi } = loadFor(spec, url, clock, logger, opts.fetch);
  return { substrates, locust, kpi, clock, close: async () => {} };
}

function loadFor(spec: LoadTest, url: string, clock: Clock, logger: Logger, fetchImpl?: typeof fetch): { locust: LocustDriver; kpi: KpiSource } {
  const locust = createLocustDriver({ url, clock, logger, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const { kpi: k } = spec.spec.load;
  const kpi: KpiSource = k.prometheus
    ? createPrometheusKpi({ url: k.prometheus.url, query: k.prometheus.query, clock, driver: locust, ...(fetchImpl ? { fetch: fetchImpl } : {}) })
    : createLocustKpi({ driver: locust, request: k.locustRequest ?? 'POST /orders', clock });
  return { locust, kpi };
}
