import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, waitFor } from '../fixtures/shop/processes.ts';
import { kubeOk, kubeRequest, type KubeEndpoint } from './kube-http.ts';
import { KUBE_VERSION, kubeBinary, kwokStages } from './tools.ts';

/**
 * A real Kubernetes control plane on loopback for the conformance suite, from the binaries that
 * build/tools/kube-plane-build.sh caches outside the repository: one etcd holding two clusters,
 * production and test — each its own kube-apiserver with its own --etcd-prefix (so each has its own
 * kube-system namespace UID), kube-controller-manager (the real Deployment, ReplicaSet, HPA, Job and
 * garbage-collector controllers), kube-scheduler, and kwok managing one fake node (pods become Ready
 * without a kubelet; Job pods complete). Static tokens authenticate; RBAC authorises: Conductor's
 * production user may only read (the `view` role), its test user is a cluster admin. Each API
 * server writes an audit log of every request from outside the plane's own components.
 * Every process runs in its own process group and is stopped by group.
 *
 *   node bin/run-ts.js test/conformance/plane.ts [DIR]   starts it, prints the kubeconfig path, Ctrl-C stops it
 */

export type Side = 'production' | 'test';
export const PLANE_CONTEXTS = { production: 'real-prod', test: 'real-test' } as const;
/** contexts with cluster-admin rights, for seeding and inspection (not for Conductor) */
export const PLANE_ADMIN_CONTEXTS = { production: 'real-prod-admin', test: 'real-test-admin' } as const;
/** the users the plane's own components authenticate as; the audit policy leaves them out */
const COMPONENT_USERS = ['system:kube-controller-manager', 'system:kube-scheduler', 'kwok', 'system:apiserver'];
export const CONDUCTOR_USERS = { production: 'conductor-reader', test: 'conductor-test' } as const;
export const FAKE_NODE = 'kwok-node-0';

export interface PlaneCluster {
  side: Side;
  server: string;
  /** PEM of the CA that signed the API server's certificate */
  ca: string;
  /** cluster-admin */
  admin: KubeEndpoint;
  /** Conductor's user on this side (read-only on production) */
  conductor: KubeEndpoint;
  auditLog?: string;
}

export interface AuditEvent {
  verb: string;
  user: { username: string };
  requestURI: string;
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

/** what a test needs to know of a running plane (plain data: it crosses from the global setup to the test files) */
export interface PlaneInfo {
  dir: string;
  /** contexts real-prod, real-test (Conductor's users) and real-prod-admin, real-test-admin */
  kubeconfig: string;
  etcd: string;
  clusters: Record<Side, PlaneCluster>;
  /** how long start took, real ms */
  startMs: number;
}

export interface PlaneAudit {
  /** audit events of production's API server (everyone but the plane's components) */
  productionAudit(): AuditEvent[];
  /** production's mutating requests (create, update, patch, delete) since `sinceIso`, by anyone but the plane's admin */
  productionMutations(sinceIso?: string): AuditEvent[];
  /** the test API server's mutating requests since `sinceIso` by Conductor's test user */
  testMutations(sinceIso?: string): AuditEvent[];
}

export interface Plane extends PlaneInfo, PlaneAudit {
  stop(): Promise<void>;
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** the API servers' audit logs, read on each call */
export function planeAudit(info: PlaneInfo): PlaneAudit {
  const audit = (side: Side): AuditEvent[] => {
    const f = info.clusters[side].auditLog;
    if (!f || !existsSync(f)) return [];
    return readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);
  };
  const mutations = (side: Side, by: (user: string) => boolean, sinceIso?: string) => audit(side).filter((e) => MUTATING.has(e.verb) && by(e.user.username) && (!sinceIso || e.stageTimestamp >= sinceIso));
  return {
    productionAudit: () => audit('production'),
    productionMutations: (sinceIso) => mutations('production', (u) => u !== 'plane-admin', sinceIso),
    testMutations: (sinceIso) => mutations('test', (u) => u === CONDUCTOR_USERS.test, sinceIso),
  };
}

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
  done: boolean;
}

