import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { ManualClock } from '../support/clocks.ts';
import { shopKubeSeed, startKubernetesApiServer, type KubeApiServer } from '../../electron/sandbox/kubernetes/index.ts';
import { createKubernetesWriter } from '../../electron/substrates/kubernetes/index.ts';
import { cleanupJobName } from '../../electron/substrates/kubernetes/job-runner.ts';
import type { K8sJobSpec } from '../../electron/substrates/types.ts';
import { AbortedError, ProductionWriteRefused, SubstrateError, TimeoutError } from '../../shared/model/errors.ts';
import { api, startShopClusters, type SandboxCluster } from '../unit/substrates/kubernetes/sandbox-fixture.ts';

/**
 * Cleanup hooks as Kubernetes Jobs: the sandbox API server's batch/v1 Jobs over real HTTP, and the
 * adapter's runJob through @kubernetes/client-node against it.
 */

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const JOBS = '/apis/batch/v1/namespaces/shop/jobs';

const jobBody = (name: string, extra: Obj = {}): Obj => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name },
  spec: {
    backoffLimit: 0,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'cleanup', image: 'registry.example/order-cleaner:1.0', command: ['/bin/cleanup', '--older-than=0s'] }] } },
    ...extra,
  },
});

/** Read a watch stream until `count` events arrived or the server ended it; `during` runs once the stream is open. */
async function watchEvents(server: KubeApiServer, path: string, count: number, during?: () => Promise<void>): Promise<Obj[]> {
  const ac = new AbortController();
  const res = await fetch(server.url + path, { signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const events: Obj[] = [];
  let buf = '';
  const pending = during?.();
  for (let i = 0; i < 10_000 && events.length < count; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += new TextDecoder().decode(value);
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)) as Obj);
      buf = buf.slice(nl + 1);
    }
  }
  await pending;
  ac.abort();
  return events;
}

