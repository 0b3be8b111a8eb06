/**
 * What the sandbox ECS endpoint starts with: one account and region, several clusters (production
 * and test clusters share the account, as they do in AWS), their services and the task
 * definitions those services run. Task definitions are account-level, as in AWS: a service points
 * at a family whose revisions the seed lists.
 */

export interface EcsSeedContainer {
  name: string;
  image: string;
  /** container-level cpu units */
  cpu?: number;
  /** container hard memory limit (MiB) */
  memory?: number;
  /** container soft memory limit (MiB) */
  memoryReservation?: number;
  essential?: boolean;
  portMappings?: { containerPort: number; hostPort?: number; protocol?: 'tcp' | 'udp' }[];
  environment?: { name: string; value: string }[];
}

export interface EcsSeedTaskDefinition {
  family: string;
  /** the revision this definition is registered at (default: the family's next revision) */
  revision?: number;
  /** task-level cpu units as a string ("256", "1024") */
  cpu?: string;
  /** task-level memory (MiB) as a string ("512", "2048") */
  memory?: string;
  networkMode?: 'awsvpc' | 'bridge' | 'host' | 'none';
  requiresCompatibilities?: ('EC2' | 'FARGATE' | 'EXTERNAL')[];
  executionRoleArn?: string;
  taskRoleArn?: string;
  containers: EcsSeedContainer[];
}

/** An Application Auto Scaling target on a service's desired count (../ecs/autoscaling.ts). */
export interface ScalableTargetSeed {
  minCapacity: number;
  maxCapacity: number;
  suspended?: { dynamicScalingIn?: boolean; dynamicScalingOut?: boolean; scheduledScaling?: boolean };
  /** the capacity the service's scaling policy asks for at the test environment's load; default minCapacity */
  policyCapacity?: number;
}

export interface EcsSeedService {
  name: string;
  desiredCount: number;
  launchType?: 'FARGATE' | 'EC2';
  /** the task definition the service runs (registered if not registered yet) */
  taskDefinition: EcsSeedTaskDefinition;
  /** start INACTIVE (deleted) — described with status INACTIVE */
  inactive?: boolean;
  /** an Application Auto Scaling scalable target on the service's desired count, with a policy */
  autoscaling?: ScalableTargetSeed;
}

export interface EcsSeedCluster {
  name: string;
  services: EcsSeedService[];
}

export interface EcsSeed {
  region: string;
  accountId: string;
  clusters: EcsSeedCluster[];
  /** extra task definition revisions to register (e.g. older revisions of a family) */
  taskDefinitions?: EcsSeedTaskDefinition[];
}

/** How deployments progress on the sandbox clock (simulated milliseconds). */
export interface EcsTiming {
  /** from a deployment (or scale-up) to the first task RUNNING: image pull, ENI, health checks */
  taskStartDelayMs: number;
  /** between consecutive tasks of a deployment reaching RUNNING */
  taskStaggerMs: number;
  /** old tasks drain (load balancer deregistration delay) before they stop */
  drainMs: number;
}

export const DEFAULT_ECS_TIMING: EcsTiming = { taskStartDelayMs: 30_000, taskStaggerMs: 3_000, drainMs: 30_000 };
