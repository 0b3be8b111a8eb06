import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { startKubernetesApiServer, type KubeApiServer, type KubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { managerOfField } from '../../electron/substrates/kubernetes/changes.ts';
import { ISO_TIME, formatDifferences, judge, normalise, staleRules, type CaseResult, type Deliberate, type DiffCase } from './differential.ts';
import { compactEtcd, kubeOk, kubeRequest, kubeWatch, type JsonObj, type KubeEndpoint } from './kube-http.ts';
import { deleteNamespaces, deploymentsPath, hpasPath, seedCluster, waitRolledOut } from './kube-seed.ts';
import { installGitOpsCrds } from './gitops-kit.ts';
import { usePlane } from './plane-kit.ts';

/**
 * The sandbox's Kubernetes API server against a real kube-apiserver (with the real controllers):
 * the requests Conductor's adapter makes (bulk lists, get, strategic-merge and merge patches, watches
 * from a resourceVersion, 410 on an expired one, 409 on a stale write, Jobs) and those kubectl makes
 * in the peer tests (discovery, tables, scale, set image/resources), replayed on both from the same
 * seed and compared field by field after normalising what is per-server (uids, times, hashes).
 * A difference is fixed in the sandbox or listed here as deliberate, with the reason (and in the README).
 */

const plane = usePlane();
const NS = 'differential';
const seed: KubeSeed = {
  namespaces: [NS],
  deployments: [
    {
      namespace: NS,
      name: 'api',
      replicas: 2,
      containers: [
        { name: 'api', image: 'registry.example/api:1.0.0', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
        { name: 'envoy', image: 'registry.example/envoy:1.28.0', resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } } },
      ],
      hpa: { minReplicas: 2, maxReplicas: 5 },
    },
    { namespace: NS, name: 'worker', replicas: 1, containers: [{ name: 'worker', image: 'registry.example/worker:1.0.0', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  ],
};

let sandbox: KubeApiServer;
const endpoints = {} as { sandbox: KubeEndpoint; real: KubeEndpoint };

const norm = (v: unknown) =>
  normalise(v, {
    placeholders: ['uid', 'resourceVersion', 'creationTimestamp', 'continue'],
    time: ISO_TIME,
    rewrite: [
      [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>'],
      // ReplicaSet and pod names carry hashes each server computes its own way
      [/\b([a-z][a-z0-9-]*?)-[a-z0-9]{8,10}-[a-z0-9]{5}\b/g, '$1-<hash>-<id>'],
      [/\b(api|worker|stuck|web)-[a-z0-9]{8,10}\b/g, '$1-<hash>'],
    ],
  });
const normHash = (o: unknown): unknown => {
  const n = norm(o) as JsonObj;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const out: JsonObj = {};
    for (const [k, x] of Object.entries(v as JsonObj)) out[k] = k === 'pod-template-hash' ? '<hash>' : walk(x);
    return out;
  };
  return walk(n);
};

/** status and normalised body of one request */
const req = (method: string, path: string, body?: unknown, contentType?: string, headers?: Record<string, string>) => async (ep: KubeEndpoint) => {
  const a = await kubeRequest({ ...ep }, method, path, body, contentType, 30_000, headers);
  return { status: a.status, body: normHash(a.body) };
};

/** both servers' rollouts finished (the sandbox's on its clock, the real one's through its controllers) */
const settled = (ep: KubeEndpoint) =>
  waitRolledOut(
    ep,
    seed.deployments.map((d) => [NS, d.name]),
    60_000,
  );

/** make the history before now expire: the real plane compacts etcd, the sandbox drops its event history */
async function expireHistory(ep: KubeEndpoint): Promise<void> {
  if (ep === endpoints.sandbox) sandbox.store.compact();
  else await compactEtcd(plane.etcd, (await kubeOk<{ metadata: { resourceVersion: string } }>(ep, 'GET', deploymentsPath(NS))).metadata.resourceVersion);
}

const MANAGED_FIELDS: Deliberate = {
  path: /managedFields/,
  why: "the sandbox records who owns each field a write changed (Update, one entry per manager: what Conductor reads, compared in the managedFields case below), not server-side apply nor the API server's exact entries (creator, times, subresource); kubectl -o json ignores them",
};

const cases: DiffCase<KubeEndpoint>[] = [
  {
    name: 'list deployments of a namespace (the bulk read)',
    run: req('GET', deploymentsPath(NS)),
    deliberate: [MANAGED_FIELDS],
  },
  { name: 'get one deployment', run: req('GET', deploymentsPath(NS, 'api')), deliberate: [MANAGED_FIELDS] },
  {
    name: 'list HPAs (autoscaling/v2)',
    run: req('GET', hpasPath(NS)),
    deliberate: [
      MANAGED_FIELDS,
      {
        path: /status\.(conditions|currentMetrics|desiredReplicas|observedGeneration)$/,
        why: 'the real HPA controller reports that it cannot get CPU metrics (there is no metrics server); the sandbox has no HPA controller status beyond the replica counts',
      },
    ],
  },
  { name: 'get a missing deployment: 404 Status', run: req('GET', deploymentsPath(NS, 'ghost')) },
  { name: 'list with fieldSelector metadata.name', run: req('GET', `${deploymentsPath(NS)}?fieldSelector=metadata.name%3Dworker`), deliberate: [MANAGED_FIELDS] },
  {
    name: "strategic-merge patch of an image, replicas and resources (a null removes): the result, resourceVersion and generation",
    run: async (ep) => {
      const before = await kubeOk<{ metadata: { resourceVersion: string; generation: number } }>(ep, 'GET', deploymentsPath(NS, 'worker'));
      const patch = { spec: { replicas: 2, template: { spec: { containers: [{ name: 'worker', image: 'registry.example/worker:2.0.0', resources: { requests: { cpu: '200m', memory: null }, limits: { cpu: '1' } } }] } } } };
      const a = await kubeRequest(ep, 'PATCH', deploymentsPath(NS, 'worker'), patch, 'application/strategic-merge-patch+json');
      const after = a.body as { metadata: { resourceVersion: string; generation: number } };
      return { status: a.status, body: normHash(a.body), rvChanged: after.metadata.resourceVersion !== before.metadata.resourceVersion, generation: after.metadata.generation - before.metadata.generation };
    },
    deliberate: [MANAGED_FIELDS],
  },
  {
    name: 'the same patch again changes nothing: same resourceVersion and generation',
    run: async (ep) => {
      await settled(ep);
      type Dep = { metadata: { resourceVersion: string; generation: number }; status?: unknown };
      const patch = { spec: { replicas: 2, template: { spec: { containers: [{ name: 'worker', image: 'registry.example/worker:2.0.0' }] } } } };
      for (let attempt = 1; ; attempt++) {
        const before = await kubeOk<Dep>(ep, 'GET', deploymentsPath(NS, 'worker'));
        const a = await kubeRequest(ep, 'PATCH', deploymentsPath(NS, 'worker'), patch, 'application/strategic-merge-patch+json');
        const after = a.body as Dep;
        // a status write by the controllers between the read and the patch moves the resourceVersion too: measure again (bounded)
        if (JSON.stringify(after.status) !== JSON.stringify(before.status) && attempt < 5) {
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
        return { status: a.status, rvChanged: after.metadata.resourceVersion !== before.metadata.resourceVersion, generation: after.metadata.generation - before.metadata.generation };
      }
    },
  },
  {
    name: 'merge patch of HPA bounds',
    run: async (ep) => {
      const a = await kubeRequest(ep, 'PATCH', hpasPath(NS, 'api'), { spec: { minReplicas: 3, maxReplicas: 6 } }, 'application/merge-patch+json');
      return { status: a.status, spec: normHash((a.body as JsonObj).spec) };
    },
  },
  {
    name: 'a stale update (PUT with an old resourceVersion): 409 Conflict',
    run: async (ep) => {
      const cur = await kubeOk<JsonObj & { metadata: JsonObj }>(ep, 'GET', deploymentsPath(NS, 'api'));
      await kubeOk(ep, 'PATCH', deploymentsPath(NS, 'api'), { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
      return req('PUT', deploymentsPath(NS, 'api'), cur)(ep);
    },
  },
  {
    name: 'an invalid patch (replicas -1): 422 Invalid with its cause',
    run: req('PATCH', deploymentsPath(NS, 'api'), { spec: { replicas: -1 } }, 'application/merge-patch+json'),
  },
  {
    name: 'a patch in an unsupported content type: 415',
    run: req('PATCH', deploymentsPath(NS, 'api'), { spec: { replicas: 2 } }, 'application/json'),
  },
  {
    name: 'a watch from the list resourceVersion sees the next change as MODIFIED',
    run: async (ep) => {
      const list = await kubeOk<{ metadata: { resourceVersion: string } }>(ep, 'GET', `${deploymentsPath(NS)}?fieldSelector=metadata.name%3Dapi`);
      const w = await kubeWatch(ep, `${deploymentsPath(NS)}?watch=true&fieldSelector=metadata.name%3Dapi&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=30`);
      await kubeOk(ep, 'PATCH', deploymentsPath(NS, 'api'), { spec: { template: { spec: { containers: [{ name: 'api', image: 'registry.example/api:1.1.0' }] } } } }, 'application/strategic-merge-patch+json');
      const imageOf = (o: JsonObj) => (o as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]?.image;
      const events = await w.until((es) => es.some((e) => e.type === 'MODIFIED' && imageOf(e.object) === 'registry.example/api:1.1.0'), 20_000);
      w.close();
      // the controllers write status too; what matters: no ADDED replay, and the change arrives as MODIFIED
      return { status: w.status, types: [...new Set(events.map((e) => e.type))].sort(), sawChange: events.some((e) => e.type === 'MODIFIED' && imageOf(e.object) === 'registry.example/api:1.1.0') };
    },
  },
  {
    name: 'a watch from an expired resourceVersion: an ERROR event with a 410 Status',
    run: async (ep) => {
      await expireHistory(ep);
      const w = await kubeWatch(ep, `${deploymentsPath(NS)}?watch=true&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=10`);
      const events = await w.until((es) => es.length > 0, 10_000);
      w.close();
      const e = events[0];
      return { status: w.status, type: e?.type, object: e ? normHash({ ...e.object, message: String(e.object.message).replace(/\d+/g, 'N') }) : undefined };
    },
    deliberate: [
      {
        path: /^object\.message$/,
        why: 'both are the API server\'s words: its watch cache says "too old resource version: N (M)" (the sandbox\'s), a watch served from etcd after compaction "The resourceVersion for the provided watch is too old." (the test plane\'s); clients read the code, 410',
      },
    ],
  },
  {
    name: 'kubectl get deployments (a Table)',
    run: async (ep) => {
      await settled(ep);
      const a = await kubeRequest(ep, 'GET', deploymentsPath(NS), undefined, undefined, 30_000, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' });
      const t = a.body as { kind: string; apiVersion: string; columnDefinitions: { name: string; type: string; priority: number }[]; rows: { cells: unknown[] }[] };
      return { status: a.status, kind: t.kind, apiVersion: t.apiVersion, columns: t.columnDefinitions.map((c) => `${c.name}:${c.type}:${c.priority}`), rows: t.rows.map((r) => normHash(r.cells.map((c, i) => (t.columnDefinitions[i]?.name === 'Age' ? '<age>' : c)))) };
    },
  },
  {
    name: 'kubectl scale: the scale subresource',
    run: async (ep) => {
      await settled(ep);
      const get = await kubeRequest(ep, 'GET', `${deploymentsPath(NS, 'worker')}/scale`);
      const patch = await kubeRequest(ep, 'PATCH', `${deploymentsPath(NS, 'worker')}/scale`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
      return { get: { status: get.status, body: normHash(get.body) }, patch: { status: patch.status, body: normHash(patch.body) } };
    },
  },
  {
    name: 'a cleanup Job: create, then delete with propagationPolicy Background',
    run: async (ep) => {
      const job = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'cleanup-differential', namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'conductor' } },
        spec: { backoffLimit: 0, ttlSecondsAfterFinished: 60, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'cleanup', image: 'registry.example/cleanup:1', command: ['sh', '-c', 'true'] }] } } },
      };
      const created = await kubeRequest(ep, 'POST', `/apis/batch/v1/namespaces/${NS}/jobs`, job);
      const c = created.body as JsonObj & { spec: JsonObj };
      const del = await kubeRequest(ep, 'DELETE', `/apis/batch/v1/namespaces/${NS}/jobs/cleanup-differential?propagationPolicy=Background`);
      return { created: { status: created.status, spec: normHash(c.spec) }, deleted: { status: del.status, body: normHash(del.body) } };
    },
  },
  {
    name: "a Lease whose renewTime is JavaScript's toISOString (milliseconds): 400, MicroTime wants six digits",
    run: req('POST', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'bad-time' },
      spec: { holderIdentity: 'someone', leaseDurationSeconds: 30, renewTime: '2026-11-30T22:37:38.431Z' },
    }),
  },
  {
    name: 'the run lock Lease: created with MicroTimes, then a stale replace is 409',
    run: async (ep) => {
      const path = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
      const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'conductor-lock', annotations: { 'conductor.dev/run': 'r1' } }, spec: { holderIdentity: 'me@host', leaseDurationSeconds: 30, acquireTime: '2026-11-30T22:37:38.431000Z', renewTime: '2026-11-30T22:37:38.431000Z' } };
      const created = await kubeRequest(ep, 'POST', path, lease);
      const rv = (created.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      const renewed = await kubeRequest(ep, 'PUT', `${path}/conductor-lock`, { ...lease, metadata: { ...lease.metadata, resourceVersion: rv }, spec: { ...lease.spec, renewTime: '2026-11-30T22:37:48.000000Z' } });
      const stale = await kubeRequest(ep, 'PUT', `${path}/conductor-lock`, { ...lease, metadata: { ...lease.metadata, resourceVersion: rv } });
      return { created: { status: created.status, body: normHash(created.body) }, renewed: { status: renewed.status, spec: normHash((renewed.body as JsonObj).spec) }, stale: { status: stale.status, body: normHash(stale.body) } };
    },
    deliberate: [MANAGED_FIELDS],
  },
  {
    name: 'managedFields: who owns each field Conductor reports a change of (a patch with ?fieldManager=, the scale subresource, a client named only by its user agent)',
    run: async (ep) => {
      await settled(ep);
      const path = deploymentsPath(NS, 'worker');
      const container = (c: JsonObj) => ({ spec: { template: { spec: { containers: [{ name: 'worker', ...c }] } } } });
      const a = await kubeRequest(ep, 'PATCH', `${path}?fieldManager=hotfixer`, container({ image: 'registry.example/worker:3.0.0' }), 'application/strategic-merge-patch+json');
      const b = await kubeRequest(ep, 'PATCH', `${path}/scale`, { spec: { replicas: 4 } }, 'application/merge-patch+json', 30_000, { 'user-agent': 'kubectl/v1.37.2 (linux/amd64) kubernetes/0000000' });
      const c = await kubeRequest(ep, 'PATCH', path, container({ resources: { limits: { cpu: '2' } } }), 'application/strategic-merge-patch+json', 30_000, { 'user-agent': 'kubectl-edit/v1.37.2 (linux/amd64) kubernetes/0000000' });
      const managed = (await kubeOk<{ metadata: { managedFields: { manager: string }[] } }>(ep, 'GET', path)).metadata.managedFields;
      const at = ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"worker"}'];
      return {
        statuses: [a.status, b.status, c.status],
        image: managerOfField(managed, [...at, 'f:image']),
        replicas: managerOfField(managed, ['f:spec', 'f:replicas']),
        resources: managerOfField(managed, [...at, 'f:resources']),
      };
    },
  },
  {
    name: "an Argo CD Application (a CRD): automated sync off by a merge patch with null, then back exactly — an empty automated too; a missing one is 404",
    run: async (ep) => {
      const path = `/apis/argoproj.io/v1alpha1/namespaces/${NS}/applications`;
      const created = await kubeRequest(ep, 'POST', path, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'shop' },
        spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: NS }, syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=false'] } },
      });
      const patch = (automated: unknown) => kubeRequest(ep, 'PATCH', `${path}/shop?fieldManager=conductor`, { spec: { syncPolicy: { automated } } }, 'application/merge-patch+json');
      const policy = (x: { status: number; body: unknown }) => ({ status: x.status, syncPolicy: (x.body as { spec?: { syncPolicy?: unknown } }).spec?.syncPolicy });
      const steps = { created: policy(created), off: policy(await patch(null)), empty: policy(await patch({})), back: policy(await patch({ prune: true, selfHeal: true })) };
      const missing = await kubeRequest(ep, 'GET', `${path}/ghost`);
      return { ...steps, missing: { status: missing.status, body: normHash(missing.body) } };
    },
  },
  {
    name: "the kube-system namespace (Conductor's cluster identity)",
    run: async (ep) => {
      const a = await kubeRequest(ep, 'GET', '/api/v1/namespaces/kube-system');
      const b = a.body as { metadata?: { uid?: string } };
      return { status: a.status, hasUid: typeof b.metadata?.uid === 'string' };
    },
  },
];

