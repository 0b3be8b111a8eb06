import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shopKubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { conductor, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * What `conductor run` held off, as its user sees it: Argo CD and Flux paused before the first
 * write and resumed by restore, the ECS service's auto scaling suspended and — when someone else
 * changed its scalable target mid-run — left as they set it, said in the run's output, its closing
 * lines and the Markdown summary.
 */
let dir: string;
let standalone: Standalone;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-cli-holds-'));
  standalone = await startStandalone(dir, { timeScale: 100, seed: { kubernetes: { production: shopKubeSeed('production', { gitops: true }), test: shopKubeSeed('test', { gitops: true }) } } });
});
afterEach(async () => {
  await standalone.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

const ARGO = 'Argo CD Application argocd/checkout: automated sync (spec.syncPolicy.automated) off';
const FLUX = 'Flux: kustomize.toolkit.fluxcd.io/reconcile=disabled on deployments shop/cart';
const HELD = 'scalable target service/payments-loadtest/payment-processor (min 1, max 6, suspended: scale-in, scale-out, scheduled)';

describe('conductor run shows what it held off', () => {
  it('paused at start, resumed at restore; a hold someone else changed is left and said so', async () => {
    const summary = join(dir, 'summary.md');
    const run = conductor(['run', standalone.specPath, '--time-scale', '100', '--summary', summary, '--data-dir', join(dir, 'data')], standalone.env);
    await run.waitFor(/^ {2}ramp t\+/, 120_000);
    // another writer widens the scalable target the run suspended
    const aas = new ApplicationAutoScalingClient({ region: 'eu-central-1', endpoint: standalone.sandbox.endpoints.ecs, credentials: { accessKeyId: 'AKIDOTHERWRITER00000', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: 'service/payments-loadtest/payment-processor', MinCapacity: 1, MaxCapacity: 8 }));
    } finally {
      aas.destroy();
    }
    const { code } = await run.exit;
    expect(code, run.out() + run.err()).toBe(0);
    const out = run.out();
    const lines = out.split('\n');
    const at = (line: string) => lines.indexOf(line);
    // paused before the first write (deploy), resumed after restore
    expect(at(`  checkout: GitOps paused — ${ARGO}`)).toBeGreaterThan(-1);
    expect(at(`  checkout: GitOps paused — ${ARGO}`)).toBeLessThan(at('phase deploy'));
    expect(at(`  cart: GitOps paused — ${FLUX}`)).toBeLessThan(at('phase deploy'));
    expect(at(`  checkout: GitOps resumed — ${ARGO}`)).toBeGreaterThan(at('phase restore'));
    expect(at(`  cart: GitOps resumed — ${FLUX}`)).toBeGreaterThan(at('phase restore'));
    // the ECS service's auto scaling: suspended by the run's deploy, left as someone else set it
    expect(at(`  payment-processor: Application Auto Scaling paused — ${HELD}`)).toBeGreaterThan(at('phase deploy'));
    expect(out).toMatch(/^warn: test environment changed by someone else: payment-processor autoscaling\.maxCapacity 6 → 8 /m);
    const left = `payment-processor: Application Auto Scaling left as it is — ${HELD} (someone else changed the scalable target during the run: now min 1, max 8, suspended: scale-in, scale-out, scheduled)`;
    expect(at(`  ${left}`)).toBeGreaterThan(at('phase restore'));
    // and again under the verdict, where a user looks last
    expect(at(`  - ${left}`)).toBeGreaterThan(at('standalone-sandbox-rehearsal: PASSED'));
    expect(out).not.toMatch(/^ {2}- checkout: GitOps/m);

    const md = await readFile(summary, 'utf8');
    expect(md).toContain(['## Held during the run', '', "What would have reverted the run's writes, paused before them and resumed by restore.", '', `- checkout: GitOps resumed — ${ARGO}`, `- cart: GitOps resumed — ${FLUX}`, `- ${left}`].join('\n'));
    expect(standalone.sandbox.productionMutatingRequests()).toBe(0);
  });
});
