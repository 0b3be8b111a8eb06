import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '../../electron/core/run/conductor.ts';
import { openEnvironment } from '../../electron/core/service/environment.ts';
import { readJournal, listPendingRecoveries } from '../../electron/core/run/journal.ts';
import { silentLogger } from '../../electron/base/logger.ts';
import { startSandbox, type Sandbox } from '../../electron/sandbox/index.ts';
import { LOCUST_WORKERS } from '../../electron/sandbox/kubernetes/index.ts';
import { loadSpecText } from '../../electron/core/service/spec-loader.ts';
import { WORKERS_UNIT } from '../../electron/core/rules/units.ts';
import { conductor, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * Locust's workers scaled by the conductor (spec.load.locust.workers) on the sandbox's Kubernetes:
 * the test cluster's locust-worker Deployment, whose ready pods are the sandbox Locust's connected
 * workers. The count goes up ahead of the users, the master reports them, and the count goes back
 * when the run ends — and after kill -9, through `conductor recover`.
 */
const WORKERS = `workers: { kubernetes: { namespace: ${LOCUST_WORKERS.namespace}, deployment: ${LOCUST_WORKERS.deployment} }, usersPerWorker: 100, min: 1, max: 5 }`;

const replicasOf = (sandbox: Sandbox): number =>
  ((sandbox.kubernetes.test.store.get('deployments', LOCUST_WORKERS.namespace, LOCUST_WORKERS.deployment) as { spec: { replicas: number } }).spec.replicas);

describe('Locust workers scaled by the conductor, on the sandbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conductor-workers-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sets the workers ahead of the users, waits for the master to report them, and puts the count back at the end', async () => {
    const text = (await readFile('examples/sandbox.yaml', 'utf8')).replace(/locust: \{ url: ([^}]+) \}/, `locust: { url: $1, ${WORKERS} }`);
    const spec = loadSpecText(text, 'sandbox-workers.yaml');
    expect(spec.spec.load.locust.workers?.usersPerWorker).toBe(100);
    const sandbox = await startSandbox({ timeScale: 200 });
    const env = await openEnvironment(spec, { sandbox, logger: silentLogger });
    try {
      expect(replicasOf(sandbox)).toBe(1);
      const seen: { replicas: number; connected: number }[] = [];
      const handle = startRun(spec, { clock: env.clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: silentLogger, dataDir: dir }, {
        onEvent: (e) => {
          if (e.type === 'sample') seen.push({ replicas: replicasOf(sandbox), connected: sandbox.locust.state().workers });
        },
      });
      const r = await handle.done;
      // ~255 users at 100 a worker: three workers, connected before the users were sent
      const most = Math.max(...seen.map((s) => s.replicas));
      expect(most).toBeGreaterThanOrEqual(3);
      expect(Math.max(...seen.map((s) => s.connected))).toBe(most);
      const logs = r.status.samples.length;
      expect(logs).toBeGreaterThan(0);
      // journaled like any write, and restored with the apps
      const journal = await readJournal(dir, r.status.runId);
      expect(journal.some((j) => j.type === 'write-intent' && j.app === WORKERS_UNIT && j.purpose === 'scale')).toBe(true);
      expect(journal.some((j) => j.type === 'write-intent' && j.app === WORKERS_UNIT && j.purpose === 'restore')).toBe(true);
      expect(replicasOf(sandbox)).toBe(1);
      expect(r.verdict.restoreComplete).toBe(true);
    } finally {
      await env.close();
      await sandbox.close();
    }
  });

  describe('kill -9 of a run that scaled the workers, then conductor recover', () => {
    let standalone: Standalone;
    beforeEach(async () => {
      standalone = await startStandalone(dir, { timeScale: 50 });
      const text = (await readFile(standalone.specPath, 'utf8')).replace(/locust: \{ url: ("[^"]+") \}/, `locust: { url: $1, ${WORKERS} }`);
      expect(text).toContain('usersPerWorker: 100');
      await writeFile(standalone.specPath, text);
    });
    afterEach(async () => {
      await standalone.sandbox.close();
    });

    it('recover puts the workers back to their count before the run', async () => {
      const data = join(dir, 'data');
      const run = conductor(['run', standalone.specPath, '--time-scale', '50', '--data-dir', data], standalone.env);
      const first = await run.waitFor(/^run \S+:/);
      const runId = first.split(' ')[1]!.replace(/:$/, '');
      // the load has asked for a second worker: kill -9 then
      for (let i = 0; i < 1200 && replicasOf(standalone.sandbox) < 2 && run.proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(replicasOf(standalone.sandbox), run.out() + run.err()).toBeGreaterThanOrEqual(2);
      run.proc.kill('SIGKILL');
      expect((await run.exit).signal).toBe('SIGKILL');
      expect((await listPendingRecoveries(data)).map((p) => p.runId)).toEqual([runId]);

      const rec = conductor(['recover', runId, '--data-dir', data], standalone.env);
      const { code } = await rec.exit;
      expect(code, rec.out() + rec.err()).toBe(0);
      expect(rec.out()).toMatch(/is back to its state before the run/);
      expect(replicasOf(standalone.sandbox)).toBe(1);
      expect(standalone.sandbox.productionMutatingRequests()).toBe(0);
    }, 180_000);
  });
});
