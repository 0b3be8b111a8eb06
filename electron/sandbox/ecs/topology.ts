import { SANDBOX_ECS_CLUSTERS } from '../ports.ts';
import type { EcsSeed, EcsSeedService } from './seed.ts';

/**
 * Seeded ECS topologies: the small shop's payment platform (production and a drifting load-test
 * cluster in one account and region) and a generated one for the 200-app benchmark.
 */

export const SANDBOX_ECS_REGION = 'eu-central-1';
export const SANDBOX_ECS_ACCOUNT = '000000000000';
const REGISTRY = `${SANDBOX_ECS_ACCOUNT}.dkr.ecr.${SANDBOX_ECS_REGION}.amazonaws.com`;
const role = (name: string) => `arn:aws:iam::${SANDBOX_ECS_ACCOUNT}:role/${name}`;

/**
 * payments-prod and payments-loadtest, each with payment-processor and notifications.
 * Drift in test: payment-processor runs an older image, 2 tasks instead of 6 and a smaller task
 * (512/1024 instead of 1024/2048), and Application Auto Scaling keeps it within 1–3 tasks (4–12 in
 * production); both run an aws-appmesh-envoy sidecar; notifications runs 1 task instead of 3 and its app container
 * has 256 MiB instead of 512 (container-level memory).
 */
export function shopEcsSeed(): EcsSeed {
  const prod: EcsSeedService[] = [
    {
      name: 'payment-processor',
      desiredCount: 6,
      autoscaling: { minCapacity: 4, maxCapacity: 12, policyCapacity: 6 },
      taskDefinition: {
        family: 'payment-processor',
        revision: 42,
        cpu: '1024',
        memory: '2048',
        executionRoleArn: role('ecsTaskExecutionRole'),
        taskRoleArn: role('payment-processor-task'),
        containers: [
          { name: 'app', image: `${REGISTRY}/payment-processor:2.14.1`, cpu: 768, memory: 1536, portMappings: [{ containerPort: 8080 }], environment: [{ name: 'ENV', value: 'production' }] },
          { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod', cpu: 256, memoryReservation: 256 },
        ],
      },
    },
    {
      name: 'notifications',
      desiredCount: 3,
      taskDefinition: {
        family: 'notifications',
        revision: 17,
        cpu: '512',
        memory: '1024',
        executionRoleArn: role('ecsTaskExecutionRole'),
        taskRoleArn: role('notifications-task'),
        containers: [{ name: 'app', image: `${REGISTRY}/notifications:1.9.0`, cpu: 512, memory: 512, memoryReservation: 256, portMappings: [{ containerPort: 9000 }] }],
      },
    },
  ];
  const test: EcsSeedService[] = [
    {
      name: 'payment-processor',
      desiredCount: 2,
      // at the test environment's idle load its target-tracking policy wants 2 tasks, within 1–3
      autoscaling: { minCapacity: 1, maxCapacity: 3, policyCapacity: 2 },
      taskDefinition: {
        family: 'payment-processor-loadtest',
        revision: 8,
        cpu: '512',
        memory: '1024',
        executionRoleArn: role('ecsTaskExecutionRole'),
        taskRoleArn: role('payment-processor-loadtest-task'),
        containers: [
          { name: 'app', image: `${REGISTRY}/payment-processor:2.13.0`, cpu: 384, memory: 768, portMappings: [{ containerPort: 8080 }], environment: [{ name: 'ENV', value: 'loadtest' }] },
          { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod', cpu: 128, memoryReservation: 256 },
        ],
      },
    },
    {
      name: 'notifications',
      desiredCount: 1,
      taskDefinition: {
        family: 'notifications-loadtest',
        revision: 5,
        cpu: '512',
        memory: '1024',
        executionRoleArn: role('ecsTaskExecutionRole'),
        taskRoleArn: role('notifications-loadtest-task'),
        containers: [{ name: 'app', image: `${REGISTRY}/notifications:1.9.0`, cpu: 512, memory: 256, memoryReservation: 256, portMappings: [{ containerPort: 9000 }] }],
      },
    },
  ];
  return {
    region: SANDBOX_ECS_REGION,
    accountId: SANDBOX_ECS_ACCOUNT,
    clusters: [
      { name: SANDBOX_ECS_CLUSTERS.production, services: prod },
      { name: SANDBOX_ECS_CLUSTERS.test, services: test },
    ],
  };
}

/** the service names of generatedEcsSeed(n), in order */
export const generatedEcsServiceName = (i: number) => `svc-${String(i).padStart(3, '0')}`;

/**
 * `n` services in both payments-prod and payments-loadtest (the 200-app benchmark uses n = 50),
 * each with its own task definition family per cluster; every third test service drifts.
 */
export function generatedEcsSeed(n: number): EcsSeed {
  if (!Number.isInteger(n) || n < 0 || n > 5000) throw new RangeError('generatedEcsSeed(n): n must be an integer between 0 and 5000');
  const make = (i: number, env: 'prod' | 'loadtest'): EcsSeedService => {
    const name = generatedEcsServiceName(i);
    const drift = env === 'loadtest' && i % 3 === 0;
    return {
      name,
      desiredCount: drift ? 1 : 2 + (i % 4),
      taskDefinition: {
        family: env === 'prod' ? name : `${name}-loadtest`,
        revision: 1 + (i % 7),
        cpu: drift ? '256' : '512',
        memory: drift ? '512' : '1024',
        executionRoleArn: role('ecsTaskExecutionRole'),
        containers: [{ name: 'app', image: `${REGISTRY}/${name}:${drift ? '1.0.0' : '1.1.0'}`, cpu: drift ? 256 : 512, memory: drift ? 512 : 1024 }],
      },
    };
  };
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    region: SANDBOX_ECS_REGION,
    accountId: SANDBOX_ECS_ACCOUNT,
    clusters: [
      { name: SANDBOX_ECS_CLUSTERS.production, services: idx.map((i) => make(i, 'prod')) },
      { name: SANDBOX_ECS_CLUSTERS.test, services: idx.map((i) => make(i, 'loadtest')) },
    ],
  };
}
