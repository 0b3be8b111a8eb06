export { startEcsServer, isMutatingEcsOperation, ECS_TARGET_PREFIX, type EcsServer, type EcsServerOptions } from './server.ts';
export { EcsStore, EcsApiError } from './store.ts';
export { DEFAULT_ECS_TIMING, type EcsSeed, type EcsSeedCluster, type EcsSeedService, type EcsSeedTaskDefinition, type EcsSeedContainer, type EcsTiming } from './seed.ts';
export { shopEcsSeed, generatedEcsSeed, generatedEcsServiceName, SANDBOX_ECS_REGION, SANDBOX_ECS_ACCOUNT } from './topology.ts';
