import type { KubeContainerSeed, KubeDeploymentSeed, KubeSeed } from './types.ts';

/**
 * The sandbox shop's Kubernetes side: a small shop's payment platform on two clusters.
 * Test drifts from production in versions (images), replicas and resources; one HPA differs in
 * bounds; `payments/ledger` is missing in test; `shop/catalog` is in parity.
 */

export type SandboxSide = 'production' | 'test';

export const SHOP_NAMESPACES = ['shop', 'payments'] as const;

/** the sandbox's Locust workers: a Deployment in the test cluster whose ready pods are the simulator's connected workers */
export const LOCUST_WORKERS = { namespace: 'loadtest', deployment: 'locust-worker' } as const;

const img = (name: string, version: string) => `registry.example/${name}:${version}`;

function container(name: string, version: string, req: [string, string], lim: [string, string]): KubeContainerSeed {
  return { name, image: img(name, version), resources: { requests: { cpu: req[0], memory: req[1] }, limits: { cpu: lim[0], memory: lim[1] } } };
}

const envoy = (version: string): KubeContainerSeed => container('envoy', version, ['100m', '128Mi'], ['200m', '256Mi']);

export function shopKubeSeed(side: SandboxSide): KubeSeed {
  const prod = side === 'production';
  const deployments: KubeDeploymentSeed[] = [
    {
      namespace: 'shop',
      name: 'checkout-api',
      replicas: prod ? 6 : 2,
      containers: [
        prod ? container('checkout-api', '2.14.1', ['500m', '512Mi'], ['1', '1Gi']) : container('checkout-api', '2.13.0', ['250m', '256Mi'], ['500m', '512Mi']),
        envoy(prod ? '1.29.1' : '1.28.0'),
      ],
      hpa: prod ? { minReplicas: 6, maxReplicas: 20 } : { minReplicas: 2, maxReplicas: 5 },
    },
    {
      namespace: 'shop',
      name: 'cart',
      replicas: prod ? 4 : 2,
      containers: [container('cart', '3.2.0', ['200m', '256Mi'], ['500m', '512Mi'])],
    },
    {
      namespace: 'shop',
      name: 'catalog',
      replicas: 3,
      containers: [container('catalog', '1.8.4', ['200m', '256Mi'], ['400m', '512Mi'])],
    },
    {
      namespace: 'payments',
      name: 'payment-gateway',
      replicas: 4,
      containers: [prod ? container('payment-gateway', '5.0.2', ['1', '1Gi'], ['2', '2Gi']) : container('payment-gateway', '5.0.2', ['500m', '512Mi'], ['1', '1Gi'])],
    },
    {
      namespace: 'payments',
      name: 'fraud-check',
      replicas: prod ? 3 : 1,
      containers: [container('fraud-check', prod ? '0.9.7' : '0.9.5', ['300m', '384Mi'], ['600m', '768Mi'])],
    },
  ];
  if (prod) {
    deployments.push({ namespace: 'payments', name: 'ledger', replicas: 2, containers: [container('ledger', '4.1.0', ['250m', '512Mi'], ['500m', '1Gi'])] });
    return { namespaces: [...SHOP_NAMESPACES], deployments };
  }
  // the load generator lives in the test cluster only: Locust's workers, which the conductor may scale (spec.load.locust.workers)
  deployments.push({ namespace: LOCUST_WORKERS.namespace, name: LOCUST_WORKERS.deployment, replicas: 1, containers: [{ name: 'worker', image: 'locustio/locust:2.47.0', resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } }] });
  return { namespaces: [...SHOP_NAMESPACES, LOCUST_WORKERS.namespace], deployments };
}

/**
 * A large generated topology for benchmarks: `n` deployments spread over `namespaces` namespaces
 * (`bench-01`…), named `app-001`…; every third app drifts in test (image), every fifth in replicas.
 */
export function generatedKubeSeed(n: number, namespaces: number, side: SandboxSide = 'production'): KubeSeed {
  const nsNames = Array.from({ length: Math.max(1, namespaces) }, (_, i) => `bench-${String(i + 1).padStart(2, '0')}`);
  const deployments: KubeDeploymentSeed[] = [];
  for (let i = 0; i < n; i++) {
    const name = `app-${String(i + 1).padStart(3, '0')}`;
    const drift = side === 'test';
    deployments.push({
      namespace: nsNames[i % nsNames.length] as string,
      name,
      replicas: drift && i % 5 === 0 ? 1 : 2 + (i % 3),
      containers: [container(name, drift && i % 3 === 0 ? '1.0.0' : '1.1.0', ['100m', '128Mi'], ['200m', '256Mi'])],
      ...(i % 10 === 0 ? { hpa: { minReplicas: 2, maxReplicas: drift ? 4 : 8 } } : {}),
    });
  }
  return { namespaces: nsNames, deployments };
}