describe('sandbox API server: batch/v1 Jobs', () => {
  let clock: ManualClock;
  let server: KubeApiServer;

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-01T10:00:00Z'));
    server = await startKubernetesApiServer({ clock, name: 'test', seed: shopKubeSeed('test'), rolloutStepMs: Infinity });
  });
  afterEach(async () => {
    await server.close();
  });

  it('serves batch/v1 discovery: /apis lists it, /apis/batch and /apis/batch/v1 describe jobs', async () => {
    const groups = (await api(server, '/apis')).body as Obj;
    expect(groups.groups.find((g: Obj) => g.name === 'batch')).toEqual({
      name: 'batch',
      versions: [{ groupVersion: 'batch/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'batch/v1', version: 'v1' },
    });
    expect((await api(server, '/apis/batch')).body).toMatchObject({ kind: 'APIGroup', name: 'batch', preferredVersion: { groupVersion: 'batch/v1' } });
    const v1 = (await api(server, '/apis/batch/v1')).body as Obj;
    expect(v1).toMatchObject({ kind: 'APIResourceList', groupVersion: 'batch/v1' });
    expect(v1.resources.find((r: Obj) => r.name === 'jobs')).toMatchObject({ kind: 'Job', namespaced: true, verbs: expect.arrayContaining(['create', 'get', 'list', 'watch', 'delete']) });
    expect((await api(server, '/apis/batch/v2')).status).toBe(404);
  });

  it('creates a Job (defaulted, labelled), runs it on the sandbox clock: active, then succeeded + completionTime + Complete', async () => {
    const created = await api(server, JOBS, { method: 'POST', json: jobBody('purge', { ttlSecondsAfterFinished: 600 }) });
    expect(created.status).toBe(201);
    const job = created.body as Obj;
    const uid = job.metadata.uid as string;
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'purge', namespace: 'shop', creationTimestamp: '2026-11-01T10:00:00Z' } });
    expect(job.spec).toMatchObject({ backoffLimit: 0, completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } } });
    expect(job.spec.template.metadata.labels).toMatchObject({ 'job-name': 'purge', 'batch.kubernetes.io/job-name': 'purge', 'controller-uid': uid });
    expect(job.metadata.labels).toMatchObject({ 'job-name': 'purge' });

    const running = (await api(server, `${JOBS}/purge`)).body as Obj;
    expect(running.status).toEqual({ startTime: '2026-11-01T10:00:00Z', active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    await clock.advance(19_000);
    expect(((await api(server, `${JOBS}/purge`)).body as Obj).status.active).toBe(1);
    await clock.advance(1_000);
    const done = (await api(server, `${JOBS}/purge`)).body as Obj;
    expect(done.status).toMatchObject({ startTime: '2026-11-01T10:00:00Z', completionTime: '2026-11-01T10:00:20Z', succeeded: 1 });
    expect(done.status.active).toBeUndefined();
    expect(done.status.conditions.map((c: Obj) => [c.type, c.status])).toEqual([
      ['SuccessCriteriaMet', 'True'],
      ['Complete', 'True'],
    ]);
    // the status subresource, a list and the store agree; the request log records the create as mutating
    expect(((await api(server, `${JOBS}/purge/status`)).body as Obj).status.succeeded).toBe(1);
    const list = (await api(server, JOBS)).body as Obj;
    expect(list).toMatchObject({ kind: 'JobList', apiVersion: 'batch/v1' });
    expect(list.items.map((j: Obj) => j.metadata.name)).toEqual(['purge']);
    expect(server.jobs.created()).toEqual([
      expect.objectContaining({ namespace: 'shop', name: 'purge', uid, image: 'registry.example/order-cleaner:1.0', command: ['/bin/cleanup', '--older-than=0s'], outcome: 'Complete' }),
    ]);
    expect(server.log.entries.filter((e) => e.mutating).map((e) => [e.operation, e.status])).toEqual([['create jobs', 201]]);
    // ttlSecondsAfterFinished: the cluster deletes the finished Job
    await clock.advance(600_000);
    expect((await api(server, `${JOBS}/purge`)).status).toBe(404);
    expect(server.jobs.created()[0]?.deleted).toMatchObject({ by: 'ttl' });
  });

  it('streams the Job through a watch: ADDED, MODIFIED (active), MODIFIED (complete)', async () => {
    const rv = server.store.resourceVersion;
    const events = await watchEvents(server, `${JOBS}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dpurge`, 3, async () => {
      await api(server, JOBS, { method: 'POST', json: jobBody('other') });
      await api(server, JOBS, { method: 'POST', json: jobBody('purge') });
      await clock.advance(20_000);
    });
    expect(events.map((e) => [e.type, e.object.status.active ?? 0, e.object.status.succeeded ?? 0])).toEqual([
      ['ADDED', 0, 0],
      ['MODIFIED', 1, 0],
      ['MODIFIED', 0, 1],
    ]);
  });

  it('the failure fault makes matching Jobs fail with a Failed condition; activeDeadlineSeconds fails a long Job', async () => {
    server.jobs.failJobs('purge', { message: 'could not reach the orders database' });
    await api(server, JOBS, { method: 'POST', json: jobBody('purge-1') });
    await api(server, JOBS, { method: 'POST', json: jobBody('keep-1') });
    await clock.advance(20_000);
    const failed = (await api(server, `${JOBS}/purge-1`)).body as Obj;
    expect(failed.status).toMatchObject({ failed: 1 });
    expect(failed.status.completionTime).toBeUndefined();
    expect(failed.status.conditions.find((c: Obj) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'could not reach the orders database' });
    expect(((await api(server, `${JOBS}/keep-1`)).body as Obj).status.succeeded).toBe(1);
    server.jobs.clearFaults();
    server.jobs.durationMs = 120_000;
    await api(server, JOBS, { method: 'POST', json: jobBody('slow', { activeDeadlineSeconds: 30 }) });
    await clock.advance(30_000);
    const slow = (await api(server, `${JOBS}/slow`)).body as Obj;
    expect(slow.status.conditions.find((c: Obj) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(server.jobs.created().map((j) => `${j.name}:${j.outcome}`)).toEqual(['purge-1:Failed', 'keep-1:Complete', 'slow:Failed']);
  });

  it('answers Status errors like the API server: 422 (restartPolicy, name), 409, 404 namespace; generateName; patch refused', async () => {
    const bad = await api(server, JOBS, { method: 'POST', json: jobBody('x', { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }) });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'Invalid', message: 'Job.batch "x" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"' });
    const always = await api(server, JOBS, { method: 'POST', json: jobBody('x', { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'i' }] } } }) });
    expect(always.body.message).toContain('Unsupported value: "Always"');
    expect((await api(server, JOBS, { method: 'POST', json: jobBody('a'.repeat(64)) })).body.message).toContain('must be no more than 63 characters');
    expect((await api(server, JOBS, { method: 'POST', json: jobBody('dup') })).status).toBe(201);
    const dup = await api(server, JOBS, { method: 'POST', json: jobBody('dup') });
    expect(dup).toMatchObject({ status: 409, body: { reason: 'AlreadyExists', message: 'jobs.batch "dup" already exists' } });
    expect((await api(server, '/apis/batch/v1/namespaces/nowhere/jobs', { method: 'POST', json: jobBody('j') })).status).toBe(404);
    const gen = await api(server, JOBS, { method: 'POST', json: { ...jobBody(''), metadata: { generateName: 'purge-' } } });
    expect(gen.status).toBe(201);
    expect((gen.body as Obj).metadata.name).toMatch(/^purge-[0-9a-f]{5}$/);
    expect((await api(server, `${JOBS}/dup`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { suspend: true } } })).status).toBe(405);
  });

  it('deletes with propagationPolicy from the query or a DeleteOptions body; an unknown policy is 422', async () => {
    await api(server, JOBS, { method: 'POST', json: jobBody('a') });
    await api(server, JOBS, { method: 'POST', json: jobBody('b') });
    const wrong = await api(server, `${JOBS}/a?propagationPolicy=Sideways`, { method: 'DELETE' });
    expect(wrong).toMatchObject({ status: 422, body: { reason: 'Invalid' } });
    expect(wrong.body.message).toContain('propagationPolicy: Unsupported value: "Sideways"');
    expect((await api(server, `${JOBS}/a?propagationPolicy=Background`, { method: 'DELETE' })).body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'a', group: 'batch', kind: 'jobs' } });
    expect((await api(server, `${JOBS}/b`, { method: 'DELETE', json: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } })).status).toBe(200);
    expect((await api(server, `${JOBS}/b`, { method: 'DELETE' })).status).toBe(404);
    await api(server, JOBS, { method: 'POST', json: jobBody('c') });
    expect((await api(server, `${JOBS}/c`, { method: 'DELETE' })).status).toBe(200);
    // no policy: Jobs orphan their pods, as upstream
    expect(server.jobs.created().map((j) => [j.name, j.deleted?.propagationPolicy])).toEqual([
      ['a', 'Background'],
      ['b', 'Foreground'],
      ['c', 'Orphan'],
    ]);
    // a deleted Job's timer does not resurrect it
    await clock.advance(20_000);
    expect(((await api(server, JOBS)).body as Obj).items).toEqual([]);
  });
});

