export { createEcsReader, DESCRIBE_SERVICES_BATCH, type EcsAdapterOptions } from './reader.ts';
export { createEcsWriter, type EcsWriterOptions, type EcsWaitOptions } from './writer.ts';
export { createEcsClient, resolveEcsCredentials, isLoopbackEndpoint, DEFAULT_REQUEST_TIMEOUT_MS, type EcsClientOptions } from './client.ts';
export { assertEcsWritable, ecsProductionGuard, sameEcsCluster, type ProductionEcsTarget } from './guard.ts';
export { toEcsError } from './call.ts';
export { toEcsAppState, deriveTaskDefinition, isSteady } from './mapping.ts';
