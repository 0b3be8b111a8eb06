export { createKubernetesReader, openKubernetesReader, type KubernetesAdapterOptions, type KubernetesOpenOptions } from './reader.ts';
export { createKubernetesWriter, openKubernetesWriter, deploymentPatch, type KubernetesWriterOptions } from './writer.ts';
export { kubeconfigContextNames, loadKubeconfig, selectContext, KUBECONFIG_LIMITS, type KubeconfigLoadOptions, type LoadedKubeconfig } from './kubeconfig-loader.ts';
export { assertNotProduction, productionGuard, type ProductionK8sTarget } from './guard.ts';
export { rolloutStatusOf, toAppState } from './mapping.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
