import { KubeConfig } from '@kubernetes/client-node';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { createLocustKpi, createPrometheusKpi } from '../../load/kpi/index.ts';
import { createLocustDriver } from '../../load/locust-driver.ts';
import type { KpiSource, LocustDriver } from '../../load/types.ts';
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createEcsReader, createEcsWriter } from '../../substrates/ecs/index.ts';
import { createKubernetesReader, createKubernetesWriter, type KubeconfigLoadOptions } from '../../substrates/kubernetes/index.ts';
import type { EcsReader, EcsWriter, KubernetesReader, KubernetesWriter, Substrates } from '../../substrates/types.ts';
import { ScaledClock, type Clock } from '../../base/clock.ts';
import { silentLogger, type Logger } from '../../base/logger.ts';
import type { OpenedEnvironment } from './service.ts';

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
  /** a running sandbox to use for sandbox specs (a long-lived host shares one); else one is started and closed with the environment */
  sandbox?: Sandbox;
  fetch?: typeof fetch;
}

export interface Environment extends OpenedEnvironment {
  clock: Clock;
  /** the sandbox behind a sandbox spec */
  sandbox?: Sandbox;
}

export async function openEnvironment(spec: LoadTest, opts: EnvironmentOptions = {}): Promise<Environment> {
  const logger = opts.logger ?? silentLogger;
  if (spec.spec.sandbox) {
    const owned = !opts.sandbox;
    const sandbox = opts.sandbox ?? (await startSandbox({ timeScale: opts.timeScale ?? spec.spec.sandbox.timeScale }));
    try {
      return sandboxEnvironment(spec, sandbox, logger, owned, opts.fetch);
    } catch (err) {
      if (owned) await sandbox.close();
      throw err;
    }
  }
  return realEnvironment(spec, opts, logger);
}

function sandboxEnvironment(spec: LoadTest, sandbox: Sandbox, logger: Logger, owned: boolean, fetchImpl?: typeof fetch): Environment {
  const clock = sandbox.clock;
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigYaml());
  const namespaces = [...new Set(spec.spec.applications.flatMap((a) => (a.kubernetes ? [a.kubernetes.namespace] : [])))];
  const ecsProduction = { region: sandbox.region, cluster: sandbox.clusters.production, endpoint: sandbox.endpoints.ecs };
  const substrates: Substrates = {
    production: {
      kubernetes: createKubernetesReader({ kubeconfig: kc, context: sandbox.contexts.production, clock, logger }),
      ecs: createEcsReader({ ...ecsProduction, clock, logger }),
    },
    test: {
      kubernetes: createKubernetesWriter({
        kubeconfig: kc,
        context: sandbox.contexts.test,
        clock,
        logger,
        productionTargets: [{ server: sandbox.endpoints.kubernetesProduction, context: sandbox.contexts.production, namespaces }],
      }),
      ecs: createEcsWriter({ region: sandbox.region, cluster: sandbox.clusters.test, endpoint: sandbox.endpoints.ecs, clock, logger, productionClusters: [ecsProduction] }),
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
      if (owned) await sandbox.close();
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
      productionTargets: [{ server: reader.target.server, context: reader.target.context, namespaces }],
    });
    substrates.production.kubernetes = reader;
    substrates.test.kubernetes = writer;
  }
  if (uses('ecs') && production?.ecs && test?.ecs) {
    const side = (e: NonNullable<typeof production.ecs>) => ({ region: e.region, cluster: e.cluster, ...(e.profile ? { profile: e.profile } : {}), ...(e.endpoint ? { endpoint: e.endpoint } : {}) });
    const reader: EcsReader = createEcsReader({ ...side(production.ecs), clock, logger });
    const writer: EcsWriter = createEcsWriter({ ...side(test.ecs), clock, logger, productionClusters: [side(production.ecs)] });
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
