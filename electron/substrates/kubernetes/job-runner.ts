import { createHash, randomBytes } from 'node:crypto';
import type { V1Job } from '@kubernetes/client-node';
import { AbortedError, ConductorError, SubstrateError, TimeoutError, errorMessage } from '../../../shared/model/errors.ts';
import type { K8sJobSpec } from '../types.ts';
import type { KubeClient } from './client.ts';

import { sleepUntil } from './retry.ts';
import { listWatch, type ListWatchKind } from './watch-loop.ts';

/**
 * Cleanup hooks as Kubernetes Jobs: create a batch/v1 Job in the TEST cluster (unique name,
 * managed-by label, backoffLimit 0, restartPolicy Never, a TTL so the cluster tidies it up), then
 * follow it with a list-watch that resumes when dropped until it is Complete (resolve) or Failed
 * (reject with a SubstrateError naming the Job and its failure). On timeout or abort the Job is
 * deleted (propagationPolicy Background) and the wait rejects with TimeoutError / AbortedError.
 */

export interface RunJobOptions {
  /** on the run's clock */
  timeoutMs: number;
  signal?: AbortSignal;
  /** the run this Job belongs to: part of the Job's name suffix and an annotation */
  runId?: string;
}

export interface RunJobResult {
  succeeded: true;
  /** the created Job's name (spec name + run suffix) */
  job: string;
  message: string;
}

export interface JobRunnerSettings {
  /** the writer's production guard (electron/substrates/kubernetes/guard.ts productionGuard) */
  guard: (namespace: string, what: string) => Promise<void>;
  /** server-side timeout of one watch request (resumed after); default 300 */
  watchTimeoutSeconds?: number;
  /** how long a finished Job stays for inspection; default 3600 */
  ttlSecondsAfterFinished?: number;
}

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'conductor' } as const;

