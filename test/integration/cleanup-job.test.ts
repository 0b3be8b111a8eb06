import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '../../electron/core/run/conductor.ts';
import { openEnvironment, type Environment } from '../../electron/core/service/environment.ts';
import { readSnapshot } from '../../electron/core/run/journal.ts';
import { silentLogger } from '../../electron/base/logger.ts';
import { readSide } from '../../electron/core/run/phases/common.ts';
import { unitsOf } from '../../electron/core/rules/units.ts';
import { equalsSnapshot } from '../../electron/core/rules/plan.ts';
import { loadSpecText } from '../../electron/core/service/spec-loader.ts';
import { startSandbox, type Sandbox } from '../../electron/sandbox/index.ts';
import type { LoadTest } from '../../shared/spec/schema.ts';
import type { RunEvent } from '../../shared/model/run.ts';

/**
 * A Kubernetes Job cleanup hook through the whole lifecycle on the embedded sandbox: the real
 * adapter creates a batch/v1 Job in the TEST API server after restore, waits for it on the
 * sandbox clock, and the run passes; a failing or stuck Job is flagged without failing the restore.
 */

let dataDir: string;
let sandbox: Sandbox;
let env: Environment;
let spec: LoadTest;

const CLEANUP_JOB = { namespace: 'shop', name: 'delete-test-orders', image: 'registry.example/order-cleaner:1.0', command: ['/bin/cleanup', '--older-than=0s'], timeout: 300_000 };

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-cleanup-job-'));
  spec = loadSpecText(await readFile('examples/sandbox.yaml', 'utf8'), 'examples/sandbox.yaml');
  spec.spec.cleanup = [{ kubernetesJob: { ...CLEANUP_JOB } }];
  sandbox = await startSandbox({ timeScale: 400 });
  env = await openEnvironment(spec, { sandbox, logger: silentLogger });
});
afterEach(async () => {
  await env.close();
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function differingFromSnapshot(runId: string): Promise<string[]> {
  const snap = await readSnapshot(dataDir, runId);
  expect(snap).not.toBeNull();
  const units = unitsOf(spec.spec.applications);
  const now = await readSide(env.substrates, 'test', units);
  return units.filter((u) => {
    const before = snap!.test[u.name];
    const after = now.get(u.name) ?? null;
    return before ? !equalsSnapshot(before, after!) : after !== null;
  }).map((u) => u.name);
}

const run = async () => {
  const events: RunEvent[] = [];
  /** sandbox clock time of each phase event, e.g. "restore done" */
  const at: Record<string, number> = {};
  const handle = startRun(spec, { clock: env.clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: silentLogger, dataDir }, {
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'phase') at[`${e.phase} ${e.state}`] = env.clock.now();
    },
  });
  return { r: await handle.done, events, at };
};

describe('a Kubernetes Job cleanup hook on the sandbox', () => {
  it('creates the Job in the TEST API server after restore, waits for it to complete; the run passes; production gets no request for it', async () => {
    const { r, events, at } = await run();
    expect(r.verdict.status).toBe('passed');
    expect(r.status.flags.filter((f) => f.startsWith('cleanup'))).toEqual([]);
    const test = sandbox.kubernetes.test;
    const jobs = test.jobs.created();
    const runTag = r.status.runId.slice(-6);
    expect(jobs).toEqual([
      expect.objectContaining({
        namespace: 'shop',
        name: expect.stringMatching(new RegExp(`^delete-test-orders-${runTag}-[0-9a-f]{4}$`)),
        image: 'registry.example/order-cleaner:1.0',
        command: ['/bin/cleanup', '--older-than=0s'],
        labels: expect.objectContaining({ 'app.kubernetes.io/managed-by': 'conductor' }),
        outcome: 'Complete',
      }),
    ]);
    const job = test.store.get('jobs', 'shop', jobs[0]!.name)!;
    expect((job.metadata as { annotations: Record<string, string> }).annotations['conductor.io/run-id']).toBe(r.status.runId);
    expect(job.spec).toMatchObject({ backoffLimit: 0, template: { spec: { restartPolicy: 'Never' } } });
    // after restore: the Job was created once restore had ended, and the cleanup phase waited for it to finish
    const cleanup = r.status.phases.find((p) => p.phase === 'cleanup')!;
    expect(cleanup.state).toBe('done');
    expect(jobs[0]!.createdAt).toBeGreaterThanOrEqual(at['restore done']!);
    expect(jobs[0]!.finishedAt).toBeLessThanOrEqual(at['cleanup done']!);
    expect(cleanup.endedAt! - cleanup.startedAt).toBeGreaterThanOrEqual(20_000);
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^cleanup hook 1: Job shop/${jobs[0]!.name} succeeded \\(complete in 2\\d s\\)$`)));
    // the test API server got exactly one Job create; production got nothing mutating and no Job request at all
    expect(test.log.entries.filter((e) => e.operation === 'create jobs').map((e) => e.status)).toEqual([201]);
    expect(sandbox.productionMutatingRequests()).toBe(0);
    expect(sandbox.kubernetes.production.log.entries.filter((e) => e.path.includes('/jobs'))).toEqual([]);
    expect(await differingFromSnapshot(r.status.runId)).toEqual([]);
  });

  it('a failing Job and a Job past its timeout are flagged; the next hook still runs; restore stays complete and the verdict passes', async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      spec.spec.cleanup = [
        { kubernetesJob: { ...CLEANUP_JOB } },
        { kubernetesJob: { ...CLEANUP_JOB, name: 'slow-purge', timeout: 10_000 } },
        { http: { method: 'DELETE', url: `${base}/test-orders`, headers: {}, timeout: 30_000 } },
      ];
      sandbox.kubernetes.test.jobs.failJobs('delete-test-orders', { message: 'could not reach the orders database' });
      const { r } = await run();
      expect(r.verdict.status).toBe('passed');
      const flags = r.status.flags.filter((f) => f.startsWith('cleanup'));
      expect(flags).toHaveLength(2);
      expect(flags[0]).toMatch(/^cleanup hook 1 failed: kubernetes sandbox-test: cleanup Job shop\/delete-test-orders-\w+-\w+ failed: BackoffLimitExceeded: could not reach the orders database$/);
      expect(flags[1]).toMatch(/^cleanup hook 2 failed: cleanup Job shop\/slow-purge-\w+-\w+ on sandbox-test did not finish within 10000 ms \(still active\); deleting it$/);
      expect(hits).toEqual(['DELETE /test-orders']);
      const jobs = sandbox.kubernetes.test.jobs.created();
      expect(jobs.map((j) => [j.name.replace(/-\w+-\w+$/, ''), j.outcome, j.deleted?.propagationPolicy])).toEqual([
        ['delete-test-orders', 'Failed', undefined],
        ['slow-purge', 'Running', 'Background'],
      ]);
      expect(r.status.phases.find((p) => p.phase === 'restore')?.state).toBe('done');
      expect(await differingFromSnapshot(r.status.runId)).toEqual([]);
      expect(sandbox.productionMutatingRequests()).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