describe('Kubernetes adapter: runJob against the sandbox', () => {
  // 1 real ms = 100 simulated ms: a 20 s Job takes 200 real ms
  let clock: ScaledClock;
  let sb: SandboxCluster;
  const retry = { attempts: 4, baseDelayMs: 200, maxDelayMs: 2000 };
  const SPEC: K8sJobSpec = { namespace: 'shop', name: 'delete-test-orders', image: 'registry.example/order-cleaner:1.0', command: ['/bin/cleanup', '--older-than=0s'] };
  const writer = (context = 'sandbox-test') =>
    createKubernetesWriter({
      kubeconfig: { kubeconfigPath: sb.kubeconfigPath },
      context,
      clock,
      retry,
      productionTargets: [{ server: sb.servers['sandbox-prod']!.url, context: 'sandbox-prod', namespaces: ['shop', 'payments'] }],
    });
  const test = () => sb.servers['sandbox-test']!;
  const prod = () => sb.servers['sandbox-prod']!;

  beforeEach(async () => {
    clock = new ScaledClock(100);
    sb = await startShopClusters(clock);
  });
  afterEach(async () => {
    // production is never written to
    expect(prod().mutatingRequests()).toBe(0);
    await sb.close();
  });

  it('creates a uniquely named, labelled Job in the TEST cluster and resolves when it completes', async () => {
    const runId = '20261101-100000Z-sandbox-rehearsal-3fa9c1';
    const r = await writer().runJob!(SPEC, { timeoutMs: 300_000, runId });
    // one-second timestamps on a scaled clock: 20 or 21 s
    expect(r).toMatchObject({ succeeded: true, message: expect.stringMatching(/^complete in 2[01] s$/) });
    expect((r as { job: string }).job).toMatch(/^delete-test-orders-3fa9c1-[0-9a-f]{4}$/);
    const job = (await api(test(), `/apis/batch/v1/namespaces/shop/jobs/${(r as { job: string }).job}`)).body as Obj;
    expect(job.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'conductor', 'conductor.io/cleanup-job': 'delete-test-orders' });
    expect(job.metadata.annotations).toMatchObject({ 'conductor.io/run-id': runId });
    expect(job.spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 360 });
    expect(job.spec.template.spec).toMatchObject({ restartPolicy: 'Never', containers: [{ name: 'cleanup', image: SPEC.image, command: SPEC.command }] });
    expect(job.status.conditions.find((c: Obj) => c.type === 'Complete')?.status).toBe('True');
    expect(test().jobs.created().map((j) => j.outcome)).toEqual(['Complete']);
    // one create, nothing else mutating; production untouched (afterEach)
    expect(test().log.entries.filter((e) => e.mutating).map((e) => e.operation)).toEqual(['create jobs']);
    expect(prod().log.total).toBe(0);
  });

  it('two runs of the same hook get distinct names', async () => {
    const names = new Set(Array.from({ length: 50 }, () => cleanupJobName('delete-test-orders', 'run-abcdef')));
    expect(names.size).toBe(50);
    expect(cleanupJobName('x'.repeat(63), 'r-123456')).toHaveLength(63);
  });

  it('a Failed Job rejects with a SubstrateError naming the Job and its failure message', async () => {
    test().jobs.failJobs('delete-test-orders', { message: 'could not reach the orders database' });
    const err = await writer()
      .runJob!(SPEC, { timeoutMs: 300_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as Error).message).toMatch(/^kubernetes sandbox-test: cleanup Job shop\/delete-test-orders-[0-9a-f]{6} failed: BackoffLimitExceeded: could not reach the orders database$/);
    // backoffLimit 0: one attempt, no retry pods
    expect(test().jobs.created()).toHaveLength(1);
  });

  it('times out with TimeoutError and deletes the Job (propagationPolicy Background)', async () => {
    test().jobs.durationMs = 3_600_000;
    const err = await writer()
      .runJob!(SPEC, { timeoutMs: 30_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/^cleanup Job shop\/delete-test-orders-\w+ on sandbox-test did not finish within 30000 ms \(still active\); deleting it$/);
    const [job] = test().jobs.created();
    expect(job?.deleted).toMatchObject({ propagationPolicy: 'Background', by: 'api' });
    expect(test().store.list('jobs', 'shop')).toEqual([]);
  });

  it('abort rejects with AbortedError and deletes the Job', async () => {
    test().jobs.durationMs = 3_600_000;
    const ac = new AbortController();
    const p = writer().runJob!(SPEC, { timeoutMs: 300_000, signal: ac.signal });
    for (let i = 0; i < 200 && test().jobs.created().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    expect(test().jobs.created()[0]?.deleted?.propagationPolicy).toBe('Background');
    // an already-aborted signal creates nothing
    await expect(writer().runJob!(SPEC, { timeoutMs: 300_000, signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(test().jobs.created()).toHaveLength(1);
  });

  it('resumes the watch when it drops and still sees the Job complete', async () => {
    test().faults.set({ dropWatchesAfterMs: 30 });
    const r = await writer().runJob!(SPEC, { timeoutMs: 300_000 });
    expect(r.succeeded).toBe(true);
    expect(test().log.entries.filter((e) => e.operation === 'watch jobs').length).toBeGreaterThan(1);
  });

  it('refuses to create a Job where production is: zero requests to production', async () => {
    const w = writer('sandbox-prod');
    await expect(w.runJob!(SPEC, { timeoutMs: 300_000 })).rejects.toBeInstanceOf(ProductionWriteRefused);
    await expect(w.runJob!(SPEC, { timeoutMs: 300_000 })).rejects.toThrow(/refusing to create job shop\/delete-test-orders: namespace "shop" on .* is production/);
    expect(prod().log.total).toBe(0);
  });
});
