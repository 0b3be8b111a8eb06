import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EcsSeed, EcsSeedTaskDefinition } from '../../electron/sandbox/ecs/seed.ts';
import { freePort, startProc, waitFor, type Proc } from '../fixtures/shop/processes.ts';
import { motoServer } from './tools.ts';

/**
 * moto's server (an independent ECS implementation, pinned in a venv by build/tools/python-tools.sh)
 * on a free loopback port, and a seeder that puts a sandbox ECS seed into it through the real SDK:
 * clusters, task definitions, services.
 *
 * moto never progresses a deployment: a service keeps the one deployment it was created with
 * (its counts, rollout state and task definition fixed), while UpdateService sets the service's
 * runningCount to its desiredCount at once. The seeder creates each service with 0 tasks (so that
 * deployment is COMPLETED, 0 of 0) and then sets its desired count: from then on every service is
 * steady as soon as it is updated, which is all a wait can prove on moto.
 */

export const MOTO_REGION = 'eu-central-1';
/** moto's default account */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIDMOTOCONFORMANCE0', secretAccessKey: 'moto-not-verified' };

export interface Moto {
  url: string;
  proc: Proc;
  client(region?: string): ECSClient;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const bin = motoServer();
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'conductor-moto-'));
  const proc = startProc('moto', bin, ['-H', '127.0.0.1', '-p', String(port)], {
    cwd,
    env: { AWS_EC2_METADATA_DISABLED: 'true' },
  });
  const url = `http://127.0.0.1:${port}`;
  const clients: ECSClient[] = [];
  const client = (region = MOTO_REGION) => {
    const c = new ECSClient({ region, endpoint: url, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  await waitFor('moto_server', async () => (await fetch(`${url}/moto-api/data.json`)).ok, 60_000, 200, () => proc.output());
  return {
    url,
    proc,
    client,
    async stop() {
      for (const c of clients) c.destroy();
      await proc.kill();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** the RegisterTaskDefinition input for a seed task definition */
export function taskDefinitionInput(td: EcsSeedTaskDefinition): RegisterTaskDefinitionCommandInput {
  const containers: ContainerDefinition[] = td.containers.map((c) => ({
    name: c.name,
    image: c.image,
    essential: c.essential ?? true,
    ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
    ...(c.memory !== undefined ? { memory: c.memory } : {}),
    ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    ...(c.portMappings ? { portMappings: c.portMappings.map((p) => ({ containerPort: p.containerPort, ...(p.hostPort ? { hostPort: p.hostPort } : {}), protocol: p.protocol ?? 'tcp' })) } : {}),
    ...(c.environment ? { environment: c.environment } : {}),
  }));
  return {
    family: td.family,
    containerDefinitions: containers,
    ...(td.cpu ? { cpu: td.cpu } : {}),
    ...(td.memory ? { memory: td.memory } : {}),
    networkMode: td.networkMode ?? 'awsvpc',
    requiresCompatibilities: td.requiresCompatibilities ?? ['FARGATE'],
    ...(td.executionRoleArn ? { executionRoleArn: td.executionRoleArn } : {}),
    ...(td.taskRoleArn ? { taskRoleArn: td.taskRoleArn } : {}),
  };
}

/** Create the seed's clusters, task definitions and services in moto; returns service key `cluster/service` → task definition ARN. */
export async function seedMoto(client: ECSClient, seed: EcsSeed): Promise<Map<string, string>> {
  const arns = new Map<string, string>();
  for (const cluster of seed.clusters) {
    await client.send(new CreateClusterCommand({ clusterName: cluster.name }));
    for (const svc of cluster.services) {
      const td = await client.send(new RegisterTaskDefinitionCommand(taskDefinitionInput(svc.taskDefinition)));
      const arn = td.taskDefinition!.taskDefinitionArn!;
      await client.send(
        new CreateServiceCommand({
          cluster: cluster.name,
          serviceName: svc.name,
          taskDefinition: arn,
          desiredCount: 0,
          launchType: svc.launchType ?? 'FARGATE',
        }),
      );
      await client.send(new UpdateServiceCommand({ cluster: cluster.name, service: svc.name, desiredCount: svc.desiredCount }));
      arns.set(`${cluster.name}/${svc.name}`, arn);
    }
  }
  return arns;
}
