import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conductor } from './recover-standalone-kit.ts';
import { tool } from '../support/tools.ts';

/**
 * Issue 5's "Done when", exactly as a user does it, every piece a separate process:
 *
 *   conductor sandbox --kubeconfig-out k.yaml                       (one terminal)
 *   KUBECONFIG=k.yaml conductor run examples/standalone-sandbox.yaml (another), Ctrl-C during the ramp
 *   → exit 3, and `kubectl --context sandbox-test get deployments -A` shows the test deployments
 *     exactly as they were before the run.
 *
 * The sandbox runs on free ports (0), so the spec's ECS endpoint and Locust URL are rewritten to
 * the ones it prints; everything else is examples/standalone-sandbox.yaml as shipped.
 */

const root = join(import.meta.dirname, '..', '..');
const TIME_SCALE = '100';

let dir: string;
let sandbox: ChildProcess | null = null;
let sandboxOut = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-standalone-'));
});
afterEach(async () => {
  if (sandbox && sandbox.exitCode === null && sandbox.signalCode === null) sandbox.kill('SIGKILL');
  sandbox = null;
  sandboxOut = '';
  await rm(dir, { recursive: true, force: true });
});

async function startSandboxProcess(kubeconfig: string): Promise<{ ecs: string; locust: string }> {
  const proc = spawn(
    process.execPath,
    [join(root, 'bin', 'conductor.js'), 'sandbox', '--time-scale', TIME_SCALE, '--kubeconfig-out', kubeconfig, '--k8s-prod-port', '0', '--k8s-test-port', '0', '--ecs-port', '0', '--locust-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  sandbox = proc;
  proc.stdout!.on('data', (d: Buffer) => (sandboxOut += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (sandboxOut += d.toString()));
  for (let i = 0; i < 600 && !/Kubeconfig: /.test(sandboxOut); i += 1) {
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ecs = /ECS endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(sandboxOut)?.[1];
  const locust = /Locust master: (http:\/\/127\.0\.0\.1:\d+)/.exec(sandboxOut)?.[1];
  if (!ecs || !locust) throw new Error(`conductor sandbox did not start:\n${sandboxOut}`);
  return { ecs, locust };
}

/** what an SRE would look at: every test deployment's replicas, images and resources (not its age) */
function testDeployments(kubeconfig: string): string {
  const columns = [
    'NS:.metadata.namespace',
    'NAME:.metadata.name',
    'REPLICAS:.spec.replicas',
    'IMAGES:.spec.template.spec.containers[*].image',
    'RESOURCES:.spec.template.spec.containers[*].resources',
  ].join(',');
  const r = spawnSync(tool('kubectl'), ['--context', 'sandbox-test', 'get', 'deployments', '-A', '-o', `custom-columns=${columns}`, '--sort-by=.metadata.name'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
  if (r.status !== 0) throw new Error(`kubectl failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** `kubectl get deployments -A -o wide` without the AGE column */
function wide(kubeconfig: string): string {
  const r = spawnSync(tool('kubectl'), ['--context', 'sandbox-test', 'get', 'deployments', '-A', '-o', 'wide'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: kubeconfig } });
  if (r.status !== 0) throw new Error(`kubectl failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/).filter((_, i) => i !== 5).join(' '))
    .join('\n');
}

describe('Done when (issue 5): Ctrl-C of `conductor run` against `conductor sandbox` during the ramp', () => {
  it('exits 3 and kubectl shows the test deployments exactly as before the run; production untouched', async () => {
    const kubeconfig = join(dir, 'k.yaml');
    const { ecs, locust } = await startSandboxProcess(kubeconfig);
    const spec = (await readFile(join(root, 'examples', 'standalone-sandbox.yaml'), 'utf8')).replaceAll('http://127.0.0.1:14566', ecs).replaceAll('http://127.0.0.1:18089', locust);
    const specPath = join(dir, 'standalone-sandbox.yaml');
    await writeFile(specPath, spec);

    const before = testDeployments(kubeconfig);
    const beforeWide = wide(kubeconfig);
    expect(before).toMatch(/checkout-api\s+2\s+registry\.example\/checkout-api:2\.13\.0/);

    const env = { ...process.env, KUBECONFIG: kubeconfig, CONDUCTOR_DATA_DIR: join(dir, 'data'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const run = conductor(['run', specPath, '--time-scale', TIME_SCALE], env);
    await run.waitFor(/^ {2}ramp t\+/, 120_000);
    // mid-ramp the test environment really is at production's versions and sizes
    expect(testDeployments(kubeconfig)).not.toEqual(before);

    run.proc.kill('SIGINT');
    await run.waitFor(/^abort .*: restoring/, 60_000);
    run.proc.kill('SIGINT'); // a second Ctrl-C never interrupts the restore
    const { code } = await run.exit;
    expect(code, run.out() + run.err()).toBe(3);
    expect(run.err()).toMatch(/restoring the test environment, please wait/);
    expect(run.out()).toMatch(/phase restore done/);
    expect(run.out()).toMatch(/verdict: aborted — aborted: interrupted \(Ctrl-C\)/);

    expect(testDeployments(kubeconfig)).toEqual(before);
    expect(wide(kubeconfig)).toEqual(beforeWide);

    // nothing left to recover
    const recover = conductor(['recover'], env);
    expect((await recover.exit).code).toBe(0);
    expect(recover.out()).toMatch(/^no unfinished runs in /);

    // the sandbox's own account on Ctrl-C: production received no write
    const exited = new Promise<number | null>((r) => sandbox!.on('exit', (c) => r(c)));
    sandbox!.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(sandboxOut).toContain('Production received 0 mutating requests.');
  }, 240_000);
});
