export { createKubernetesReader, type KubernetesAdapterOptions } from './reader.ts';
export { createKubernetesWriter, deploymentPatch, type KubernetesWriterOptions } from './writer.ts';
export { loadKubeconfig, type KubeconfigLoadOptions, type LoadedKubeconfig } from './kubeconfig-loader.ts';
export { assertNotProduction, productionGuard, type ProductionK8sTarget } from './guard.ts';
export { rolloutStatusOf, toAppState } from './mapping.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
