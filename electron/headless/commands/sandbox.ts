import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Sandbox } from '../../sandbox/index.ts';
import { SANDBOX_DEFAULT_PORTS } from '../../sandbox/ports.ts';
import type { CliContext } from '../cli-context.ts';
import { UsageError } from '../exit-codes.ts';
import { parseTimeScale } from '../options.ts';
import { ConductorError } from '../../../shared/model/errors.ts';

interface SandboxCliOptions {
  timeScale: number;
  kubeconfigOut?: string;
  k8sProdPort: number;
  k8sTestPort: number;
  ecsPort: number;
  locustPort: number;
}

const port = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${name}: expected a port number 0-65535, found ${JSON.stringify(v)}`);
  return n;
};

/**
 * `conductor sandbox`: the embedded sandbox as a standalone process on fixed loopback ports, so
 * kubectl, the aws CLI and `conductor run examples/standalone-sandbox.yaml` can all talk to it.
 */
export function registerSandbox(program: Command, { io }: CliContext, waitForExit: () => Promise<void> = waitForSignal): void {
  program
    .command('sandbox')
    .description('run the sandbox (Kubernetes production + test API servers, an ECS endpoint, a Locust master) on loopback until Ctrl-C')
    .option('--time-scale <n>', 'simulated seconds per real second', (v: string) => parseTimeScale(v), 1)
    .option('--kubeconfig-out <file>', 'write a kubeconfig with contexts sandbox-prod and sandbox-test')
    .option('--k8s-prod-port <port>', 'production Kubernetes API port', port('--k8s-prod-port'), SANDBOX_DEFAULT_PORTS.kubernetesProduction)
    .option('--k8s-test-port <port>', 'test Kubernetes API port', port('--k8s-test-port'), SANDBOX_DEFAULT_PORTS.kubernetesTest)
    .option('--ecs-port <port>', 'ECS endpoint port', port('--ecs-port'), SANDBOX_DEFAULT_PORTS.ecs)
    .option('--locust-port <port>', 'Locust master port', port('--locust-port'), SANDBOX_DEFAULT_PORTS.locust)
    .action(async (opts: SandboxCliOptions) => {
      const { startSandbox } = await import('../../sandbox/index.ts');
      const sandbox = await startSandbox({
        timeScale: opts.timeScale,
        ports: { kubernetesProduction: opts.k8sProdPort, kubernetesTest: opts.k8sTestPort, ecs: opts.ecsPort, locust: opts.locustPort },
      }).catch((err: unknown) => {
        const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
        if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
          throw new ConductorError(
            'CONFLICT',
            `cannot listen on ${e.address ?? '127.0.0.1'}:${e.port ?? '?'} (${e.code === 'EADDRINUSE' ? 'the port is taken — is another `conductor sandbox` running?' : 'permission denied'}); pick other ports with --k8s-prod-port, --k8s-test-port, --ecs-port, --locust-port (0: any free port)`,
          );
        }
        throw err;
      });
      try {
        if (opts.kubeconfigOut) await writeFile(opts.kubeconfigOut, sandbox.kubeconfigYaml(), { mode: 0o600 });
        io.stdout.write(describeSandbox(sandbox, opts.kubeconfigOut ? resolve(opts.kubeconfigOut) : undefined));
        await waitForExit();
        io.stdout.write(summary(sandbox));
      } finally {
        await sandbox.close();
      }
    });
}

export function describeSandbox(sandbox: Sandbox, kubeconfigPath?: string): string {
  const e = sandbox.endpoints;
  return [
    `Sandbox running (time scale ${sandbox.clock.timeScale}×). Press Ctrl-C to stop.`,
    `Kubernetes production API: ${e.kubernetesProduction}  (context ${sandbox.contexts.production})`,
    `Kubernetes test API: ${e.kubernetesTest}  (context ${sandbox.contexts.test})`,
    `ECS endpoint: ${e.ecs}  (region ${sandbox.region}; clusters ${sandbox.clusters.production}, ${sandbox.clusters.test})`,
    `Locust master: ${e.locust}`,
    kubeconfigPath ? `Kubeconfig: ${kubeconfigPath}  (export KUBECONFIG=${kubeconfigPath})` : 'Kubeconfig: not written (use --kubeconfig-out FILE)',
    '',
  ].join('\n');
}

function summary(sandbox: Sandbox): string {
  const s = sandbox.requestSummary();
  return [
    '',
    'Request summary:',
    `  Kubernetes production: ${s.kubernetesProduction.total} requests, ${s.kubernetesProduction.mutating} mutating`,
    `  Kubernetes test:       ${s.kubernetesTest.total} requests, ${s.kubernetesTest.mutating} mutating`,
    `  ECS:                   ${s.ecs.total} requests, ${s.ecs.mutating} mutating`,
    `  Locust:                ${s.locust.total} requests`,
    `Production received ${sandbox.productionMutatingRequests()} mutating requests.`,
    '',
  ].join('\n');
}

function waitForSignal(): Promise<void> {
  return new Promise((resolveWait) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolveWait();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
