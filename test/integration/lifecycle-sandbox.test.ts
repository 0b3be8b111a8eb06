import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRun } from '../../electron/core/run/conductor.ts';
import { openEnvironment, type Environment } from '../../electron/core/service/environment.ts';
import { readSnapshot, listPendingRecoveries } from '../../electron/core/run/journal.ts';
import { silentLogger } from '../../electron/base/logger.ts';
import { readSide } from '../../electron/core/run/phases/common.ts';
import { unitsOf } from '../../electron/core/rules/units.ts';
import { equalsSnapshot } from '../../electron/core/rules/plan.ts';
import { startSandbox, type Sandbox } from '../../electron/sandbox/index.ts';
import { loadSpecText } from '../../electron/core/service/spec-loader.ts';
import type { LoadTest } from '../../shared/spec/schema.ts';

/**
 * The full lifecycle on the embedded sandbox (real Kubernetes/ECS/Locust wire protocols over
 * loopback, through the real adapters) at a high time scale.
 */

let dataDir: string;
let sandbox: Sandbox;
let env: Environment;
let spec: LoadTest;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-life-int-'));
  spec = loadSpecText(await readFile('examples/sandbox.yaml', 'utf8'), 'examples/sandbox.yaml');
  sandbox = await startSandbox({ timeScale: 400 });
  env = await openEnvironment(spec, { sandbox, logger: silentLogger });
});
afterEach(async () => {
  await env.close();
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function assertRestored(runId: string): Promise<void> {
  const snap = await readSnapshot(dataDir, runId);
  expect(snap).not.toBeNull();
  const units = unitsOf(spec.spec.applications);
  const now = await readSide(env.substrates, 'test', units);
  for (const u of units) {
    const before = snap!.test[u.name];
    const after = now.get(u.name) ?? null;
    if (!before) expect(after).toBeNull();
    else expect(equalsSnapshot(before, after!), `${u.name} equals its snapshot`).toBe(true);
  }
}

describe('lifecycle on the sandbox', () => {
  it('a run that starts while the master has no worker yet (the last run just stopped it) waits for one; with none at all it fails in validate, naming minWorkers', async () => {
    // Locust drops a worker from its list when the worker reports it stopped, and lists it again when it is ready
    let reads = 0;
    const gap = (missing: number) => {
      const locust = Object.create(env.locust) as typeof env.locust;
      locust.stats = async (signal) => {
        const s = await env.locust.stats(signal);
        return ++reads <= missing ? { ...s, workerCount: 0, workers: [] } : s;
      };
      return locust;
    };
    const briefly = await startRun(spec, { clock: env.clock, substrates: env.substrates, locust: gap(3), kpi: env.kpi, logger: silentLogger, dataDir }).done;
    expect(briefly.verdict.status).toBe('passed');
    reads = 0;
    const never = await startRun(spec, { clock: env.clock, substrates: env.substrates, locust: gap(Infinity), kpi: env.kpi, logger: silentLogger, dataDir }).done;
    expect(never.verdict.status).not.toBe('passed');
    expect(JSON.stringify(never.verdict.reasons)).toMatch(/the Locust master has 0 worker\(s\), the spec requires at least 1 \(spec\.load\.locust\.minWorkers\)/);
    // it asked again for a while before giving up (one read a second, 15 s on the run's clock)
    expect(reads).toBeGreaterThan(15);
  });

  it('warns before any write when a short control interval has less grace than two readings, and not when it has', async () => {
    const warnings = async (gracePeriod: number) => {
      const logs: string[] = [];
      const s = { ...spec, spec: { ...spec.spec, guards: { ...spec.spec.guards, gracePeriod } } };
      const handle = startRun(s, { clock: env.clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: silentLogger, dataDir }, {
        onEvent: (e) => {
          if (e.type === 'log' && e.level === 'warn') logs.push(e.message);
          if (e.type === 'phase' && e.phase === 'snapshot' && e.state === 'running') handle.abort('enough: validate is done');
        },
      });
      await handle.done;
      return logs.filter((m) => m.includes('gracePeriod'));
    };
    // the example: a 15 s interval with 30 s of grace
    expect(spec.spec.load.controlInterval).toBe(15_000);
    expect(await warnings(30_000)).toEqual([]);
    expect(await warnings(0)).toEqual([
      'the error guard judges each 15 s reading alone (spec.load.controlInterval) with 0 s of grace: one noisy reading past maxErrorRate can end the run where a knee would be reported — set spec.guards.gracePeriod to 30s or more',
    ]);
  });

  it('passes; afterwards the test environment equals the snapshot and production received no mutating request', async () => {
    const handle = startRun(spec, { clock: env.clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: silentLogger, dataDir });
    const r = await handle.done;
    expect(r.verdict.reasons).toEqual([]);
    expect(r.verdict.status).toBe('passed');
    expect(Math.abs(r.verdict.plateauOpm! - 1200) / 1200).toBeLessThan(0.05);
    expect(r.report.parityBefore!.summary.drift).toBeGreaterThan(0);
    await assertRestored(r.status.runId);
    // parity after equals parity before: the environment is as it was
    const strip = (rows: { app: string; field: string; test: unknown }[]) => rows.map((x) => `${x.app}/${x.field}=${String(x.test)}`).sort();
    expect(strip(r.report.parityAfter!.rows)).toEqual(strip(r.report.parityBefore!.rows));
    expect(sandbox.productionMutatingRequests()).toBe(0);
    expect(await listPendingRecoveries(dataDir)).toEqual([]);
    expect(sandbox.requestSummary().kubernetesTest.mutating).toBeGreaterThan(0);
  });

  it('abort mid-ramp: Locust stops, the test environment is restored, the run ends aborted', async () => {
    let samples = 0;
    const handle = startRun(spec, { clock: env.clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: silentLogger, dataDir }, {
      onEvent: (e) => {
        if (e.type === 'sample' && ++samples === 5) handle.abort('operator abort mid-ramp');
      },
    });
    const r = await handle.done;
    expect(r.verdict.status).toBe('aborted');
    expect(r.status.phases.find((p) => p.phase === 'ramp')?.state).toBe('failed');
    const stats = await env.locust.stats();
    expect(stats.userCount).toBe(0);
    await assertRestored(r.status.runId);
    expect(sandbox.productionMutatingRequests()).toBe(0);
  });

  it('a production deploy landing mid-run is flagged (the watch sees it) and the run goes on', async () => {
    const store = sandbox.kubernetes.production.store;
    let deployed = false;
    const handle = startRun(spec, { clock: env.clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: silentLogger, dataDir }, {
      onEvent: (e) => {
        if (!deployed && e.type === 'sample' && e.sample.phase === 'ramp' && e.sample.t > 0) {
          deployed = true;
          // someone else's production deploy (straight into the store: not a request from the conductor)
          const dep = structuredClone(store.get('deployments', 'shop', 'cart')!) as { spec: { template: { spec: { containers: { image: string }[] } } } };
          dep.spec.template.spec.containers[0]!.image = 'registry.example/cart:9.9.9';
          store.replace('deployments', 'shop', 'cart', dep as never);
        }
      },
    });
    const r = await handle.done;
    expect(r.verdict.status).toBe('passed');
    expect(r.status.flags.some((f) => /^production drift: cart container cart changed from .* to registry\.example\/cart:9\.9\.9 mid-run$/.test(f))).toBe(true);
    expect(r.report.status.guards.some((g) => g.guard === 'productionDrift')).toBe(true);
    expect(sandbox.productionMutatingRequests()).toBe(0);
  });
});
