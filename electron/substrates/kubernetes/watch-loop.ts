import { AbortedError, SubstrateError } from '../../../shared/model/errors.ts';
import type { KubeClient } from './client.ts';
import { toSubstrateError } from './errors.ts';
import { backoffDelay } from './retry.ts';
import type { DeploymentLike } from './mapping.ts';

/**
 * List-then-watch objects of one kind in one namespace, the way an informer does: list (for state
 * and a resourceVersion), then watch from that resourceVersion; when the watch drops, resume from
 * the last resourceVersion seen; when the server answers 410 Gone (history expired), list again.
 * Runs until a callback returns true, the signal aborts, or errors persist.
 */
export interface ListWatchOptions<T = DeploymentLike> {
  client: KubeClient;
  namespace: string;
  /** e.g. metadata.name=cart */
  fieldSelector?: string;
  /** stops the loop; the promise then rejects with AbortedError */
  signal: AbortSignal;
  /** after every (re)list; return true to stop */
  onList(items: T[]): boolean | void;
  /** every ADDED/MODIFIED/DELETED event; return true to stop */
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): boolean | void;
  /** server-side watch timeout (the loop resumes after it); default 300 */
  watchTimeoutSeconds?: number;
  /** called when a dropped watch is resumed or relisted */
  onReconnect?(info: { how: 'resume' | 'relist'; resourceVersion?: string; reason: string }): void;
}

type WatchEnd = { end: 'stop' } | { end: 'closed'; events: number } | { end: 'gone' } | { end: 'error'; err: unknown };

/** What a list-watch needs to know about one kind: its plural name, its collection path, and how to list it. */
export interface ListWatchKind {
  /** e.g. "deployments" */
  plural: string;
  /** the namespaced collection path, e.g. /apis/apps/v1/namespaces/shop/deployments */
  path(namespace: string): string;
  list(client: KubeClient, namespace: string, fieldSelector: string | undefined, signal: AbortSignal): Promise<{ metadata?: { resourceVersion?: string }; items: unknown[] }>;
}

const DEPLOYMENTS: ListWatchKind = {
  plural: 'deployments',
  path: (namespace) => `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`,
  list: (client, namespace, fieldSelector, signal) =>
    client.call(
      'list',
      `deployments ${namespace}${fieldSelector ? ` (${fieldSelector})` : ''}`,
      (o) => client.apps.listNamespacedDeployment({ namespace, ...(fieldSelector ? { fieldSelector } : {}) }, o),
      { signal },
    ),
};

export function listWatchDeployments(opts: ListWatchOptions<DeploymentLike>): Promise<void> {
  return listWatch(DEPLOYMENTS, opts);
}

export async function listWatch<T extends { metadata?: { resourceVersion?: string } }>(kind: ListWatchKind, opts: ListWatchOptions<T>): Promise<void> {
  const { client, namespace, signal } = opts;
  const resource = `${kind.plural} ${namespace}${opts.fieldSelector ? ` (${opts.fieldSelector})` : ''}`;
  const aborted = () => new AbortedError(`aborted: watch ${resource} on ${client.target.context}`, { target: client.target.context, resource });
  let rv: string | undefined;
  let failures = 0;
  let emptyDrops = 0;
  const maxFailures = Math.max(2, client.retryPolicy.attempts * 2);
  const pause = async (n: number) => {
    try {
      await client.clock.sleep(backoffDelay(client.retryPolicy, Math.min(n, 6)), signal);
    } catch {
      throw aborted();
    }
  };

  while (!signal.aborted) {
    if (rv === undefined) {
      const list = await kind.list(client, namespace, opts.fieldSelector, signal);
      rv = list.metadata?.resourceVersion;
      if (opts.onList(list.items as T[])) return;
    }
    const result = await watchOnce(rv);
    if (result.end === 'stop') {
      if (signal.aborted) throw aborted();
      return;
    }
    if (result.end === 'gone') {
      opts.onReconnect?.({ how: 'relist', reason: '410 Gone: resourceVersion expired' });
      rv = undefined;
      continue;
    }
    if (result.end === 'error') {
      failures++;
      const err = toSubstrateError(result.err, client.errorContext('watch', resource));
      if (failures >= maxFailures || (err instanceof SubstrateError && !err.retryable)) throw err;
      opts.onReconnect?.({ how: 'resume', ...(rv ? { resourceVersion: rv } : {}), reason: err.message });
      await pause(failures);
      continue;
    }
    failures = 0;
    opts.onReconnect?.({ how: 'resume', ...(rv ? { resourceVersion: rv } : {}), reason: 'watch closed by the server' });
    if (result.events === 0) await pause(emptyDrops++);
    else emptyDrops = 0;
  }
  throw aborted();

  function watchOnce(fromRv: string | undefined): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let events = 0;
      let handle: { abort(): void } | undefined;
      const settle = (r: WatchEnd) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        handle?.abort();
        resolve(r);
      };
      const onAbort = () => settle({ end: 'stop' });
      signal.addEventListener('abort', onAbort, { once: true });
      const path = kind.path(namespace);
      client
        .watch(
          path,
          {
            ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
            ...(fromRv ? { resourceVersion: fromRv } : {}),
            allowWatchBookmarks: true,
            timeoutSeconds: opts.watchTimeoutSeconds ?? 300,
          },
          (type, object) => {
            if (settled) return;
            const obj = object as T & { code?: number; message?: string };
            if (type === 'ERROR') {
              if (obj.code === 410) settle({ end: 'gone' });
              else settle({ end: 'error', err: Object.assign(new Error(obj.message ?? 'watch error'), { statusCode: obj.code ?? 500 }) });
              return;
            }
            const nextRv = obj.metadata?.resourceVersion;
            if (nextRv) rv = nextRv;
            if (type === 'BOOKMARK') return;
            events++;
            if (opts.onEvent(type as 'ADDED' | 'MODIFIED' | 'DELETED', obj)) settle({ end: 'stop' });
          },
          (err: unknown) => {
            if (err && (err as { statusCode?: number }).statusCode === 410) settle({ end: 'gone' });
            else if (err && (err as { name?: string }).name !== 'AbortError') settle({ end: 'error', err });
            else settle({ end: 'closed', events });
          },
        )
        .then((h) => {
          handle = h;
          if (settled) h.abort();
        })
        .catch((err: unknown) => settle({ end: 'error', err }));
    });
  }
}
