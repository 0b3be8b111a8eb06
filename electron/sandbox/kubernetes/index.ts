export { startKubernetesApiServer, statusObject, type KubeApiServer, type KubeApiServerOptions } from './server.ts';
export { KubeStore, seedToDeployment, seedToHpa } from './store.ts';
export { JobController, type JobRecord, type JobFailure } from './jobs.ts';
export { shopKubeSeed, shopGitOps, generatedKubeSeed, SHOP_NAMESPACES, type SandboxSide } from './topology.ts';
export { kubeconfigFor, kubeconfigYaml, type KubeconfigDocument, type KubeconfigServer, type KubeconfigContextSpec } from './kubeconfig.ts';
export type { KubeSeed, KubeDeploymentSeed, KubeContainerSeed, KubeHpaSeed, WatchEvent } from './types.ts';
