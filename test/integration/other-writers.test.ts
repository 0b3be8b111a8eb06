import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tool } from '../support/tools.ts';
import { deploymentOf, imagesOf, startKit, type Kit } from './realities-kit.ts';

/**
 * Someone else changes the test environment mid-run, with the real kubectl: the run reports each
 * field, its old and new value and who changed it (managedFields), and restore leaves those
 * fields as they set them while putting back everything the run wrote.
 */
let kit: Kit | undefined;
let home: string | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
  if (home) await rm(home, { recursive: true, force: true });
});

async function kubectlOn(k: Kit): Promise<(args: string[]) => Promise<void>> {
  const kubectlPath = tool('kubectl'); // fails naming kubectl and how to install it when missing
  home = await mkdtemp(join(tmpdir(), 'conductor-kubectl-'));
  const kubeconfig = join(home, 'kubeconfig.yaml');
  await writeFile(kubeconfig, k.sandbox.kubeconfigYaml(), { mode: 0o600 });
  return (args) =>
    new Promise((resolve, reject) =>
      execFile(kubectlPath, ['--context', 'sandbox-test', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home!, KUBECONFIG: kubeconfig }, timeout: 60_000 }, (err, _out, stderr) =>
        err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(),
      ),
    );
}

describe('another writer in the test environment mid-run', () => {
  it('is reported field by field with who made it; restore leaves what they changed', async () => {
    kit = await startKit({ apps: ['cart', 'fraud-check'], sandbox: { timeScale: 60 } });
    const kubectl = await kubectlOn(kit);
    let theirs: Promise<void> | undefined;
    const r = await kit.run({
      onEvent: (e) => {
        if (!theirs && e.type === 'sample' && e.sample.phase === 'ramp') {
          theirs = (async () => {
            await kubectl(['-n', 'shop', 'scale', 'deployment/cart', '--replicas=7']);
            await kubectl(['-n', 'shop', 'set', 'image', 'deployment/cart', 'cart=registry.example/cart:3.2.1-hotfix']);
          })();
        }
      },
    });
    await theirs;
    expect(r.verdict.status, r.verdict.reasons.join('; ')).toBe('passed');
    const changes = (r.report.status.otherWriters ?? []).map(({ t: _t, ...c }) => c);
    expect(changes).toEqual([
      // `kubectl scale` sends no fieldManager: the API server names it after the client's user agent
      { app: 'cart', object: 'deployments shop/cart', field: 'replicas', from: 4, to: 7, manager: 'kubectl' },
      { app: 'cart', object: 'deployments shop/cart', field: 'image[cart]', from: 'registry.example/cart:3.2.0', to: 'registry.example/cart:3.2.1-hotfix', manager: 'kubectl-set' },
    ]);
    // restore: their replicas and image stay; what only the run wrote goes back
    expect(deploymentOf(kit.sandbox, 'test', 'shop', 'cart').spec.replicas).toBe(7);
    expect(imagesOf(kit.sandbox, 'test', 'shop', 'cart').cart).toBe('registry.example/cart:3.2.1-hotfix');
    expect(r.status.flags).toEqual(expect.arrayContaining([expect.stringMatching(/^restore left cart replicas as someone else set it during the run: 7 \(the run wrote 4\)$/)]));
    expect(imagesOf(kit.sandbox, 'test', 'payments', 'fraud-check')['fraud-check']).toBe('registry.example/fraud-check:0.9.5');
    expect(deploymentOf(kit.sandbox, 'test', 'payments', 'fraud-check').spec.replicas).toBe(1);
  });

  it('with guards.otherWriters: abort, the change aborts the run, which restores what it wrote', async () => {
    kit = await startKit({ apps: ['cart', 'fraud-check'], sandbox: { timeScale: 60 }, edit: (t) => t.replace('    maxErrorRate: 0.05\n', '    maxErrorRate: 0.05\n    otherWriters: abort\n') });
    const kubectl = await kubectlOn(kit);
    let theirs: Promise<void> | undefined;
    const r = await kit.run({
      onEvent: (e) => {
        if (!theirs && e.type === 'sample' && e.sample.phase === 'ramp') theirs = kubectl(['-n', 'payments', 'set', 'image', 'deployment/fraud-check', 'fraud-check=registry.example/fraud-check:1.0.0-rc1']);
      },
    });
    await theirs;
    expect(r.verdict.status).not.toBe('passed');
    expect(r.verdict.reasons.join(' ')).toMatch(/changed by someone else: fraud-check image\[fraud-check\] registry\.example\/fraud-check:0\.9\.7 → registry\.example\/fraud-check:1\.0\.0-rc1 \(by kubectl-set/);
    expect(imagesOf(kit.sandbox, 'test', 'payments', 'fraud-check')['fraud-check']).toBe('registry.example/fraud-check:1.0.0-rc1');
    expect(deploymentOf(kit.sandbox, 'test', 'shop', 'cart').spec.replicas).toBe(2);
  });
});
