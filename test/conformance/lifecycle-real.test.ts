import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listPendingRecoveries } from '../../electron/core/run/journal.ts';
import { shopEcsSeed } from '../../electron/sandbox/ecs/index.ts';
import { SHOP_NAMESPACES } from '../../electron/sandbox/kubernetes/index.ts';
import { locustVersions, requireLocust } from '../fixtures/shop/locust-versions.ts';
import { startLocust, waitFor, type LocustCluster } from '../fixtures/shop/processes.ts';
import { startShopServer, type ShopServer } from '../fixtures/shop/server.ts';
import { conductor, differingFromSnapshot } from '../integration/recover-standalone-kit.ts';
import { kubeOk, type JsonObj } from './kube-http.ts';
import { deploymentsPath, hpasPath } from './kube-seed.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, seedMoto, startMoto, type Moto } from './moto.ts';
import { usePlane } from './plane-kit.ts';

/**
 * `conductor run` and `conductor recover`, as a user runs them, on real servers: the test and
 * production clusters of the real plane (production read through a read-only user, its audit log
 * watched), ECS on moto, a real Locust (a master and a worker) loading the shop fixture.
 * After each run — passed, aborted mid-ramp, or killed mid-deploy and recovered — every field
 * Conductor touches is what it was before, and production's API server saw no mutating request.
 */

const plane = usePlane();
const test = plane.clusters.test.admin;
const prod = plane.clusters.production.admin;
let dir: string;
let moto: Moto;
let shop: ShopServer;
let locust: LocustCluster;
let specPath: string;
let env: NodeJS.ProcessEnv;

function spec(locustUrl: string, shopUrl: string, motoUrl: string): string {
  return `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: real-plane-rehearsal }
spec:
  production:
    kubernetes: { context: real-prod }
    ecs: { region: ${MOTO_REGION}, cluster: payments-prod, endpoint: "${motoUrl}" }
  test:
    kubernetes: { context: real-test }
    ecs: { region: ${MOTO_REGION}, cluster: payments-loadtest, endpoint: "${motoUrl}" }
  applications:
    - { name: checkout, kubernetes: { namespace: shop, deployment: checkout-api } }
    - { name: cart, kubernetes: { namespace: shop, deployment: cart } }
    - { name: catalog, kubernetes: { namespace: shop, deployment: catalog } }
    - { name: payment-gateway, kubernetes: { namespace: payments, deployment: payment-gateway } }
    - { name: fraud-check, kubernetes: { namespace: payments, deployment: fraud-check } }
    - { name: payment-processor, ecs: { service: payment-processor } }
    - { name: notifications, ecs: { service: notifications } }
  deploy: { productionVersions: true, rolloutTimeout: 3m }
  scale: { matchProduction: true, restoreAfter: true }
  load:
    locust: { url: "${locustUrl}", host: "${shopUrl}" }
    kpi: { locustRequest: POST /orders }
    targetOrdersPerMinute: 600
    maxUsers: 50
    rampUp: 3m    # (the counted KPI: a count needs 30 s to be one, so at a 5 s interval the first ~30 s hold the first users and the catch-up overshoots a 90 s ramp; docs/controller.md)
    plateau: 60s
    controlInterval: 5s
    tolerancePct: 10
  guards: { maxErrorRate: 0.05 }
  cleanup:
    - kubernetesJob: { namespace: shop, name: purge-test-orders, image: "registry.example/shop-tools:1.0", command: [purge, --test-orders], timeout: 2m }
`;
}

/** Everything Conductor may write, read raw from the servers: each Deployment's and HPA's spec, each ECS service's task definition and count. */
async function fingerprint(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const ns of SHOP_NAMESPACES) {
    const deps = await kubeOk<{ items: { metadata: { name: string }; spec: JsonObj }[] }>(test, 'GET', deploymentsPath(ns));
    for (const d of deps.items) out[`deployment ${ns}/${d.metadata.name}`] = d.spec;
    const hpas = await kubeOk<{ items: { metadata: { name: string }; spec: JsonObj }[] }>(test, 'GET', hpasPath(ns));
    for (const h of hpas.items) out[`hpa ${ns}/${h.metadata.name}`] = h.spec;
  }
  const svcs = await moto.client().send(new DescribeServicesCommand({ cluster: 'payments-loadtest', services: ['payment-processor', 'notifications'] }));
  for (const s of svcs.services ?? []) out[`ecs ${s.serviceName}`] = { taskDefinition: s.taskDefinition, desiredCount: s.desiredCount };
  return out;
}

/** production's Deployments and HPAs, and its ECS services, to show they never changed */
async function productionFingerprint(): Promise<unknown> {
  const out: unknown[] = [];
  for (const ns of SHOP_NAMESPACES) {
    out.push(await kubeOk<{ items: { metadata: { name: string; generation: number }; spec: JsonObj }[] }>(prod, 'GET', deploymentsPath(ns)).then((l) => l.items.map((d) => [d.metadata.name, d.metadata.generation, d.spec])));
    out.push(await kubeOk<{ items: { spec: JsonObj }[] }>(prod, 'GET', hpasPath(ns)).then((l) => l.items.map((h) => h.spec)));
  }
  const svcs = await moto.client().send(new DescribeServicesCommand({ cluster: 'payments-prod', services: ['payment-processor', 'notifications'] }));
  out.push((svcs.services ?? []).map((s) => [s.serviceName, s.taskDefinition, s.desiredCount]));
  return out;
}