const results: CaseResult[] = [];
const used = new Set<Deliberate>();

beforeAll(async () => {
  sandbox = await startKubernetesApiServer({ clock: new ScaledClock(50), name: 'differential', seed });
  endpoints.sandbox = { server: sandbox.url };
  endpoints.real = plane.clusters.test.admin;
  await seedCluster(endpoints.real, seed);
  await installGitOpsCrds(endpoints.real);
  await waitRolledOut(endpoints.sandbox, seed.deployments.map((d) => [d.namespace, d.name]));
});

afterAll(async () => {
  await sandbox?.close();
  await deleteNamespaces(plane.clusters.test.admin, [NS]);
  const deliberate = results.reduce((n, r) => n + r.deliberate.length, 0);
  console.log(`differential Kubernetes: ${results.length} cases, ${deliberate} deliberate differences`);
});

describe('the sandbox Kubernetes API server against a real kube-apiserver, field by field', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const s = await c.run(endpoints.sandbox);
      const r = await c.run(endpoints.real);
      const res = judge(c, s, r, used);
      results.push(res);
      expect(res.unexpected, `differences (sandbox vs real):\n${formatDifferences(res.unexpected)}`).toEqual([]);
    });
  }

  it('every difference listed as deliberate still shows', () => {
    expect(results).toHaveLength(cases.length);
    expect(staleRules(cases, used)).toEqual([]);
  });
});

