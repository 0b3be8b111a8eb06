import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../base/clock.ts';
import { FaultInjector, readBody, RequestLog, sendJson, sleepReal, startLoopbackServer } from '../http-kit.ts';
import { apiGroup, apiGroupList, apiVersions, CORE_V1, GROUPS, resourceList, versionInfo } from './discovery.ts';
import { clone, isObject, jsonPatch, mergePatch, PatchError, strategicMergePatch, type Json, type JsonObject } from './patch.ts';
import { parseFieldSelector, parseLabelSelector, SelectorError, type Matcher } from './selectors.ts';
import { JobController, PROPAGATION_POLICIES } from './jobs.ts';
import { GitOpsControllers } from './gitops-controllers.ts';
import { decodeLease, InvalidObject, KubeStore, UndecodableObject, type EditableKind, type GitOpsKind, type StoredKind } from './store.ts';
import { toTable, wantsTable } from './tables.ts';
import type { KubeSeed } from './types.ts';

/**
 * A loopback Kubernetes API server for the sandbox: the real wire protocol for the subset that
 * the Conductor and kubectl use (discovery, apps/v1 deployments with scale and status,
 * autoscaling/v2 HPAs, batch/v1 Jobs, coordination.k8s.io/v1 Leases, v1 pods and namespaces (kube-system
 * always, with a UID of its own per server: the cluster's identity), list/watch/patch/put/create/delete),
 * rollouts and Jobs that progress on the sandbox clock, Status errors, fault injection and a request log.
 */

export interface KubeApiServerOptions {
  clock: Clock;
  /** 'production' | 'test' (or any label): shown in logs and errors */
  name: string;
  seed?: KubeSeed;
  /** 0 / undefined = ephemeral */
  port?: number;
  faults?: FaultInjector;
  log?: RequestLog;
  /** simulated ms between rollout steps (one replica per step); default 2000; Infinity = rollouts never progress */
  rolloutStepMs?: number;
  /** watch events kept for resumption; default 10000 */
  historyLimit?: number;
  /** simulated ms a batch/v1 Job runs before it completes; default 20000 */
  jobDurationMs?: number;
  /** simulated ms between two self-heal passes of the GitOps controllers (Argo CD, Flux); default 5000 */
  gitopsIntervalMs?: number;
}

