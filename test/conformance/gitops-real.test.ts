import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPendingRecoveries, readJournal } from '../../electron/core/run/journal.ts';
import type { KubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { locustVersions, requireLocust } from '../fixtures/shop/locust-versions.ts';
import { startLocust, waitFor, type LocustCluster } from '../fixtures/shop/processes.ts';
import { startShopServer, type ShopServer } from '../fixtures/shop/server.ts';
import { conductor, differingFromSnapshot } from '../integration/recover-standalone-kit.ts';
import { APPLICATIONS, APPLICATIONSETS, FLUX_RECONCILE, GitOpsReverter, KUSTOMIZATIONS, installGitOpsCrds, type ManagedDeployment } from './gitops-kit.ts';
import { kubeOk, type JsonObj } from './kube-http.ts';
import { createNamespace, deleteNamespaces, deploymentsPath, hpasPath, seedCluster } from './kube-seed.ts';
import { usePlane } from './plane-kit.ts';
import { PLANE_ADMIN_CONTEXTS } from './plane.ts';
import { kubeBinary } from './tools.ts';

/**
 * GitOps, other writers and paused rollouts on the real plane, through `conductor run` and
 * `conductor recover` as a user runs them. The test cluster holds the CRDs of Flux's Kustomization
 * and Argo CD's Application and ApplicationSet, and a reverter (./gitops-kit.ts) that puts a
 * managed Deployment back to its state in git within a fraction of a second unless it is paused the
 * way Flux and Argo CD honour — so a run that forgot to pause them, or to pause the right thing,
 * fails here. Every write Conductor makes to the test cluster is in its audit log.
 */

const plane = usePlane();
const test = plane.clusters.test.admin;
const NS = 'conformance-gitops';
const FLUX_LABELS = { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
const tracking = (app: string, name: string) => ({ 'argocd.argoproj.io/tracking-id': `${app}:apps/Deployment:${NS}/${name}` });

function seedFor(side: 'production' | 'test'): KubeSeed {
  const prod = side === 'production';
  const dep = (name: string, extra: Partial<KubeSeed['deployments'][number]> = {}): KubeSeed['deployments'][number] => ({
    namespace: NS,
    name,
    replicas: prod ? 2 : 1,
    containers: [{ name, image: `registry.example/${name}:${prod ? '1.1.0' : '1.0.0'}`, resources: { requests: { cpu: prod ? '200m' : '100m', memory: '64Mi' } } }],
    ...extra,
  });
  return {
    namespaces: [NS],
    deployments: [
      // with an HPA: Flux's hold goes on both objects the run patches
      dep('flux-web', { labels: FLUX_LABELS, hpa: prod ? { minReplicas: 2, maxReplicas: 6 } : { minReplicas: 1, maxReplicas: 3 } }),
      dep('argo-web', { annotations: tracking('argo-web', 'argo-web') }),
      // Argo CD's legacy tracking: the instance label names the Application
      dep('instance-web', { labels: { 'app.kubernetes.io/instance': 'instance-web' } }),
      dep('appset-web', { annotations: tracking('appset-web', 'appset-web') }),
      dep('plain'),
      dep('paused-web'),
    ],
  };
}

const application = (name: string, automated: JsonObj, extra: JsonObj = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd', ...extra },
  spec: {
    project: 'default',
    source: { repoURL: 'https://git.example/deploy.git', path: `envs/test/${name}`, targetRevision: 'main' },
    destination: { server: 'https://kubernetes.default.svc', namespace: NS },
    syncPolicy: { automated, syncOptions: ['CreateNamespace=false'] },
  },
});

/** each managed Deployment's state in git: as seeded in test */
const git = (name: string) => ({ replicas: 1, images: { [name]: `registry.example/${name}:1.0.0` } });
const MANAGED: ManagedDeployment[] = [
  { namespace: NS, name: 'flux-web', manager: { kind: 'flux', kustomization: { namespace: 'flux-system', name: 'apps' } }, git: { images: git('flux-web').images } },
  { namespace: NS, name: 'argo-web', manager: { kind: 'argocd', application: { namespace: 'argocd', name: 'argo-web' } }, git: git('argo-web') },
  { namespace: NS, name: 'instance-web', manager: { kind: 'argocd', application: { namespace: 'argocd', name: 'instance-web' } }, git: git('instance-web') },
  { namespace: NS, name: 'appset-web', manager: { kind: 'argocd', application: { namespace: 'argocd', name: 'appset-web' } }, git: git('appset-web') },
];

let dir: string;
let shop: ShopServer;
let locust: LocustCluster;
let reverter: GitOpsReverter;
let env: NodeJS.ProcessEnv;

function specFile(name: string, apps: string[], extra = ''): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: ${name} }
spec:
  production:
    kubernetes: { context: real-prod }
  test:
    kubernetes: { context: real-test }
  applications:
