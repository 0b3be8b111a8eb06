import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { openKubernetesReader } from '../../electron/substrates/kubernetes/index.ts';
import { kubectlFor, useShopClusters } from './kubectl-kit.ts';

/**
 * The real kubectl (v1.32, /usr/bin/kubectl) as a peer client of the sandbox API servers: if
 * kubectl can get, scale, set image, set resources and wait for rollout status, the sandbox
 * speaks the Kubernetes API faithfully. The adapter then reads what kubectl changed.
 */

describe('real kubectl against the sandbox API servers', () => {
  // fast clock: a rollout step (2 simulated s) takes 4 real ms
  const clock = new ScaledClock(500);
  const sandbox = useShopClusters(clock);
  const { kubectl, ok } = kubectlFor(sandbox);

  it('gets deployments, pods, HPAs and namespaces', async () => {
    const deps = await ok(['--context', 'sandbox-test', 'get', 'deployments', '-n', 'shop']);
    expect(deps.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(deps).toMatch(/\ncart\s+2\/2\s+2\s+2\s+\S+/);
    expect(deps).toMatch(/\ncheckout-api\s+2\/2\s+2\s+2\s+/);
    const prod = await ok(['--context', 'sandbox-prod', 'get', 'deployments', '-A', '-o', 'wide']);
    expect(prod).toMatch(/payments\s+ledger\s+2\/2\s+2\s+2\s+\S+\s+ledger\s+registry\.example\/ledger:4\.1\.0\s+app=ledger/);
    const pods = await ok(['--context', 'sandbox-test', 'get', 'pods', '-n', 'shop']);
    expect(pods.split('\n').filter((l) => /^cart-\w+-\w+\s+1\/1\s+Running\s+0\s+/.test(l))).toHaveLength(2);
    const hpa = await ok(['--context', 'sandbox-test', 'get', 'hpa', '-n', 'shop']);
    expect(hpa).toMatch(/checkout-api\s+Deployment\/checkout-api\s+.*\s+2\s+5\s+2\s+/);
    const ns = await ok(['--context', 'sandbox-test', 'get', 'namespaces', '-o', 'name']);
    expect(ns.trim().split('\n')).toEqual(['namespace/default', 'namespace/kube-system', 'namespace/loadtest', 'namespace/payments', 'namespace/shop']);
    const json = JSON.parse(await ok(['--context', 'sandbox-test', 'get', 'deployment', 'cart', '-n', 'shop', '-o', 'json'])) as { spec: { replicas: number } };
    expect(json.spec.replicas).toBe(2);
  });

  it('reports a missing deployment the way a real cluster does', async () => {
    const r = await kubectl(['--context', 'sandbox-test', 'get', 'deployment', 'ledger', '-n', 'payments']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "ledger" not found');
  });

  it('scales, sets an image and resources, waits for rollout status; the adapter reads the changes', async () => {
    const ctx = ['--context', 'sandbox-test', '-n', 'shop'];
    expect(await ok([...ctx, 'scale', 'deployment/cart', '--replicas=5'])).toBe('deployment.apps/cart scaled\n');
    expect(await ok([...ctx, 'set', 'image', 'deployment/cart', 'cart=registry.example/cart:9.9.9'])).toBe('deployment.apps/cart image updated\n');
    expect(await ok([...ctx, 'set', 'resources', 'deployment/cart', '-c', 'cart', '--limits=cpu=750m'])).toBe('deployment.apps/cart resource requirements updated\n');
    const status = await ok([...ctx, 'rollout', 'status', 'deployment/cart', '--timeout=60s']);
    expect(status.trim().split('\n').at(-1)).toBe('deployment "cart" successfully rolled out');

    const pods = await ok([...ctx, 'get', 'pods', '-l', 'app=cart', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}']);
    expect(pods.trim().split('\n')).toEqual(Array(5).fill('registry.example/cart:9.9.9'));

    const reader = await openKubernetesReader({ kubeconfig: { env: { KUBECONFIG: sandbox().kubeconfigPath } }, context: 'sandbox-test', clock });
    const cart = (await reader.readApps([{ app: 'cart', namespace: 'shop', deployment: 'cart' }])).get('cart');
    expect(cart).toMatchObject({
      replicas: 5,
      containers: [{ name: 'cart', image: 'registry.example/cart:9.9.9', resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '750m', memory: '512Mi' } } }],
      rollout: { complete: true, updated: 5, ready: 5, available: 5 },
    });
  });
});