export interface KubeApiServer {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly store: KubeStore;
  /** the batch/v1 Job controller: jobs created (created()), failure faults (failJobs), durationMs */
  readonly jobs: JobController;
  /** Argo CD / Flux self-heal: reverts writes to managed Deployments unless paused */
  readonly gitops: GitOpsControllers;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  /** POST/PUT/PATCH/DELETE requests this server received (including refused ones) */
  mutatingRequests(): number;
  /** end every open watch stream now (a dropped-watch fault on demand) */
  dropWatches(): void;
  close(): Promise<void>;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const GROUP_OF: Record<string, string> = {
  deployments: 'apps',
  horizontalpodautoscalers: 'autoscaling',
  jobs: 'batch',
  namespaces: '',
  pods: '',
  leases: 'coordination.k8s.io',
  applications: 'argoproj.io',
  kustomizations: 'kustomize.toolkit.fluxcd.io',
  helmreleases: 'helm.toolkit.fluxcd.io',
};
const GITOPS_KINDS: GitOpsKind[] = ['applications', 'kustomizations', 'helmreleases'];
const KIND_OF: Record<string, { kind: string; apiVersion: string }> = {
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1' },
  horizontalpodautoscalers: { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2' },
  jobs: { kind: 'Job', apiVersion: 'batch/v1' },
  namespaces: { kind: 'Namespace', apiVersion: 'v1' },
  pods: { kind: 'Pod', apiVersion: 'v1' },
  leases: { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1' },
  applications: { kind: 'Application', apiVersion: 'argoproj.io/v1alpha1' },
  kustomizations: { kind: 'Kustomization', apiVersion: 'kustomize.toolkit.fluxcd.io/v1' },
  helmreleases: { kind: 'HelmRelease', apiVersion: 'helm.toolkit.fluxcd.io/v2' },
};

class HttpStatus extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

export function statusObject(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const qualified = (resource: string) => (GROUP_OF[resource] ? `${resource}.${GROUP_OF[resource]}` : resource);
const notFound = (resource: string, name: string) =>
  new HttpStatus(404, 'NotFound', `${qualified(resource)} "${name}" not found`, { name, group: GROUP_OF[resource] ?? '', kind: resource });
const conflict = (resource: string, name: string) =>
  new HttpStatus(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {
    name,
    group: GROUP_OF[resource] ?? '',
    kind: resource,
  });
const invalid = (resource: string, name: string, err: InvalidObject) =>
  new HttpStatus(422, 'Invalid', `${KIND_OF[resource]?.kind ?? resource}.${GROUP_OF[resource] || 'core'} "${name}" is invalid: ${err.message}`, {
    name,
    group: GROUP_OF[resource] ?? '',
    kind: KIND_OF[resource]?.kind ?? resource,
    // a cause's message leaves out the field, which the cause names on its own
    causes: [{ reason: 'FieldValueInvalid', message: err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message, field: err.field }],
  });

interface Route {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  sub?: string;
}

function parseRoute(path: string): Route | undefined {
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api' && seg[1] === 'v1') {
    group = '';
    version = 'v1';
    rest = seg.slice(2);
  } else if (seg[0] === 'apis' && seg.length >= 3) {
    group = seg[1] as string;
    version = seg[2] as string;
    rest = seg.slice(3);
  } else return undefined;
  if (rest.length === 0) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, version, namespace: rest[1], resource: rest[2] as string, name: rest[3], sub: rest[4] };
  }
  return { group, version, resource: rest[0] as string, name: rest[1], sub: rest[2] };
}

const SERVED: Record<string, string> = {
  deployments: 'apps/v1',
  horizontalpodautoscalers: 'autoscaling/v2',
  jobs: 'batch/v1',
  pods: '/v1',
  namespaces: '/v1',
  leases: 'coordination.k8s.io/v1',
  applications: 'argoproj.io/v1alpha1',
  kustomizations: 'kustomize.toolkit.fluxcd.io/v1',
  helmreleases: 'helm.toolkit.fluxcd.io/v2',
};

export async function startKubernetesApiServer(opts: KubeApiServerOptions): Promise<KubeApiServer> {
  const { clock } = opts;
  const faults = opts.faults ?? new FaultInjector();
  const log = opts.log ?? new RequestLog();
  const store = new KubeStore({ clock, ...(opts.historyLimit ? { historyLimit: opts.historyLimit } : {}) });
  // every cluster has kube-system; its UID is the cluster's identity (a fresh one per server)
  store.createNamespace('kube-system');
  store.createNamespace('default');
  if (opts.seed) store.seed(opts.seed);
  const gitops = new GitOpsControllers(clock, store);
  gitops.recordGitState();
  // rollouts and Jobs progress on the sandbox clock until close()
  const ticker = new AbortController();
  // every running or finished-with-TTL Job waits on this signal
  setMaxListeners(100_000, ticker.signal);
  const jobs = new JobController({ clock, store, signal: ticker.signal, ...(opts.jobDurationMs !== undefined ? { durationMs: opts.jobDurationMs } : {}) });
  let mutating = 0;
  const openWatches = new Set<() => void>();

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const isMutating = MUTATING.has(method);
    if (isMutating) mutating++;
    let operation = `${method} ${url.pathname}`;
    const record = (status: number) => log.add({ t: clock.now(), method, path: url.pathname + url.search, status, mutating: isMutating, operation });
    const reply = (status: number, body: unknown) => {
      record(status);
      sendJson(res, status, body);
    };
    const early = parseRoute(url.pathname);
    if (early) {
      const watch = url.searchParams.get('watch');
      const verb = { GET: early.name ? 'get' : watch === '1' || watch === 'true' ? 'watch' : 'list', PATCH: 'patch', PUT: 'update', POST: 'create', DELETE: 'delete' }[method] ?? method;
      operation = `${verb} ${early.resource}${early.sub ? '/' + early.sub : ''}`;
    }
    try {
      if (faults.latencyMs > 0) await sleepReal(faults.latencyMs);
      if (faults.take5xx(url.pathname)) {
        throw new HttpStatus(503, 'ServiceUnavailable', `the server is currently unable to handle the request (injected fault on ${opts.name})`);
      }
      if (isMutating && faults.takeConflict(url.pathname)) {
        const r = parseRoute(url.pathname);
        throw conflict(r?.resource ?? 'object', r?.name ?? '');
      }
      const discovery = serveDiscovery(url.pathname, req);
      if (discovery !== undefined) {
        operation = `discovery ${url.pathname}`;
        return reply(discovery === null ? 404 : 200, discovery ?? statusObject(404, 'NotFound', 'the server could not find the requested resource'));
      }
      const route = parseRoute(url.pathname);
      if (!route || SERVED[route.resource] !== `${route.group}/${route.version}`) {
        throw new HttpStatus(404, 'NotFound', 'the server could not find the requested resource');
      }
      const verb = verbOf(method, route, url);
      if (verb === 'watch') {
        record(200);
        return serveWatch(req, res, route, url);
      }
      const out = await serveResource(verb, route, url, req);
      reply(out.status, out.body);
    } catch (err) {
      if (err instanceof HttpStatus) return reply(err.code, statusObject(err.code, err.reason, err.message, err.details));
      if (err instanceof SelectorError) return reply(400, statusObject(400, 'BadRequest', err.message));
      throw err;
    }
  };

