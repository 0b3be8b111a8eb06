import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPendingRecoveries } from '../../electron/core/run/journal.ts';
import { shopKubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { conductor, differingFromSnapshot, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * kill -9 of `conductor run` while Argo CD and Flux are held off in the test cluster, then
 * `conductor recover`: the apps are restored and both controllers resumed exactly as they were.
 */
let dir: string;
let standalone: Standalone;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-gitops-kill9-'));
  standalone = await startStandalone(dir, { timeScale: 50, seed: { kubernetes: { production: shopKubeSeed('production', { gitops: true }), test: shopKubeSeed('test', { gitops: true }) } } });
});
afterEach(async () => {
  await standalone.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

describe('conductor parity on a GitOps-managed test environment', () => {
  it('shows who manages each app and each ECS service’s auto scaling', async () => {
    const p = conductor(['parity', standalone.specPath], standalone.env);
    expect((await p.exit).code).toBe(1);
    const out = p.out();
    expect(out).toMatch(/\s+manager\s+Argo CD Application checkout\s+Argo CD Application checkout\s+ok/);
    expect(out).toMatch(/\s+manager\s+Flux Kustomization flux-system\/shop\s+Flux Kustomization flux-system\/shop\s+ok/);
    expect(out).toMatch(/\s+manager\s+none\s+none\s+ok/);
    expect(out).toMatch(/\s+autoscaling\.minCapacity\s+4\s+1\s+DRIFT/);
    expect(out).toMatch(/\s+autoscaling\.maxCapacity\s+12\s+3\s+DRIFT/);
    expect(out).toMatch(/\s+autoscaling\.suspended\s+none\s+none\s+ok/);
  });
});

describe('kill -9 with GitOps paused, then conductor recover', () => {
  it('resumes Argo CD and Flux and restores the apps', async () => {
    const store = standalone.sandbox.kubernetes.test.store;
    const automated = () => ((store.get('applications', 'argocd', 'checkout') as { spec: { syncPolicy: { automated?: unknown } } }).spec.syncPolicy.automated);
    const fluxHold = () => ((store.get('deployments', 'shop', 'cart') as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['kustomize.toolkit.fluxcd.io/reconcile']);
    const data = join(dir, 'data');
    const run = conductor(['run', standalone.specPath, '--time-scale', '50', '--data-dir', data], standalone.env);
    const runId = (await run.waitFor(/^run \S+:/)).split(' ')[1]!.replace(/:$/, '');
    await run.waitFor(/^ {2}ramp t\+/, 120_000);
    run.proc.kill('SIGKILL');
    expect((await run.exit).signal).toBe('SIGKILL');

    // the dead run left both controllers paused and the apps changed
    expect(automated()).toBeUndefined();
    expect(fluxHold()).toBe('disabled');
    expect((await listPendingRecoveries(data)).map((p) => p.runId)).toEqual([runId]);
    expect(await differingFromSnapshot(standalone, data, runId)).not.toEqual([]);

    const rec = conductor(['recover', runId, '--data-dir', data], standalone.env);
    const { code } = await rec.exit;
    expect(code, rec.out() + rec.err()).toBe(0);
    expect(rec.out()).toMatch(/is back to its state before the run/);
    expect(rec.out()).toContain('checkout: GitOps resumed — Argo CD Application argocd/checkout: automated sync (spec.syncPolicy.automated) off');
    expect(rec.out()).toContain('cart: GitOps resumed — Flux: kustomize.toolkit.fluxcd.io/reconcile=disabled on deployments shop/cart');
    expect(rec.out()).toContain('payment-processor: Application Auto Scaling resumed — scalable target service/payments-loadtest/payment-processor (min 1, max 6, suspended: scale-in, scale-out, scheduled)');
    expect(automated()).toEqual({ prune: true, selfHeal: true });
    expect(fluxHold()).toBeUndefined();
    expect(await differingFromSnapshot(standalone, data, runId)).toEqual([]);
    expect(await listPendingRecoveries(data)).toEqual([]);
    expect(standalone.sandbox.kubernetes.test.gitops.reverts).toEqual([]);
    expect(standalone.sandbox.productionMutatingRequests()).toBe(0);
  });
});
