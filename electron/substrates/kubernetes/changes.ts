import { errorMessage } from '../../../shared/model/errors.ts';
import type { K8sAppRef, ObjectChange } from '../types.ts';
import type { KubeClient } from './client.ts';
import type { DeploymentLike } from './mapping.ts';
import { listWatchDeployments } from './watch-loop.ts';

/**
 * Changes to the spec of watched Deployments, field by field — images, resources, replicas,
 * paused — each with the field manager that made it, from `metadata.managedFields` (the manager
 * owning that field; else the one that wrote last).
 */

type ManagedField = { manager?: string; time?: string | Date; fieldsV1?: unknown };
type Fields = Map<string, { value: string | number | null; path: string[] }>;

function fieldsOf(dep: DeploymentLike): Fields {
  const out: Fields = new Map();
  const spec = dep.spec ?? {};
  out.set('replicas', { value: spec.replicas ?? 1, path: ['f:spec', 'f:replicas'] });
  out.set('paused', { value: spec.paused ? 'true' : 'false', path: ['f:spec', 'f:paused'] });
  for (const c of spec.template?.spec?.containers ?? []) {
    const at = ['f:spec', 'f:template', 'f:spec', 'f:containers', `k:${JSON.stringify({ name: c.name })}`];
    out.set(`image[${c.name}]`, { value: c.image ?? null, path: [...at, 'f:image'] });
    const r = c.resources ?? {};
    const q = (l: Record<string, unknown> | undefined) => `cpu ${String(l?.cpu ?? '-')}, memory ${String(l?.memory ?? '-')}`;
    out.set(`resources[${c.name}]`, { value: `requests ${q(r.requests)}; limits ${q(r.limits)}`, path: [...at, 'f:resources'] });
  }
  return out;
}

const owns = (fields: unknown, path: string[]): boolean => {
  let node = fields;
  for (const seg of path) {
    if (typeof node !== 'object' || node === null || !(seg in node)) return false;
    node = (node as Record<string, unknown>)[seg];
  }
  return true;
};
const timeOf = (m: ManagedField) => (m.time ? new Date(m.time).getTime() : 0);

/** Who set `path`, by managedFields: its owner (the latest, if several), else the latest writer, else `unknown`. */
export function managerOfField(managed: ManagedField[] | undefined, path: string[]): string {
  const list = [...(managed ?? [])].sort((a, b) => timeOf(b) - timeOf(a));
  return (list.find((m) => owns(m.fieldsV1, path)) ?? list[0])?.manager ?? 'unknown';
}

export function watchChangesWith(client: KubeClient, refs: K8sAppRef[], onChange: (change: ObjectChange) => void): () => void {
  const stop = new AbortController();
  const byNs = new Map<string, K8sAppRef[]>();
  for (const r of refs) byNs.set(r.namespace, [...(byNs.get(r.namespace) ?? []), r]);
  for (const [namespace, nsRefs] of byNs) {
    const seen = new Map<string, Fields>();
    const consider = (dep: DeploymentLike, report: boolean) => {
      const ref = nsRefs.find((r) => r.deployment === dep.metadata?.name);
      if (!ref) return;
      const now = fieldsOf(dep);
      const before = seen.get(ref.app);
      seen.set(ref.app, now);
      if (!before || !report) return;
      const managed = (dep.metadata as { managedFields?: ManagedField[] } | undefined)?.managedFields;
      for (const [field, cur] of now) {
        const was = before.get(field);
        if (was && was.value !== cur.value) onChange({ app: ref.app, object: `deployments ${namespace}/${ref.deployment}`, field, from: was.value, to: cur.value, manager: managerOfField(managed, cur.path) });
      }
    };
    listWatchDeployments({
      client,
      namespace,
      signal: stop.signal,
      // a relist after a 410 also reports what changed while the watch was away
      onList: (items) => {
        for (const d of items) consider(d, true);
      },
      onEvent: (type, obj) => {
        if (type !== 'DELETED') consider(obj, true);
      },
      onReconnect: (info) => client.logger.debug('change watch reconnect', { context: client.target.context, namespace, ...info }),
    }).catch((err: unknown) => {
      if (!stop.signal.aborted) client.logger.warn('change watch stopped', { context: client.target.context, namespace, error: errorMessage(err) });
    });
  }
  return () => stop.abort();
}
