import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { silentLogger } from '../../electron/base/logger.ts';
import { assertTestIsNotProduction } from '../../electron/core/rules/test-identity.ts';
import { createEcsReader, createEcsWriter } from '../../electron/substrates/ecs/index.ts';
import { createKubernetesReader, createKubernetesWriter } from '../../electron/substrates/kubernetes/index.ts';
import { ProductionWriteRefused } from '../../shared/model/errors.ts';
import { conductor, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * "Production is never written", whatever the spelling: a test side that reaches production's
 * API server or ECS cluster under another name is refused before anything is written (exit 2),
 * because each side is asked who it is (kube-system UID; clusterArn) — with and without a
 * feature-branch override, and production's servers see zero mutating requests.
 */

let dir: string;
let s: Standalone;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-identity-'));
  s = await startStandalone(dir, { timeScale: 100 });
}, 60_000);
afterAll(async () => {
  await s.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

const productionWrites = () => s.sandbox.requestSummary().kubernetesProduction.mutating + s.sandbox.requestSummary().ecs.productionMutating;
const testWrites = () => s.sandbox.requestSummary().kubernetesTest.mutating + s.sandbox.requestSummary().ecs.mutating - s.sandbox.requestSummary().ecs.productionMutating;

/** spellings of a loopback server: IPv4-mapped IPv6, a name, a decimal address, the unspecified address */
const HOSTS = ['[::ffff:127.0.0.1]', 'localhost', '2130706433', '0.0.0.0'];

const OVERRIDE = '  deploy:\n    productionVersions: true\n    overrides:\n      checkout: { image: "registry.example/checkout-api:feature-x" }\n';

async function specWith(name: string, edit: (text: string) => string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, edit(await readFile(s.specPath, 'utf8')));
  return path;
}

async function journalsIn(data: string): Promise<number> {
  return (await readdir(join(data, 'runs')).catch(() => [])).length;
}

describe('a test Kubernetes context that reaches production under another spelling', () => {
  const cases = HOSTS.flatMap((host, i) => [
    { host, i, override: false, mode: "production's versions" },
    { host, i, override: true, mode: 'a feature-branch override' },
  ]);
  it.each(cases)('http://$host:PORT with $mode is refused with exit 2 before any write', async ({ host, i, override }) => {
    const alias = `http://${host}:${new URL(s.sandbox.endpoints.kubernetesProduction).port}`;
    const kubeconfig = join(dir, `kubeconfig-${i}-${override}.yaml`);
    await writeFile(kubeconfig, (await readFile(s.kubeconfig, 'utf8')).replace(s.sandbox.endpoints.kubernetesTest, alias));
    const spec = await specWith(`k8s-${i}-${override}`, (t) => (override ? t.replace('  deploy:\n    productionVersions: true\n', OVERRIDE) : t));
    const data = join(dir, `data-k8s-${i}-${override}`);
    const before = { production: productionWrites(), test: testWrites() };
    const c = conductor(['run', spec, '--time-scale', '100', '--data-dir', data], { ...s.env, KUBECONFIG: kubeconfig });
    const { code } = await c.exit;
    expect(code, c.out() + c.err()).toBe(2);
    expect(c.err()).toMatch(new RegExp(`^error: the test Kubernetes context "sandbox-test" \\(${alias.replace(/[[\]().]/g, '\\$&')}\\) points at production's cluster \\(context "sandbox-prod"`, 'm'));
    expect(c.err()).toMatch(/nothing was written/);
    expect(c.err()).not.toMatch(/\n\s+at /);
    expect(productionWrites()).toBe(before.production);
    expect(testWrites()).toBe(before.test);
    expect(await journalsIn(data)).toBe(0);
  });
});

describe('a test ECS cluster that is production under another spelling', () => {
  const port = () => new URL(s.sandbox.endpoints.ecs).port;
  const spellings: { name: string; cluster: string; endpoint: () => string }[] = [
    { name: 'the cluster behind http://0.0.0.0', cluster: 'payments-prod', endpoint: () => `http://0.0.0.0:${port()}` },
    { name: 'the cluster behind http://[::ffff:127.0.0.1]', cluster: 'payments-prod', endpoint: () => `http://[::ffff:127.0.0.1]:${port()}` },
    { name: 'the cluster behind http://localhost/', cluster: 'payments-prod', endpoint: () => `http://localhost:${port()}/` },
    { name: 'the production cluster named by its ARN', cluster: 'arn:aws:ecs:eu-central-1:000000000000:cluster/payments-prod', endpoint: () => s.sandbox.endpoints.ecs },
  ];
  it.each(spellings.map((x, i) => ({ ...x, i })))('$name is refused with exit 2 by validation, override or not, nothing written', async ({ cluster, endpoint: endpointOf, i }) => {
    const endpoint = endpointOf();
    for (const override of [false, true]) {
      const spec = await specWith(`ecs-${i}-${override}`, (t) => {
        const at = t.indexOf('  test:');
        const test = t.slice(at).replace(/ecs: \{ region: eu-central-1, cluster: payments-loadtest, endpoint: "[^"]+" \}/, `ecs: { region: eu-central-1, cluster: "${cluster}", endpoint: "${endpoint}" }`);
        const out = t.slice(0, at) + test;
        return override ? out.replace('  deploy:\n    productionVersions: true\n', '  deploy:\n    productionVersions: true\n    overrides:\n      payment-processor: { image: "registry.example/payment-processor:feature-x" }\n') : out;
      });
      const before = { production: productionWrites(), test: testWrites() };
      const c = conductor(['run', spec, '--time-scale', '100', '--data-dir', join(dir, `data-ecs-${i}`)], s.env);
      const { code } = await c.exit;
      expect(code, c.out() + c.err()).toBe(2);
      expect(c.err()).toMatch(/spec\.test\.ecs\.cluster: the test environment is production: same ECS region and cluster/);
      expect(productionWrites()).toBe(before.production);
      expect(testWrites()).toBe(before.test);
    }
  });
});

describe('identity is asked of the servers', () => {
  it('an ECS cluster named by its ARN answers with the same clusterArn as by its name: the pair is refused', async () => {
    const clock = new ScaledClock(1);
    const production = createEcsReader({ region: 'eu-central-1', cluster: 'payments-prod', endpoint: s.sandbox.endpoints.ecs, clock });
    const test = createEcsWriter({ region: 'eu-central-1', cluster: 'arn:aws:ecs:eu-central-1:000000000000:cluster/payments-prod', endpoint: s.sandbox.endpoints.ecs, clock });
    const [p, t] = await Promise.all([production.identity(), test.identity()]);
    expect(t.clusterArn).toBe(p.clusterArn);
    await expect(assertTestIsNotProduction({ production: { ecs: production }, test: { ecs: test } })).rejects.toThrow(ProductionWriteRefused);
    // the real test cluster is another cluster
    const real = createEcsWriter({ region: 'eu-central-1', cluster: 'payments-loadtest', endpoint: s.sandbox.endpoints.ecs, clock });
    await expect(assertTestIsNotProduction({ production: { ecs: production }, test: { ecs: real } })).resolves.toHaveLength(1);
  });

  it("the sandbox's production and test API servers have distinct identities; the writer's last line refuses production by identity, not by name", async () => {
    const clock = new ScaledClock(1);
    const kubeconfig = { kubeconfigPath: s.kubeconfig };
    const production = createKubernetesReader({ kubeconfig: { ...kubeconfig, context: 'sandbox-prod' }, clock, logger: silentLogger });
    const test = createKubernetesReader({ kubeconfig: { ...kubeconfig, context: 'sandbox-test' }, clock, logger: silentLogger });
    const [p, t] = await Promise.all([production.identity(), test.identity()]);
    expect(p.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.uid).not.toBe(p.uid);

    // a writer on production's server whose production target is named by a URL it does not match: the identity still refuses it
    const writer = createKubernetesWriter({
      kubeconfig: { ...kubeconfig, context: 'sandbox-prod' },
      clock,
      logger: silentLogger,
      productionTargets: [{ server: 'https://prod.example.invalid:6443', context: 'prod', identity: () => production.identity() }],
    });
    const before = productionWrites();
    await expect(writer.apply({ app: 'checkout', namespace: 'shop', deployment: 'checkout-api' }, { replicas: 9 })).rejects.toThrow(/same kube-system UID/);
    await expect(writer.writeLease('default', 'conductor-lock', { holderIdentity: 'x', leaseDurationSeconds: 60, acquireTime: null, renewTime: null, annotations: {} }, null)).rejects.toThrow(ProductionWriteRefused);
    expect(productionWrites()).toBe(before);
  });
});