${apps.map((a) => `    - { name: ${a}, kubernetes: { namespace: ${NS}, deployment: ${a} } }`).join('\n')}
  deploy: { productionVersions: true, rolloutTimeout: 2m }
  scale: { matchProduction: true, restoreAfter: true }
  load:
    locust: { url: "${locust.url}", host: "${shop.url}" }
    kpi: { locustRequest: POST /orders }
    targetOrdersPerMinute: 300
    maxUsers: 20
    rampUp: 5s
    plateau: 15s
    controlInterval: 5s
    tolerancePct: 100
  guards: { maxErrorRate: 0.5 }
${extra}`,
    { mode: 0o600 },
  );
  return path;
}

/** kubectl as another person (the plane's admin, not Conductor's user) on the test cluster */
function kubectl(args: string[]): Promise<string> {
  const bin = kubeBinary('kubectl');
  return new Promise((resolve, reject) =>
    execFile(bin, ['--context', PLANE_ADMIN_CONTEXTS.test, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: plane.kubeconfig }, timeout: 60_000 }, (err, out, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(out),
    ),
  );
}

type Dep = { metadata: { annotations?: Record<string, string>; managedFields?: { manager: string; subresource?: string; fieldsV1: JsonObj }[] }; spec: { replicas: number; paused?: boolean; template: { spec: { containers: { name: string; image: string; resources: JsonObj }[] } } } };
const deployment = (name: string) => kubeOk<Dep>(test, 'GET', deploymentsPath(NS, name));
const fluxHold = async (name: string) => (await deployment(name)).metadata.annotations?.[FLUX_RECONCILE];
const hpaFluxHold = async (name: string) => (await kubeOk<{ metadata: { annotations?: Record<string, string> } }>(test, 'GET', hpasPath(NS, name))).metadata.annotations?.[FLUX_RECONCILE];
const FLUX_WHAT = `Flux: kustomize.toolkit.fluxcd.io/reconcile=disabled on deployments ${NS}/flux-web, horizontalpodautoscalers ${NS}/flux-web`;
const syncPolicy = async (name: string) => (await kubeOk<{ spec: { syncPolicy: JsonObj } }>(test, 'GET', APPLICATIONS('argocd', name))).spec.syncPolicy;
const looks = async (name: string) => {
  const d = await deployment(name);
  const c = d.spec.template.spec.containers[0]!;
  return { replicas: d.spec.replicas, image: c.image, resources: c.resources };
};
/** Conductor's writes to the test cluster since `since`, the run lock's Lease (default/conductor-lock, taken and released around every run) left out */
const LOCK = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
const appWrites = (since: string) =>
  plane
    .testMutations(since)
    .map((e) => `${e.verb} ${e.requestURI.split('?')[0]}`)
    .filter((w) => !(w.endsWith(`${LOCK}/conductor-lock`) || w === `create ${LOCK}`));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conductor-conformance-gitops-'));
  await installGitOpsCrds(test);
  for (const ns of ['flux-system', 'argocd']) await createNamespace(test, ns);
  await Promise.all([seedCluster(plane.clusters.production.admin, seedFor('production')), seedCluster(test, seedFor('test'))]);
  await kubeOk(test, 'POST', KUSTOMIZATIONS('flux-system'), {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system' },
    spec: { interval: '10m', path: './envs/test', prune: true, sourceRef: { kind: 'GitRepository', name: 'deploy' } },
  });
  await kubeOk(test, 'POST', APPLICATIONS('argocd'), application('argo-web', { prune: true, selfHeal: true }));
  await kubeOk(test, 'POST', APPLICATIONS('argocd'), application('instance-web', { enabled: true, selfHeal: true, allowEmpty: false }));
  // an Application an ApplicationSet generated: owned by it (a real owner, or the garbage collector deletes the Application)
  const appset = await kubeOk<{ metadata: { uid: string } }>(test, 'POST', APPLICATIONSETS('argocd'), {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'envs', namespace: 'argocd' },
    spec: { generators: [{ list: { elements: [{ env: 'test' }] } }], template: { metadata: { name: 'appset-web' }, spec: { project: 'default' } } },
  });
  await kubeOk(
    test,
    'POST',
    APPLICATIONS('argocd'),
    application('appset-web', { prune: true, selfHeal: true }, { ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: 'envs', uid: appset.metadata.uid, controller: true, blockOwnerDeletion: true }] }),
  );
  reverter = new GitOpsReverter(test, MANAGED).start();

  shop = await startShopServer();
  const current = locustVersions().find((v) => v.label === '2.47')!;
  locust = await startLocust(dir, 1, { bin: requireLocust(current) });
  await waitFor('the Locust master with its worker', async () => ((await (await fetch(`${locust.url}/stats/requests`)).json()) as { workers?: unknown[] }).workers?.length === 1, 60_000, 500, () => locust.master.output());
  env = { ...process.env, KUBECONFIG: plane.kubeconfig };
});

afterAll(async () => {
  await reverter?.stop();
  await locust?.stop();
  await shop?.close();
  await Promise.all([deleteNamespaces(test, [NS, 'flux-system', 'argocd']), deleteNamespaces(plane.clusters.production.admin, [NS])]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('refused before any write, on the real plane', () => {
  it('spec.gitops refuse: the run names the managed apps and writes nothing', async () => {
    const since = new Date().toISOString();
    const before = await syncPolicy('argo-web');
    const run = conductor(['run', specFile('gitops-refuse', ['flux-web', 'argo-web'], '  gitops: refuse\n'), '--data-dir', join(dir, 'data-refuse')], env);
    const { code } = await run.exit;
    expect(code, run.out() + run.err()).toBe(3);
    expect(run.out()).toMatch(/spec\.gitops is refuse and these test apps are applied by a GitOps controller: flux-web \(Flux Kustomization flux-system\/apps\), argo-web \(Argo CD Application argo-web\)\. Nothing was written\./);
    expect(appWrites(since)).toEqual([]);
    expect(await syncPolicy('argo-web')).toEqual(before);
    expect(await fluxHold('flux-web')).toBeUndefined();
  });

  it('an Application generated by an ApplicationSet is refused with how to pause it; nothing written', async () => {
    const since = new Date().toISOString();
    const run = conductor(['run', specFile('gitops-appset', ['appset-web']), '--data-dir', join(dir, 'data-appset')], env);
    const { code } = await run.exit;
    expect(code, run.out() + run.err()).toBe(3);
    expect(run.out()).toMatch(/appset-web: Argo CD Application argocd\/appset-web is generated by the ApplicationSet envs, which would put its automated sync back\. Pause it there before the run/);
    expect(appWrites(since)).toEqual([]);
    expect(await syncPolicy('appset-web')).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=false'] });
  });

  it('a paused Deployment (kubectl rollout pause) is refused, naming the app and how to resume it; nothing written', async () => {
    await kubectl(['-n', NS, 'rollout', 'pause', 'deployment/paused-web']);
    const since = new Date().toISOString();
    const run = conductor(['run', specFile('paused', ['flux-web', 'paused-web']), '--data-dir', join(dir, 'data-paused')], env);
    const { code } = await run.exit;
    expect(code, run.out() + run.err()).toBe(3);
    expect(run.out()).toContain('a paused Deployment never rolls out a change — paused-web (deployment conformance-gitops/paused-web is paused: resume it with `kubectl rollout resume deployment/paused-web -n conformance-gitops --context real-test`');
    // not even the Flux hold of the other app: the refusal comes before any write
    expect(appWrites(since)).toEqual([]);
    expect(await fluxHold('flux-web')).toBeUndefined();
    expect((await deployment('paused-web')).spec.paused).toBe(true);
  });
});

describe('a run on Flux- and Argo CD-managed apps with another writer mid-run, on the real plane', () => {
  it('pauses exactly what would revert it before its first write, reports the other writer by managedFields, restores compare-and-set and resumes GitOps as it was', async () => {
    const before = { argo: await syncPolicy('argo-web'), instance: await syncPolicy('instance-web'), plain: await looks('plain') };
    const since = new Date().toISOString();
    const data = join(dir, 'data-run');
    const report = join(dir, 'report.json');
    const apps = ['flux-web', 'argo-web', 'instance-web', 'plain'];
    const run = conductor(['run', specFile('gitops-run', apps), '--data-dir', data, '--report', report], env);
    const runId = (await run.waitFor(/^run \S+:/, 120_000)).split(' ')[1]!.replace(/:$/, '');
    await run.waitFor(/^ {2}plateau t\+/, 180_000);

    // mid-run: the holds are in place, the apps run production's versions, and nothing reverted them
    const during = {
      flux: [await fluxHold('flux-web'), await hpaFluxHold('flux-web')],
      argo: await syncPolicy('argo-web'),
      instance: await syncPolicy('instance-web'),
      images: await Promise.all(apps.map(async (a) => (await looks(a)).image)),
    };
    // someone else, in the plateau: a hotfix image with their own field manager, and a scale
    const hotfix = { spec: { template: { spec: { containers: [{ name: 'plain', image: 'registry.example/plain:1.1.1-hotfix' }] } } } };
    await kubectl(['-n', NS, 'patch', 'deployment', 'plain', '--field-manager=hotfixer', '-p', JSON.stringify(hotfix)]);
    await kubectl(['-n', NS, 'scale', 'deployment/plain', '--replicas=3']);

    const { code } = await run.exit;
    expect(code, run.out() + run.err()).toBe(0);
    expect(during).toEqual({
      flux: ['disabled', 'disabled'],
      argo: { syncOptions: ['CreateNamespace=false'] },
      instance: { syncOptions: ['CreateNamespace=false'] },
      images: apps.map((a) => `registry.example/${a}:1.1.0`),
    });
    expect(reverter.reverts).toEqual([]);

    // the other writer, field by field, named as the API server's managedFields name it
    const r = JSON.parse(readFileSync(report, 'utf8')) as { status: { otherWriters?: JsonObj[]; gitops?: JsonObj[]; flags: string[] } };
    expect((r.status.otherWriters ?? []).map(({ t: _t, ...c }) => c)).toEqual([
      { app: 'plain', object: `deployments ${NS}/plain`, field: 'image[plain]', from: 'registry.example/plain:1.1.0', to: 'registry.example/plain:1.1.1-hotfix', manager: 'hotfixer' },
      { app: 'plain', object: `deployments ${NS}/plain`, field: 'replicas', from: 2, to: 3, manager: 'kubectl' },
    ]);
    // restore is compare-and-set: their image and replicas stay, what only the run wrote (resources) goes back, and it says so
    expect(await looks('plain')).toEqual({ replicas: 3, image: 'registry.example/plain:1.1.1-hotfix', resources: before.plain.resources });
    expect(r.status.flags).toEqual(
      expect.arrayContaining([
        'restore left plain image[plain] as someone else set it during the run: registry.example/plain:1.1.1-hotfix (the run wrote registry.example/plain:1.1.0)',
        'restore left plain replicas as someone else set it during the run: 3 (the run wrote 2)',
      ]),
    );

    // GitOps resumed exactly as it was; the managed apps back as in git
    expect(r.status.gitops?.map((g) => [g.app, g.state, g.what])).toEqual([
      ['flux-web', 'resumed', FLUX_WHAT],
      ['argo-web', 'resumed', 'Argo CD Application argocd/argo-web: automated sync (spec.syncPolicy.automated) off'],
      ['instance-web', 'resumed', 'Argo CD Application argocd/instance-web: automated sync (spec.syncPolicy.automated) off'],
    ]);
    expect([await fluxHold('flux-web'), await hpaFluxHold('flux-web')]).toEqual([undefined, undefined]);
    expect(await syncPolicy('argo-web')).toEqual(before.argo);
    expect(await syncPolicy('instance-web')).toEqual(before.instance);
    for (const a of ['flux-web', 'argo-web', 'instance-web']) expect(await looks(a)).toMatchObject({ replicas: 1, image: `registry.example/${a}:1.0.0` });
    expect((await kubeOk<{ spec: JsonObj }>(test, 'GET', hpasPath(NS, 'flux-web'))).spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    expect(reverter.reverts).toEqual([]);

    // journaled before held, and held before the first write to an app: the journal, and the test API server's audit log
    const journal = await readJournal(data, runId);
    const firstPause = journal.findIndex((e) => e.type === 'gitops-pause');
    const firstWrite = journal.findIndex((e) => e.type === 'write-intent');
    expect(firstPause).toBeGreaterThanOrEqual(0);
    expect(firstPause).toBeLessThan(firstWrite);
    // the first hold reached the API server after it was journaled
    const firstHoldAt = plane.testMutations(since).find((e) => !e.requestURI.includes('/leases'))!.requestReceivedTimestamp;
    expect(new Date(firstHoldAt).getTime()).toBeGreaterThanOrEqual(new Date(journal[firstPause]!.t).getTime());
    const writes = appWrites(since);
    const holds = [`patch ${APPLICATIONS('argocd', 'argo-web')}`, `patch ${APPLICATIONS('argocd', 'instance-web')}`, `patch ${deploymentsPath(NS, 'flux-web')}`, `patch ${hpasPath(NS, 'flux-web')}`].sort();
    expect(writes.slice(0, 4).sort()).toEqual(holds);
    expect(writes.slice(-4).sort()).toEqual(holds);
    expect(plane.productionMutations(since)).toEqual([]);
    expect(await listPendingRecoveries(data)).toEqual([]);
  });
});

describe('kill -9 with GitOps paused on the real plane, then conductor recover', () => {
  it('resumes Flux and Argo CD exactly as they were and restores the apps', async () => {
    const before = await syncPolicy('argo-web');
    const since = new Date().toISOString();
    const data = join(dir, 'data-kill');
    const specPath = specFile('gitops-kill', ['flux-web', 'argo-web']);
    const run = conductor(['run', specPath, '--data-dir', data], env);
    const runId = (await run.waitFor(/^run \S+:/, 120_000)).split(' ')[1]!.replace(/:$/, '');
    await run.waitFor(/^ {2}ramp t\+/, 180_000);
    run.proc.kill('SIGKILL');
    expect((await run.exit).signal).toBe('SIGKILL');

    // the dead run left both held and the apps changed; nothing reverted them
    expect([await fluxHold('flux-web'), await hpaFluxHold('flux-web')]).toEqual(['disabled', 'disabled']);
    expect(await syncPolicy('argo-web')).toEqual({ syncOptions: ['CreateNamespace=false'] });
    expect((await looks('argo-web')).image).toBe('registry.example/argo-web:1.1.0');
    expect((await listPendingRecoveries(data)).map((p) => p.runId)).toEqual([runId]);

    const rec = conductor(['recover', runId, '--data-dir', data], env);
    const { code } = await rec.exit;
    expect(code, rec.out() + rec.err()).toBe(0);
    expect(rec.out()).toMatch(/is back to its state before the run/);
    expect(rec.out()).toContain(`flux-web: GitOps resumed — ${FLUX_WHAT}`);
    expect(rec.out()).toContain('argo-web: GitOps resumed — Argo CD Application argocd/argo-web: automated sync (spec.syncPolicy.automated) off');
    expect([await fluxHold('flux-web'), await hpaFluxHold('flux-web')]).toEqual([undefined, undefined]);
    expect(await syncPolicy('argo-web')).toEqual(before);
    expect(await differingFromSnapshot({ specPath, env }, data, runId)).toEqual([]);
    expect(await listPendingRecoveries(data)).toEqual([]);
    expect(reverter.reverts).toEqual([]);
    expect(plane.productionMutations(since)).toEqual([]);
  });
});