const locustState = async () => (await (await fetch(`${locust.url}/stats/requests`)).json()) as { state: string; user_count: number };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conductor-conformance-life-'));
  moto = await startMoto();
  await seedMoto(moto.client(), shopEcsSeed());
  shop = await startShopServer();
  // the current Locust (2.47, POST /stop and /stats/reset); test/integration/locust-real.test.ts runs the driver against 2.12 as well
  const current = locustVersions().find((v) => v.label === '2.47')!;
  locust = await startLocust(dir, 1, { bin: requireLocust(current) });
  await waitFor('the Locust master with its worker', async () => ((await (await fetch(`${locust.url}/stats/requests`)).json()) as { workers?: unknown[] }).workers?.length === 1, 60_000, 500, () => locust.master.output());
  specPath = join(dir, 'spec.yaml');
  writeFileSync(specPath, spec(locust.url, shop.url, moto.url), { mode: 0o600 });
  env = {
    ...process.env,
    KUBECONFIG: plane.kubeconfig,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
});

// a run that fails on Locust's side (no worker, a refused swarm) is explained by what Locust printed
afterEach((ctx) => {
  if (ctx.task.result?.state !== 'fail' || !locust) return;
  for (const p of [locust.master, ...locust.workers]) console.log(`--- ${p.name} ---\n${p.output().slice(-4000)}`);
});

afterAll(async () => {
  await locust?.stop();
  await shop?.close();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('conductor run and recover on the real plane, moto and current Locust', () => {
  it('runs the whole lifecycle: deploy, scale, ramp, plateau, restore, cleanup — and leaves everything as it was', async () => {
    const before = await fingerprint();
    const prodBefore = await productionFingerprint();
    const since = new Date().toISOString();
    const data = join(dir, 'data-pass');
    const report = join(dir, 'report.json');
    const run = conductor(['run', specPath, '--data-dir', data, '--report', report], env);
    const { code } = await run.exit;
    expect(code, `${run.out()}\n${run.err()}`).toBe(0);
    for (const phase of ['snapshot', 'deploy', 'scale', 'ramp', 'plateau', 'restore', 'cleanup']) expect(run.out()).toMatch(new RegExp(`^phase ${phase} done$`, 'm'));

    const r = JSON.parse(readFileSync(report, 'utf8')) as { verdict: { status: string; plateauOpm?: number }; parityBefore: { summary: { drift: number } } };
    expect(r.verdict.status).toBe('passed');
    expect(Math.abs(r.verdict.plateauOpm! - 600) / 600).toBeLessThan(0.15);
    expect(r.parityBefore.summary.drift).toBeGreaterThan(0);

    expect(await fingerprint()).toEqual(before);
    expect(await productionFingerprint()).toEqual(prodBefore);
    expect(plane.productionMutations(since)).toEqual([]);
    expect(await locustState()).toMatchObject({ user_count: 0 });
    expect(await listPendingRecoveries(data)).toEqual([]);
    // the cleanup Job ran in the test cluster and completed (kwok completes a Job's pods)
    const jobs = await kubeOk<{ items: { metadata: { name: string }; status: { succeeded?: number } }[] }>(test, 'GET', '/apis/batch/v1/namespaces/shop/jobs');
    expect(jobs.items.map((j) => [j.metadata.name.startsWith('purge-test-orders'), j.status.succeeded])).toEqual([[true, 1]]);
  }, 480_000); // a 3-minute ramp and a minute's plateau in real time, with deploy, restore and cleanup around them

  it('Ctrl-C mid-ramp stops the load, restores and exits 3 (aborted)', async () => {
    const before = await fingerprint();
    const since = new Date().toISOString();
    const data = join(dir, 'data-abort');
    const run = conductor(['run', specPath, '--data-dir', data], env);
    await run.waitFor(/^ {2}ramp t\+/, 240_000);
    // the test environment runs production's versions and size now
    expect(await fingerprint()).not.toEqual(before);
    run.proc.kill('SIGINT');
    const { code } = await run.exit;
    expect(code, `${run.out()}\n${run.err()}`).toBe(3);
    expect(run.out()).toMatch(/phase restore done/);
    expect(run.out()).toMatch(/verdict: aborted — aborted: interrupted \(Ctrl-C\)/);
    expect(await fingerprint()).toEqual(before);
    expect(plane.productionMutations(since)).toEqual([]);
    await waitFor('Locust stopped', async () => (await locustState()).user_count === 0, 20_000, 500);
  });

  it('kill -9 mid-deploy, then conductor recover: the test environment is back to its state before the run', async () => {
    const before = await fingerprint();
    const since = new Date().toISOString();
    const data = join(dir, 'data-kill');
    const run = conductor(['run', specPath, '--data-dir', data], env);
    const first = await run.waitFor(/^run \S+:/, 120_000);
    const runId = first.split(' ')[1]!.replace(/:$/, '');
    await run.waitFor(/^ {2}\S+: deploy rolling \(applying\)/, 240_000);
    run.proc.kill('SIGKILL');
    expect((await run.exit).signal).toBe('SIGKILL');
    expect((await listPendingRecoveries(data)).map((p) => p.runId)).toEqual([runId]);

    const rec = conductor(['recover', runId, '--data-dir', data], env);
    const { code } = await rec.exit;
    expect(code, `${rec.out()}\n${rec.err()}`).toBe(0);
    expect(rec.out()).toMatch(/is back to its state before the run/);
    expect(await differingFromSnapshot({ specPath, env }, data, runId)).toEqual([]);
    expect(await fingerprint()).toEqual(before);
    expect(await listPendingRecoveries(data)).toEqual([]);
    expect(plane.productionMutations(since)).toEqual([]);
  }, 330_000); // longer than the waits inside, so that a wait that fails says what the run printed
});