function start(dir: string, name: string, cmd: string, args: string[]): Proc {
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, 'a', 0o600);
  const child = spawn(cmd, args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
  closeSync(fd);
  const p: Proc = { name, child, log, done: false, exited: Promise.resolve() };
  p.exited = new Promise((resolve) => {
    child.once('exit', () => {
      p.done = true;
      resolve();
    });
    child.once('error', () => {
      p.done = true;
      resolve();
    });
  });
  return p;
}

const tail = (p: Proc) => {
  try {
    return readFileSync(p.log, 'utf8').slice(-3000);
  } catch {
    return '';
  }
};

async function stopAll(procs: Proc[]): Promise<void> {
  const signal = (p: Proc, sig: NodeJS.Signals) => {
    if (p.done || p.child.pid === undefined) return;
    try {
      process.kill(-p.child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  for (const p of procs) signal(p, 'SIGTERM');
  await Promise.race([Promise.all(procs.map((p) => p.exited)), new Promise((r) => setTimeout(r, 5000))]);
  for (const p of procs) signal(p, 'SIGKILL');
  await Promise.race([Promise.all(procs.map((p) => p.exited)), new Promise((r) => setTimeout(r, 2000))]);
}

const token = () => randomBytes(24).toString('hex');

/** Start the plane; `dir` (default a new temporary folder) holds certificates, tokens, logs and the kubeconfig. */
export async function startPlane(opts: { dir?: string } = {}): Promise<Plane> {
  const t0 = Date.now();
  const bin = {
    etcd: kubeBinary('etcd'),
    apiserver: kubeBinary('kube-apiserver'),
    kcm: kubeBinary('kube-controller-manager'),
    scheduler: kubeBinary('kube-scheduler'),
    kwok: kubeBinary('kwok'),
    stages: kwokStages(),
  };
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'conductor-plane-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owned = opts.dir === undefined;
  const procs: Proc[] = [];
  const fail = async (err: unknown): Promise<never> => {
    await stopAll(procs.reverse());
    const logs = procs.map((p) => `--- ${p.name} ---\n${tail(p)}`).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`);
  };

  try {
    // credentials: one service-account key pair (both API servers), static tokens per user
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    writeFileSync(join(dir, 'sa.pub'), publicKey, { mode: 0o600 });
    writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
    const tokens = { admin: token(), kcm: token(), scheduler: token(), kwok: token(), reader: token(), tester: token() };
    const csv = [
      `${tokens.admin},plane-admin,plane-admin,"system:masters"`,
      `${tokens.kcm},system:kube-controller-manager,kcm,"system:masters"`,
      `${tokens.scheduler},system:kube-scheduler,scheduler,"system:masters"`,
      `${tokens.kwok},kwok,kwok,"system:masters"`,
      `${tokens.reader},${CONDUCTOR_USERS.production},reader,"conductor"`,
      `${tokens.tester},${CONDUCTOR_USERS.test},tester,"conductor"`,
    ];
    writeFileSync(join(dir, 'tokens.csv'), csv.join('\n') + '\n', { mode: 0o600 });
    writeFileSync(
      join(dir, 'audit-policy.yaml'),
      stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], rules: [{ level: 'None', users: COMPONENT_USERS }, { level: 'Metadata' }] }),
      { mode: 0o600 },
    );

    const [etcdPort, etcdPeer, prodPort, testPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const etcd = `http://127.0.0.1:${etcdPort}`;
    procs.push(
      start(dir, 'etcd', bin.etcd, [
        '--name=plane',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcd}`,
        `--advertise-client-urls=${etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=plane=http://127.0.0.1:${etcdPeer}`,
        '--listen-metrics-urls=',
        '--log-level=warn',
        '--quota-backend-bytes=2147483648',
      ]),
    );
    await waitFor('etcd', async () => ((await fetch(`${etcd}/health`)).ok ? true : null), 30_000, 100, () => tail(procs[0]!));

    const sides: [Side, number][] = [
      ['production', prodPort],
      ['test', testPort],
    ];
    for (const [side, port] of sides) {
      const certDir = join(dir, side, 'certs');
      mkdirSync(certDir, { recursive: true, mode: 0o700 });
      const audit = [`--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${join(dir, `${side}-audit.log`)}`, '--audit-log-format=json'];
      // test serves Deployment watches straight from etcd (no watch cache), so a watch from a
      // resourceVersion older than etcd's compaction answers 410 Gone as a busy cluster's would;
      // a watch cache that never filled up replays the full state instead
      const watchCache = side === 'test' ? ['--watch-cache-sizes=deployments.apps#0'] : [];
      procs.push(
        start(dir, `kube-apiserver-${side}`, bin.apiserver, [
          `--etcd-servers=${etcd}`,
          `--etcd-prefix=/registry-${side}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${port}`,
          `--cert-dir=${certDir}`,
          `--token-auth-file=${join(dir, 'tokens.csv')}`,
          '--authorization-mode=RBAC',
          '--anonymous-auth=false',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${join(dir, 'sa.pub')}`,
          `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
          '--service-cluster-ip-range=10.96.0.0/16',
          '--profiling=false',
          // the built-in endpoint reconciler refuses a loopback advertise address
          '--endpoint-reconciler-type=none',
          ...audit,
          ...watchCache,
        ]),
      );
    }
    const readCa = (side: Side) => {
      const f = join(dir, side, 'certs', 'apiserver.crt');
      return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
    };
    const clusters = {} as Record<Side, PlaneCluster>;
    await Promise.all(
      sides.map(async ([side, port]) => {
        const server = `https://127.0.0.1:${port}`;
        const proc = procs.find((p) => p.name === `kube-apiserver-${side}`)!;
        const ca = await waitFor(`kube-apiserver (${side}) certificate`, async () => readCa(side), 60_000, 100, () => tail(proc));
        const admin = { server, ca, token: tokens.admin };
        await waitFor(
          `kube-apiserver (${side}) /readyz`,
          async () => {
            if (proc.done) throw new Error('exited');
            return (await kubeRequest(admin, 'GET', '/readyz', undefined, undefined, 5000)).status === 200;
          },
          90_000,
          200,
          () => tail(proc),
        );
        clusters[side] = {
          side,
          server,
          ca,
          admin,
          conductor: { server, ca, token: side === 'production' ? tokens.reader : tokens.tester },
          auditLog: join(dir, `${side}-audit.log`),
        };
      }),
    );

    // RBAC for Conductor's users, and the fake node kwok manages
    for (const side of ['production', 'test'] as const) {
      const admin = clusters[side].admin;
      await kubeOk(admin, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${CONDUCTOR_USERS[side]}-binding` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: side === 'production' ? 'view' : 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: CONDUCTOR_USERS[side] }],
      });
      if (side === 'production') {
        // `view` reads workloads but not namespaces at cluster scope; the identity check reads kube-system
        await kubeOk(admin, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'conductor-read-namespaces' },
          rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }],
        });
        await kubeOk(admin, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'conductor-read-namespaces' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'conductor-read-namespaces' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: CONDUCTOR_USERS.production }],
        });
      }
      const capacity = { cpu: '1000', memory: '4Ti', pods: '1000' };
      await kubeOk(admin, 'POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: FAKE_NODE, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' }, labels: { 'kubernetes.io/hostname': FAKE_NODE, 'kubernetes.io/os': 'linux', type: 'kwok' } },
        status: { allocatable: capacity, capacity },
      });
    }

    // a kubeconfig per component, and the one Conductor and the tests use
    const kubeconfigFor = (entries: { name: string; side: Side; token: string }[], current: string) =>
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: (['production', 'test'] as const).map((side) => ({
          name: `real-${side}`,
          cluster: { server: clusters[side].server, 'certificate-authority-data': Buffer.from(clusters[side].ca).toString('base64') },
        })),
        users: entries.map((e) => ({ name: e.name, user: { token: e.token } })),
        contexts: entries.map((e) => ({ name: e.name, context: { cluster: `real-${e.side}`, user: e.name } })),
        'current-context': current,
      });
    const componentConfig = (side: Side, t: string) => {
      const f = join(dir, side, `${t === tokens.kcm ? 'kcm' : t === tokens.scheduler ? 'scheduler' : 'kwok'}.kubeconfig`);
      writeFileSync(f, kubeconfigFor([{ name: 'component', side, token: t }], 'component'), { mode: 0o600 });
      return f;
    };
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      kubeconfigFor(
        [
          { name: PLANE_CONTEXTS.production, side: 'production', token: tokens.reader },
          { name: PLANE_CONTEXTS.test, side: 'test', token: tokens.tester },
          { name: PLANE_ADMIN_CONTEXTS.production, side: 'production', token: tokens.admin },
          { name: PLANE_ADMIN_CONTEXTS.test, side: 'test', token: tokens.admin },
        ],
        PLANE_CONTEXTS.test,
      ),
      { mode: 0o600 },
    );

    const controllers = [
      'deployment-controller',
      'replicaset-controller',
      'horizontal-pod-autoscaler-controller',
      'garbage-collector-controller',
      'serviceaccount-controller',
      'namespace-controller',
      'job-controller',
      'ttl-after-finished-controller',
      'pod-garbage-collector-controller',
      // fills the aggregated roles (`view`, `edit`, `admin`)
      'clusterrole-aggregation-controller',
      // no node-lifecycle-controller: kwok renews no heartbeat it would accept, so it would mark
      // the node NotReady every ~50 s and every pod on it unready (the plane lifts the node's
      // not-ready taint itself, below)
    ];
    for (const side of ['production', 'test'] as const) {
      procs.push(
        start(dir, `kube-controller-manager-${side}`, bin.kcm, [
          `--kubeconfig=${componentConfig(side, tokens.kcm)}`,
          '--leader-elect=false',
          '--secure-port=0',
          `--controllers=${controllers.join(',')}`,
          '--use-service-account-credentials=false',
          '--concurrent-deployment-syncs=10',
          '--concurrent-replicaset-syncs=10',
        ]),
        start(dir, `kube-scheduler-${side}`, bin.scheduler, [`--kubeconfig=${componentConfig(side, tokens.scheduler)}`, '--leader-elect=false', '--secure-port=0']),
        start(dir, `kwok-${side}`, bin.kwok, [
          `--kubeconfig=${componentConfig(side, tokens.kwok)}`,
          `--config=${bin.stages}`,
          '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
          '--cidr=10.244.0.1/16',
          '--node-ip=10.0.0.1',
        ]),
      );
    }
    // ready when each cluster's node is Ready (then schedulable: the not-ready taint a new node gets
    // is lifted, as the node lifecycle controller would) and the default service account exists
    await Promise.all(
      (['production', 'test'] as const).map((side) =>
        waitFor(
          `the ${side} cluster's node Ready and default service account`,
          async () => {
            for (const p of procs) if (p.done) throw new Error(`${p.name} exited`);
            const admin = clusters[side].admin;
            const node = await kubeOk<{ spec?: { taints?: unknown[] }; status?: { conditions?: { type: string; status: string }[] } }>(admin, 'GET', `/api/v1/nodes/${FAKE_NODE}`);
            const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
            if (ready && node.spec?.taints?.length) await kubeOk(admin, 'PATCH', `/api/v1/nodes/${FAKE_NODE}`, { spec: { taints: null } }, 'application/merge-patch+json');
            const sa = (await kubeRequest(admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200;
            return ready && !node.spec?.taints?.length && sa;
          },
          90_000,
          250,
          () => procs.filter((p) => p.name.endsWith(side)).map((p) => `--- ${p.name} ---\n${tail(p)}`).join('\n'),
        ),
      ),
    );

    let stopped = false;
    const info: PlaneInfo = { dir, kubeconfig, etcd, clusters, startMs: Date.now() - t0 };
    return {
      ...info,
      ...planeAudit(info),
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll([...procs].reverse());
        if (owned) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    return fail(err);
  }
}

/** The plane for a person: start it, print where it is, stop it on Ctrl-C. */
async function main() {
  const plane = await startPlane(process.argv[2] ? { dir: process.argv[2] } : {});
  console.log(`Kubernetes ${KUBE_VERSION} plane up in ${(plane.startMs / 1000).toFixed(1)} s`);
  console.log(`  production: ${plane.clusters.production.server} (context ${PLANE_CONTEXTS.production}, read-only; ${PLANE_ADMIN_CONTEXTS.production} is admin)`);
  console.log(`  test:       ${plane.clusters.test.server} (context ${PLANE_CONTEXTS.test}; ${PLANE_ADMIN_CONTEXTS.test} is admin)`);
  console.log(`  etcd:       ${plane.etcd}; logs and audit log in ${plane.dir}`);
  console.log(`export KUBECONFIG=${plane.kubeconfig}`);
  const stop = () => void plane.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
