import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { startEcsServer, type EcsServer } from '../../electron/sandbox/ecs/index.ts';
import { tool, TOOLS } from '../support/tools.ts';

/**
 * The real AWS CLI (Debian's awscli 2.x at /usr/bin/aws) against the sandbox ECS endpoint: if the
 * sandbox's wire protocol drifted from AWS's, the CLI's own parser and signer would say so.
 * The CLI runs asynchronously: the server lives in this process and must keep answering.
 */

const AWS = TOOLS.aws.path;
let srv: EcsServer;
let home: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function aws(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS,
      [...args, '--endpoint-url', srv.url, '--output', 'json', '--no-cli-pager'],
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          AWS_ACCESS_KEY_ID: 'AKIDSANDBOXPEERTEST0',
          AWS_SECRET_ACCESS_KEY: 'sandbox-peer-secret',
          AWS_DEFAULT_REGION: 'eu-central-1',
          AWS_CONFIG_FILE: join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_PAGER: '',
        },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const json = (r: CliResult) => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

beforeAll(async () => {
  // Debian's awscli is part of the machine image / CI install; a missing CLI is a failure, not a skip
  tool('aws');
  expect(existsSync(AWS), `${AWS} is missing: apt-get install -y --no-install-recommends awscli`).toBe(true);
  home = mkdtempSync(join(tmpdir(), 'conductor-aws-peer-'));
  srv = await startEcsServer({ clock: new ScaledClock(1000), productionClusters: ['payments-prod'] });
});

afterAll(async () => {
  expect(srv.mutatingRequests('payments-prod')).toBe(0);
  await srv.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the real aws CLI against the sandbox ECS endpoint', () => {
  it('aws ecs list-clusters', async () => {
    const out = json(await aws('ecs', 'list-clusters'));
    expect(out.clusterArns).toEqual(['arn:aws:ecs:eu-central-1:000000000000:cluster/payments-prod', 'arn:aws:ecs:eu-central-1:000000000000:cluster/payments-loadtest']);
  });

  it('aws ecs list-services (the CLI paginates with nextToken by itself)', async () => {
    const out = json(await aws('ecs', 'list-services', '--cluster', 'payments-loadtest'));
    expect(out.serviceArns).toEqual([
      'arn:aws:ecs:eu-central-1:000000000000:service/payments-loadtest/payment-processor',
      'arn:aws:ecs:eu-central-1:000000000000:service/payments-loadtest/notifications',
    ]);
    const calls = srv.operationCounts().ListServices ?? 0;
    const paged = json(await aws('ecs', 'list-services', '--cluster', 'payments-loadtest', '--page-size', '1'));
    expect(paged.serviceArns).toHaveLength(2);
    expect(srv.operationCounts().ListServices).toBe(calls + 2); // two pages, joined by nextToken
  });

  it('aws ecs describe-services and describe-task-definition', async () => {
    const out = json(await aws('ecs', 'describe-services', '--cluster', 'payments-loadtest', '--services', 'payment-processor'));
    const services = out.services as Record<string, unknown>[];
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({ serviceName: 'payment-processor', status: 'ACTIVE', desiredCount: 2, runningCount: 2, launchType: 'FARGATE' });
    expect(out.failures).toEqual([]);
    // the CLI parsed our epoch-seconds timestamps into ISO strings
    expect(String(services[0]!.createdAt)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const arn = services[0]!.taskDefinition as string;
    expect(arn).toBe('arn:aws:ecs:eu-central-1:000000000000:task-definition/payment-processor-loadtest:8');

    const td = json(await aws('ecs', 'describe-task-definition', '--task-definition', arn)).taskDefinition as Record<string, unknown>;
    expect(td).toMatchObject({ family: 'payment-processor-loadtest', revision: 8, cpu: '512', memory: '1024', networkMode: 'awsvpc' });
    expect((td.containerDefinitions as { name: string; image: string }[]).map((c) => c.name)).toEqual(['app', 'envoy']);
  });

  it('aws ecs update-service --desired-count 3 scales the test service', async () => {
    const out = json(await aws('ecs', 'update-service', '--cluster', 'payments-loadtest', '--service', 'notifications', '--desired-count', '3'));
    expect((out.service as Record<string, unknown>).desiredCount).toBe(3);
    expect(srv.mutatingRequests('payments-loadtest')).toBe(1);
    const after = json(await aws('ecs', 'describe-services', '--cluster', 'payments-loadtest', '--services', 'notifications'));
    expect((after.services as Record<string, unknown>[])[0]!.desiredCount).toBe(3);
  });

  it('an unknown cluster gives the CLI error naming ClusterNotFoundException', async () => {
    const r = await aws('ecs', 'describe-services', '--cluster', 'payments-nowhere', '--services', 'x');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('An error occurred (ClusterNotFoundException) when calling the DescribeServices operation: Cluster not found.');
  });

  it('an unknown service is reported under failures with reason MISSING', async () => {
    const out = json(await aws('ecs', 'describe-services', '--cluster', 'payments-prod', '--services', 'ghost'));
    expect(out.failures).toEqual([{ arn: 'arn:aws:ecs:eu-central-1:000000000000:service/payments-prod/ghost', reason: 'MISSING' }]);
  });
});