  function serveDiscovery(path: string, req: IncomingMessage): unknown {
    const p = path.replace(/\/+$/, '') || '/';
    if (p === '/version') return versionInfo();
    if (p === '/api') return apiVersions(`${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`);
    if (p === '/api/v1') return resourceList('v1', CORE_V1);
    if (p === '/apis') return apiGroupList();
    const m = p.match(/^\/apis\/([^/]+)(?:\/([^/]+))?$/);
    if (m) {
      const g = GROUPS[m[1] as string];
      if (!m[2]) return apiGroup(m[1] as string) ?? null;
      if (g && g.version === m[2]) return resourceList(`${m[1]}/${m[2]}`, g.resources);
      return null;
    }
    return undefined;
  }

  function verbOf(method: string, r: Route, url: URL): string {
    const watch = url.searchParams.get('watch');
    switch (method) {
      case 'GET':
        if (r.name) return 'get';
        return watch === '1' || watch === 'true' ? 'watch' : 'list';
      case 'PATCH':
        return 'patch';
      case 'PUT':
        return 'update';
      case 'POST':
        return 'create';
      case 'DELETE':
        return 'delete';
      default:
        throw new HttpStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
  }

  function storedKind(r: Route): StoredKind | undefined {
    return r.resource === 'deployments' || r.resource === 'horizontalpodautoscalers' || r.resource === 'namespaces' || r.resource === 'jobs' || r.resource === 'leases' || GITOPS_KINDS.includes(r.resource as GitOpsKind)
      ? (r.resource as StoredKind)
      : undefined;
  }

  /** objects of a (non-watch) list, pods derived */
  function listObjects(r: Route, url: URL): JsonObject[] {
    const labels = parseLabelSelector(url.searchParams.get('labelSelector'));
    const fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    let items: JsonObject[];
    if (r.resource === 'pods') {
      items = store.list('deployments', r.namespace).flatMap((d) => store.podsOf(d));
    } else {
      items = store.list(storedKind(r) as StoredKind, r.resource === 'namespaces' ? undefined : r.namespace);
    }
    return items.filter((o) => labels(o) && fields(o));
  }

  function requireNamespace(r: Route): void {
    if (r.resource === 'namespaces' || !r.namespace) return;
    if (!store.get('namespaces', undefined, r.namespace)) throw new HttpStatus(404, 'NotFound', `namespaces "${r.namespace}" not found`, { name: r.namespace, kind: 'namespaces' });
  }

  async function parseJsonBody(req: IncomingMessage): Promise<Json> {
    // the sandbox speaks JSON only: a protobuf body gets 415, after which client-go (kubectl) retries in JSON
    const ct = String(req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (ct === 'application/vnd.kubernetes.protobuf') {
      await readBody(req).catch(() => '');
      throw new HttpStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
    }
    const text = await readBody(req);
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw new HttpStatus(400, 'BadRequest', `the request body is not valid JSON`);
    }
  }

  function applyPatch(req: IncomingMessage, target: JsonObject, body: Json, resource: string, name: string): JsonObject {
    const ct = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    let next: Json;
    try {
      if (ct === 'application/merge-patch+json') next = mergePatch(target, body);
      else if (ct === 'application/strategic-merge-patch+json') next = strategicMergePatch(target, body);
      else if (ct === 'application/json-patch+json') next = jsonPatch(target, body);
      else throw new HttpStatus(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
    } catch (err) {
      if (err instanceof PatchError) {
        if (err.kind === 'conflict') throw conflict(resource, name);
        if (err.kind === 'bad') throw new HttpStatus(400, 'BadRequest', err.message);
        throw new HttpStatus(422, 'Invalid', err.message, { name, kind: resource });
      }
      throw err;
    }
    if (!isObject(next)) throw new HttpStatus(422, 'Invalid', 'the patched object is not an object', { name, kind: resource });
    return next;
  }

  const rvOf = (o: Json | undefined): string | undefined => (isObject(o) && isObject(o.metadata) ? (o.metadata.resourceVersion as string | undefined) : undefined);

  /** the field manager of a write: `?fieldManager=`, else the client's program name from its user agent, as the API server does */
  function managerOf(req: IncomingMessage, url: URL): string {
    const given = url.searchParams.get('fieldManager');
    if (given) return given;
    const agent = String(req.headers['user-agent'] ?? '').split('/')[0]?.trim();
    return agent || 'unknown';
  }

  function write(resource: EditableKind, ns: string, name: string, cur: JsonObject, next: JsonObject, manager: string): JsonObject {
    try {
      // a body that does not decode is refused before the resourceVersion is looked at
      if (resource === 'leases') decodeLease(next);
      const wanted = rvOf(next);
      if (wanted !== undefined && wanted !== '' && wanted !== rvOf(cur)) throw conflict(resource, name);
      return store.replace(resource, ns, name, next, manager);
    } catch (err) {
      if (err instanceof UndecodableObject) throw new HttpStatus(400, 'BadRequest', err.message);
      if (err instanceof InvalidObject) throw invalid(resource, name, err);
      throw err;
    }
  }

  /** DeleteOptions.propagationPolicy from the query or the body (kubectl sends a DeleteOptions body). */
  async function propagationPolicyOf(req: IncomingMessage, url: URL): Promise<string | undefined> {
    let policy = url.searchParams.get('propagationPolicy') ?? undefined;
    const text = await readBody(req);
    if (text.trim()) {
      let body: Json;
      try {
        body = JSON.parse(text) as Json;
      } catch {
        throw new HttpStatus(400, 'BadRequest', 'the request body is not valid JSON DeleteOptions');
      }
      if (isObject(body) && typeof body.propagationPolicy === 'string') policy = body.propagationPolicy;
    }
    if (policy !== undefined && !PROPAGATION_POLICIES.includes(policy))
      throw new HttpStatus(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`, {
        kind: 'DeleteOptions',
        group: 'meta.k8s.io',
        causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}"`, field: 'propagationPolicy' }],
      });
    return policy;
  }

  function scaleOf(dep: JsonObject): JsonObject {
    const meta = dep.metadata as JsonObject;
    const spec = dep.spec as JsonObject;
    const sel = ((spec.selector as JsonObject | undefined)?.matchLabels ?? {}) as JsonObject;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: meta.name as Json, namespace: meta.namespace as Json, uid: meta.uid as Json, resourceVersion: meta.resourceVersion as Json, creationTimestamp: meta.creationTimestamp as Json },
      spec: { replicas: spec.replicas as Json },
      status: {
        replicas: (((dep.status ?? {}) as JsonObject).replicas as Json) ?? 0,
        selector: Object.entries(sel)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(','),
      },
    };
  }

  async function serveResource(verb: string, r: Route, url: URL, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    // like the API server: listing an unknown namespace is an empty list; creating in one is 404
    if (verb === 'create') requireNamespace(r);
    const table = wantsTable(req.headers.accept);
    const kindInfo = KIND_OF[r.resource] as { kind: string; apiVersion: string };
    if (verb === 'list') {
      const items = listObjects(r, url);
      if (table) return { status: 200, body: toTable(r.resource, items, store.resourceVersion, clock.now()) };
      // a list's items carry no apiVersion and kind of their own (the list's say it)
      const bare = items.map(({ apiVersion: _v, kind: _k, ...rest }) => rest);
      return { status: 200, body: { kind: `${kindInfo.kind}List`, apiVersion: kindInfo.apiVersion, metadata: { resourceVersion: store.resourceVersion }, items: bare } };
    }
    const name = r.name as string;
    if (verb === 'create' && r.resource === 'jobs' && r.namespace && !r.sub) {
      const body = await parseJsonBody(req);
      if (!isObject(body)) throw new HttpStatus(400, 'BadRequest', 'expected a Job object');
      const want = isObject(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
      if (want && store.get('jobs', r.namespace, want)) throw new HttpStatus(409, 'AlreadyExists', `jobs.batch "${want}" already exists`, { name: want, group: 'batch', kind: 'jobs' });
      const ns = r.namespace;
      try {
        return { status: 201, body: jobs.admit(ns, body, (n) => store.get('jobs', ns, n) !== undefined) };
      } catch (err) {
        if (err instanceof InvalidObject) throw invalid('jobs', want, err);
        throw err;
      }
    }
    if (verb === 'create' && r.resource === 'leases' && r.namespace && !r.sub) {
      const body = await parseJsonBody(req);
      const want = isObject(body) && isObject(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
      if (!isObject(body) || !want) throw new HttpStatus(422, 'Invalid', 'Lease.coordination.k8s.io is invalid: metadata.name: Required value: name or generateName is required', { kind: 'Lease', group: 'coordination.k8s.io' });
      if (store.get('leases', r.namespace, want)) throw new HttpStatus(409, 'AlreadyExists', `leases.coordination.k8s.io "${want}" already exists`, { name: want, group: 'coordination.k8s.io', kind: 'leases' });
      try {
        return { status: 201, body: store.createLease(r.namespace, body) };
      } catch (err) {
        if (err instanceof UndecodableObject) throw new HttpStatus(400, 'BadRequest', err.message);
        if (err instanceof InvalidObject) throw invalid('leases', want, err);
        throw err;
      }
    }
    if (verb === 'create' && GITOPS_KINDS.includes(r.resource as GitOpsKind) && r.namespace && !r.sub) {
      const body = await parseJsonBody(req);
      if (!isObject(body) || !isObject(body.metadata) || typeof body.metadata.name !== 'string') throw new HttpStatus(422, 'Invalid', `${kindInfo.kind} is invalid: metadata.name: Required value`, { kind: kindInfo.kind });
      const objName = body.metadata.name;
      if (store.get(r.resource as GitOpsKind, r.namespace, objName)) throw new HttpStatus(409, 'AlreadyExists', `${qualified(r.resource)} "${objName}" already exists`, { name: objName, group: GROUP_OF[r.resource] ?? '', kind: r.resource });
      const obj = clone(body);
      (obj.metadata as JsonObject).namespace = r.namespace;
      return { status: 201, body: store.createCustom(r.resource as GitOpsKind, { ...obj, apiVersion: kindInfo.apiVersion, kind: kindInfo.kind }, managerOf(req, url)) };
    }
    if (verb === 'create') {
      if (r.resource !== 'deployments' || !r.namespace) throw new HttpStatus(405, 'MethodNotAllowed', `create is not supported on ${r.resource} in the sandbox`);
      const body = await parseJsonBody(req);
      if (!isObject(body) || !isObject(body.metadata) || typeof body.metadata.name !== 'string')
        throw new HttpStatus(422, 'Invalid', 'Deployment.apps is invalid: metadata.name: Required value', { kind: 'Deployment', group: 'apps' });
      const depName = body.metadata.name;
      if (store.get('deployments', r.namespace, depName))
        throw new HttpStatus(409, 'AlreadyExists', `deployments.apps "${depName}" already exists`, { name: depName, group: 'apps', kind: 'deployments' });
      const obj = clone(body);
      (obj.metadata as JsonObject).namespace = r.namespace;
      try {
        return { status: 201, body: store.createDeployment({ ...obj, apiVersion: 'apps/v1', kind: 'Deployment' }) };
      } catch (err) {
        if (err instanceof InvalidObject) throw invalid('deployments', depName, err);
        throw err;
      }
    }
    if (r.resource === 'pods') {
      if (verb !== 'get') throw new HttpStatus(405, 'MethodNotAllowed', `${verb} is not supported on pods in the sandbox`);
      const pod = listObjects({ ...r, name: undefined }, new URL('http://x/')).find((p) => (p.metadata as JsonObject).name === name);
      if (!pod) throw notFound('pods', name);
      return { status: 200, body: table ? toTable('pods', [pod], store.resourceVersion, clock.now()) : pod };
    }
    const kind = storedKind(r) as StoredKind;
    const ns = r.resource === 'namespaces' ? undefined : r.namespace;
    const cur = store.get(kind, ns, name);
    if (!cur) throw notFound(r.resource, name);
    if (verb === 'get') {
      if (r.sub === 'scale' && kind === 'deployments') return { status: 200, body: scaleOf(cur) };
      if (r.sub && r.sub !== 'status') throw new HttpStatus(404, 'NotFound', 'the server could not find the requested resource');
      return { status: 200, body: table && !r.sub ? toTable(r.resource, [cur], store.resourceVersion, clock.now()) : cur };
    }
    if (kind === 'namespaces') throw new HttpStatus(405, 'MethodNotAllowed', `${verb} is not supported on namespaces in the sandbox`);
    if (verb === 'delete') {
      if (r.sub) throw new HttpStatus(405, 'MethodNotAllowed', 'delete is not supported on subresources');
      const policy = await propagationPolicyOf(req, url);
      store.delete(kind, ns, name);
      // batch/v1 Jobs default to orphaning their pods when no policy is given (kept for compatibility upstream)
      if (kind === 'jobs') jobs.deleted(r.namespace as string, name, String((cur.metadata as JsonObject).uid), policy ?? 'Orphan');
      return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: GROUP_OF[r.resource], kind: r.resource, uid: (cur.metadata as JsonObject).uid } } };
    }
    if (r.sub === 'status') throw new HttpStatus(405, 'MethodNotAllowed', 'the status subresource is read-only in the sandbox');
    if (kind === 'jobs') throw new HttpStatus(405, 'MethodNotAllowed', `${verb} is not supported on jobs in the sandbox (create, get, list, watch and delete are)`);
    const namespace = r.namespace as string;
    const body = await parseJsonBody(req);
    if (r.sub === 'scale') {
      if (kind !== 'deployments') throw new HttpStatus(404, 'NotFound', 'the server could not find the requested resource');
      const scale = scaleOf(cur);
      let nextScale: JsonObject;
      if (verb === 'patch') nextScale = applyPatch(req, scale, body, r.resource, name);
      else if (isObject(body)) nextScale = body;
      else throw new HttpStatus(400, 'BadRequest', 'expected a Scale object');
      const wanted = rvOf(nextScale);
      if (wanted !== undefined && wanted !== '' && wanted !== rvOf(scale)) throw conflict(r.resource, name);
      const replicas = isObject(nextScale.spec) ? nextScale.spec.replicas : undefined;
      const next = clone(cur);
      (next.spec as JsonObject).replicas = (replicas ?? 0) as Json;
      (next.metadata as JsonObject).resourceVersion = '';
      const written = write('deployments', namespace, name, cur, next, managerOf(req, url));
      return { status: 200, body: scaleOf(written) };
    }
    if (r.sub) throw new HttpStatus(404, 'NotFound', 'the server could not find the requested resource');
    const editable = kind as EditableKind;
    if (verb === 'patch') return { status: 200, body: write(editable, namespace, name, cur, applyPatch(req, cur, body, r.resource, name), managerOf(req, url)) };
    if (verb === 'update') {
      if (!isObject(body)) throw new HttpStatus(400, 'BadRequest', `expected a ${kindInfo.kind} object`);
      return { status: 200, body: write(editable, namespace, name, cur, body, managerOf(req, url)) };
    }
    throw new HttpStatus(405, 'MethodNotAllowed', `${verb} is not supported`);
  }

  function serveWatch(req: IncomingMessage, res: ServerResponse, r: Route, url: URL): void {
    const kind = storedKind(r);
    if (!kind) {
      sendJson(res, 405, statusObject(405, 'MethodNotAllowed', `watch is not supported on ${r.resource} in the sandbox`));
      return;
    }
    const ns = kind === 'namespaces' ? undefined : r.namespace;
    const labels: Matcher = parseLabelSelector(url.searchParams.get('labelSelector'));
    const fields: Matcher = parseFieldSelector(url.searchParams.get('fieldSelector'));
    const matches = (o: JsonObject) => (ns === undefined || (o.metadata as JsonObject).namespace === ns) && labels(o) && fields(o);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const send = (type: string, object: JsonObject) => res.write(JSON.stringify({ type, object }) + '\n');
    const rvParam = url.searchParams.get('resourceVersion');
    let lastSent = 0;
    if (rvParam && rvParam !== '0') {
      const since = Number(rvParam);
      const events = Number.isFinite(since) ? store.eventsSince(since) : undefined;
      if (!events) {
        send('ERROR', statusObject(410, 'Expired', `too old resource version: ${rvParam} (${store.resourceVersion})`));
        res.end();
        return;
      }
      for (const e of events) if (e.kind === kind && matches(e.object)) send(e.type, e.object);
      lastSent = events.length ? (events[events.length - 1] as { rv: number }).rv : since;
    } else {
      const items = store.list(kind, ns).filter(matches);
      for (const o of items) send('ADDED', o);
      lastSent = Number(store.resourceVersion);
    }
    const unsubscribe = store.subscribe((e) => {
      if (e.rv <= lastSent || e.kind !== kind || !matches(e.object)) return;
      lastSent = e.rv;
      send(e.type, e.object);
    });
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      unsubscribe();
      timers.forEach(clearTimeout);
      openWatches.delete(finish);
      if (!res.writableEnded) res.end();
    };
    openWatches.add(finish);
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '1800');
    timers.push(setTimeout(finish, Math.min(Math.max(1, timeoutSeconds), 3600) * 1000));
    const drop = faults.dropWatchesAfterMs;
    if (drop !== undefined) timers.push(setTimeout(finish, drop));
    req.on('close', finish);
    res.on('close', finish);
  }

  const server = await startLoopbackServer(handler, opts.port ?? 0);

  const gitopsMs = opts.gitopsIntervalMs ?? 5000;
  void (async () => {
    while (Number.isFinite(gitopsMs) && !ticker.signal.aborted) {
      try {
        await clock.sleep(gitopsMs, ticker.signal);
      } catch {
        return;
      }
      gitops.reconcile();
    }
  })();

  const stepMs = opts.rolloutStepMs ?? 2000;
  void (async () => {
    while (Number.isFinite(stepMs) && !ticker.signal.aborted) {
      try {
        await clock.sleep(stepMs, ticker.signal);
      } catch {
        return;
      }
      store.tick();
    }
  })();

  return {
    name: opts.name,
    url: server.url,
    port: server.port,
    store,
    jobs,
    gitops,
    faults,
    log,
    mutatingRequests: () => mutating,
    dropWatches: () => {
      for (const f of [...openWatches]) f();
    },
    close: async () => {
      ticker.abort();
      for (const f of [...openWatches]) f();
      await server.close();
    },
  };
}
