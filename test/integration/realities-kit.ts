/**
 * The embedded sandbox set up the way real test environments are (sidecars, paused Deployments,
 * GitOps controllers, auto scaling, other writers), and a run on it through the real adapters.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun, type RunResult } from '../../electron/core/run/conductor.ts';
import { openEnvironment, type Environment } from '../../electron/core/service/environment.ts';
import { silentLogger } from '../../electron/base/logger.ts';
import { loadSpecText } from '../../electron/core/service/spec-loader.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/index.ts';
import type { RunEvent } from '../../shared/model/run.ts';
import type { LoadTest } from '../../shared/spec/schema.ts';

export interface Kit {
  sandbox: Sandbox;
  env: Environment;
  spec: LoadTest;
  dataDir: string;
  run(opts?: { onEvent?: (e: RunEvent, abort: (reason: string) => void) => void }): Promise<RunResult>;
  close(): Promise<void>;
}

/** `edit` changes the sandbox example spec (as YAML text, before parsing); apps default to all eight. */
export async function startKit(opts: { sandbox?: SandboxOptions; edit?: (text: string) => string; apps?: string[] } = {}): Promise<Kit> {
  const dataDir = await mkdtemp(join(tmpdir(), 'conductor-realities-'));
  let text = await readFile('examples/sandbox.yaml', 'utf8');
  if (opts.apps) text = text.split('\n').filter((l) => !/^ {4}- \{ name: /.test(l) || opts.apps!.some((a) => l.includes(`name: ${a},`))).join('\n');
  if (opts.edit) text = opts.edit(text);
  const spec = loadSpecText(text, 'sandbox.yaml');
  const sandbox = await startSandbox({ timeScale: 400, ...opts.sandbox });
  const env = await openEnvironment(spec, { sandbox, logger: silentLogger });
  return {
    sandbox,
    env,
    spec,
    dataDir,
    run: (o = {}) => {
      const handle = startRun(spec, { clock: env.clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: silentLogger, dataDir }, {
        ...(o.onEvent ? { onEvent: (e: RunEvent) => o.onEvent!(e, (r) => handle.abort(r)) } : {}),
      });
      return handle.done;
    },
    close: async () => {
      await env.close();
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type Container = { name: string; image: string };
type DeploymentJson = { spec: { replicas: number; paused?: boolean; template: { spec: { containers: Container[] } } }; metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } };

/** A test-cluster Deployment as stored (read straight from the sandbox, not through the conductor). */
export function deploymentOf(sandbox: Sandbox, side: 'production' | 'test', ns: string, name: string): DeploymentJson {
  return sandbox.kubernetes[side].store.get('deployments', ns, name) as unknown as DeploymentJson;
}

export function imagesOf(sandbox: Sandbox, side: 'production' | 'test', ns: string, name: string): Record<string, string> {
  return Object.fromEntries(deploymentOf(sandbox, side, ns, name).spec.template.spec.containers.map((c) => [c.name, c.image]));
}

/** The container images of an ECS service's current task definition (test cluster unless given). */
export function ecsImagesOf(sandbox: Sandbox, service: string, cluster: string = sandbox.clusters.test): Record<string, string> {
  const svc = sandbox.ecs.store.peekService(cluster, service);
  if (!svc) throw new Error(`no ECS service ${service} in ${cluster}`);
  const td = sandbox.ecs.store.describeTaskDefinition({ taskDefinition: svc.taskDefinition }) as { taskDefinition: { containerDefinitions: Container[] } };
  return Object.fromEntries(td.taskDefinition.containerDefinitions.map((c) => [c.name, c.image]));
}
