import type { KubeContainerSeed, KubeDeploymentSeed, KubeSeed } from './types.ts';

/**
 * The sandbox shop's Kubernetes side: a small shop's payment platform on two clusters.
 * Test drifts from production in versions (images), replicas and resources; one HPA differs in
 * bounds; `payments/ledger` is missing in test; `shop/catalog` is in parity. checkout-api runs an
 * envoy sidecar. With `gitops`, checkout-api is applied by Argo CD (Application argocd/checkout,
 * self-heal on) and cart by Flux (Kustomization flux-system/shop): both revert a change within
 * seconds unless paused.
 */

export type SandboxSide = 'production' | 'test';

export const SHOP_NAMESPACES = ['shop', 'payments'] as const;

const img = (name: string, version: string) => `registry.example/${name}:${version}`;

function container(name: string, version: string, req: [string, string], lim: [string, string]): KubeContainerSeed {
  return { name, image: img(name, version), resources: { requests: { cpu: req[0], memory: req[1] }, limits: { cpu: lim[0], memory: lim[1] } } };
}

const envoy = (version: string): KubeContainerSeed => container('envoy', version, ['100m', '128Mi'], ['200m', '256Mi']);

/** `gitops`: checkout-api applied by Argo CD and cart by Flux, with their Application and Kustomization (self-heal on). */
export function shopKubeSeed(side: SandboxSide, opts: { gitops?: boolean | { applicationSet?: string } } = {}): KubeSeed {
  const prod = side === 'production';
  const gitops = opts.gitops ? (opts.gitops === true ? {} : opts.gitops) : undefined;
  const deployments: KubeDeploymentSeed[] = [
    {
      namespace: 'shop',
      name: 'checkout-api',
      // applied by Argo CD (annotation tracking, the default since v3.0)
      ...(gitops ? { annotations: { 'argocd.argoproj.io/tracking-id': 'checkout:apps/Deployment:shop/checkout-api' } } : {}),
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
      // applied by Flux's kustomize-controller
      ...(gitops ? { labels: { 'kustomize.toolkit.fluxcd.io/name': 'shop', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } } : {}),
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
  }
  return { namespaces: [...SHOP_NAMESPACES], deployments, ...(gitops ? { gitops: shopGitOps(side, gitops) } : {}) };
}

/** The GitOps objects of the shop: an Argo CD Application for checkout (auto-sync with self-heal), a Flux Kustomization for the shop namespace. */
export function shopGitOps(side: SandboxSide, opts: { applicationSet?: string } = {}): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'checkout',
        namespace: 'argocd',
        ...(opts.applicationSet ? { ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: opts.applicationSet, uid: '5e7c0000-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }] } : {}),
      },
      spec: {
        project: 'default',
        source: { repoURL: 'https://git.example/shop-deploy.git', path: `envs/${side}/checkout`, targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=false'] },
      },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'shop', namespace: 'flux-system' },
      spec: { interval: '10m', path: `./envs/${side}/shop`, prune: true, sourceRef: { kind: 'GitRepository', name: 'shop-deploy' } },
    },
  ];
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