interface JobLike {
  metadata?: { name?: string; resourceVersion?: string; uid?: string; annotations?: Record<string, string> };
  status?: {
    startTime?: string | Date;
    completionTime?: string | Date;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

const JOBS: ListWatchKind = {
  plural: 'jobs',
  path: (namespace) => `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
  list: (client, namespace, fieldSelector, signal) =>
    client.call(
      'list',
      `jobs ${namespace}${fieldSelector ? ` (${fieldSelector})` : ''}`,
      (o) => client.batch.listNamespacedJob({ namespace, ...(fieldSelector ? { fieldSelector } : {}) }, o),
      { signal },
    ),
};

/**
 * The Job's name: the spec's name + "-" + a run tag (6 hex characters of the run id) + "-" + 4
 * random characters, the base shortened so the whole stays a DNS-1123 label of ≤ 63 characters.
 */
export function cleanupJobName(base: string, runId?: string): string {
  const rand = randomBytes(8).toString('hex').slice(0, runId ? 4 : 6);
  const tag = runId ? `${(/[0-9a-f]{6}$/.exec(runId)?.[0] ?? createHash('sha1').update(runId).digest('hex').slice(0, 6))}-${rand}` : rand;
  const room = 63 - tag.length - 1;
  const head = base.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, room).replace(/-+$/, '') || 'cleanup';
  return `${head}-${tag}`;
}

/** The Job manifest runJob creates. `token` marks this creation (so a retried create can recognise its own Job). */
export function cleanupJobManifest(spec: K8sJobSpec, name: string, opts: { timeoutMs: number; runId?: string; token: string; ttlSecondsAfterFinished: number }): V1Job {
  const labels: Record<string, string> = { ...MANAGED_BY, 'conductor.io/cleanup-job': spec.name.slice(0, 63).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') };
  if (!labels['conductor.io/cleanup-job']) delete labels['conductor.io/cleanup-job'];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: spec.namespace,
      labels,
      annotations: { 'conductor.io/creation-token': opts.token, ...(opts.runId ? { 'conductor.io/run-id': opts.runId } : {}) },
    },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: opts.ttlSecondsAfterFinished,
      // a backstop for a conductor that dies while waiting: the cluster stops the Job a minute after our own timeout
      activeDeadlineSeconds: Math.ceil(opts.timeoutMs / 1000) + 60,
      template: {
        metadata: { labels: { ...labels } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'cleanup', image: spec.image, command: [...spec.command] }] },
      },
    },
  };
}

const condition = (job: JobLike, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
const seconds = (from?: string | Date, to?: string | Date) => (from && to ? Math.round((new Date(to).getTime() - new Date(from).getTime()) / 1000) : undefined);

export async function runJob(client: KubeClient, settings: JobRunnerSettings, spec: K8sJobSpec, opts: RunJobOptions): Promise<RunJobResult> {
  const ctx = client.target.context;
  await settings.guard(spec.namespace, `create job ${spec.namespace}/${spec.name}`);
  if (opts.signal?.aborted) throw new AbortedError(`aborted: cleanup Job ${spec.namespace}/${spec.name} on ${ctx} was not created`, { target: ctx, resource: `jobs ${spec.namespace}/${spec.name}` });
  const name = cleanupJobName(spec.name, opts.runId);
  const resource = `jobs ${spec.namespace}/${name}`;
  const token = randomBytes(12).toString('hex');
  const body = cleanupJobManifest(spec, name, { timeoutMs: opts.timeoutMs, token, ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished ?? 3600, ...(opts.runId ? { runId: opts.runId } : {}) });
  try {
    await client.call('create', resource, (o) => client.batch.createNamespacedJob({ namespace: spec.namespace, body, fieldManager: 'conductor' }, o), { signal: opts.signal });
  } catch (err) {
    const status = err instanceof SubstrateError ? err.status : undefined;
    if (status !== 409) {
      // aborted mid-request, a lost answer, 5xx: the Job may exist all the same — do not leave it behind
      if (status === undefined || status >= 500) await deleteJob(client, spec.namespace, name);
      throw err;
    }
    // a create retried after a lost answer meets its own Job: adopt it; anyone else's is an error
    const existing = (await client.call('get', resource, (o) => client.batch.readNamespacedJob({ name, namespace: spec.namespace }, o), { signal: opts.signal })) as JobLike;
    if (existing.metadata?.annotations?.['conductor.io/creation-token'] !== token) throw err;
  }
  client.logger.info('created cleanup job', { context: ctx, namespace: spec.namespace, job: name, image: spec.image });
  try {
    return await waitForJob(client, spec.namespace, name, opts, settings.watchTimeoutSeconds);
  } catch (err) {
    if (err instanceof TimeoutError || err instanceof AbortedError) await deleteJob(client, spec.namespace, name);
    throw err;
  }
}

/** Delete a Job and (in a real cluster) its pods in the background; failures are logged, not thrown. */
async function deleteJob(client: KubeClient, namespace: string, name: string): Promise<void> {
  try {
    await client.call('delete', `jobs ${namespace}/${name}`, (o) => client.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }, o));
    client.logger.info('deleted cleanup job', { context: client.target.context, namespace, job: name });
  } catch (err) {
    if (err instanceof SubstrateError && err.status === 404) return;
    client.logger.warn('could not delete cleanup job', { context: client.target.context, namespace, job: name, error: errorMessage(err) });
  }
}

function waitForJob(client: KubeClient, namespace: string, name: string, opts: RunJobOptions, watchTimeoutSeconds?: number): Promise<RunJobResult> {
  const ctx = client.target.context;
  const resource = `jobs ${namespace}/${name}`;
  return new Promise<RunJobResult>((resolve, reject) => {
    const internal = new AbortController();
    let settled = false;
    let last: JobLike | undefined;
    const finish = (err: Error | undefined, result?: RunJobResult) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      internal.abort();
      if (err) reject(err);
      else resolve(result as RunJobResult);
    };
    const onAbort = () => finish(new AbortedError(`aborted: waiting for cleanup Job ${namespace}/${name} on ${ctx}`, { target: ctx, resource }));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    sleepUntil(client.clock, client.clock.now() + opts.timeoutMs, internal.signal).then(
      () => {
        const where = last?.status?.active ? ' (still active)' : last?.status?.startTime ? '' : ' (not started)';
        finish(new TimeoutError(`cleanup Job ${namespace}/${name} on ${ctx} did not finish within ${opts.timeoutMs} ms${where}; deleting it`, { target: ctx, resource, timeoutMs: opts.timeoutMs }));
      },
      () => undefined,
    );

    const observe = (job: JobLike | undefined): boolean => {
      if (!job) {
        finish(new SubstrateError(`kubernetes ${ctx}: cleanup Job ${namespace}/${name} was deleted before it finished`, { substrate: 'kubernetes', target: ctx, resource, status: 404, retryable: false }));
        return true;
      }
      last = job;
      const failed = condition(job, 'Failed');
      if (failed) {
        const why = [failed.reason, failed.message].filter(Boolean).join(': ') || 'no reason given';
        finish(new SubstrateError(`kubernetes ${ctx}: cleanup Job ${namespace}/${name} failed: ${why}`, { substrate: 'kubernetes', target: ctx, resource, retryable: false }));
        return true;
      }
      if (condition(job, 'Complete')) {
        const took = seconds(job.status?.startTime, job.status?.completionTime);
        finish(undefined, { succeeded: true, job: name, message: `complete${took !== undefined ? ` in ${took} s` : ''}` });
        return true;
      }
      return false;
    };

    listWatch<JobLike>(JOBS, {
      client,
      namespace,
      fieldSelector: `metadata.name=${name}`,
      signal: internal.signal,
      ...(watchTimeoutSeconds ? { watchTimeoutSeconds } : {}),
      onList: (items) => observe(items.find((j) => j.metadata?.name === name)),
      onEvent: (type, obj) => (type === 'DELETED' ? observe(undefined) : observe(obj)),
      onReconnect: (info) => client.logger.debug('job watch reconnect', { context: ctx, resource, ...info }),
    }).then(
      () => undefined,
      (err: unknown) => {
        if (settled) return;
        finish(err instanceof ConductorError ? err : new SubstrateError(String(err), { substrate: 'kubernetes', target: ctx, resource }));
      },
    );
  });
}
