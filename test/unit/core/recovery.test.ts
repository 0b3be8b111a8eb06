import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../support/clocks.ts';
import { RunJournal, listPendingRecoveries, readJournal } from '../../../electron/core/run/journal.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import { restoreDeadRun } from '../../../electron/core/run/recovery.ts';
import { RunHistory } from '../../../electron/core/records/history.ts';
import { makeSpec, makeWorld, testState } from './lifecycle-fakes.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-recover-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('recover after a crash', () => {
  it('restores the test environment to the snapshot of a run whose journal was left unfinished', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const spec = makeSpec((s) => void (s.spec.cleanup = [{ http: { method: 'DELETE', url: 'http://orders.test.internal/test-orders' } }]));
    const before = testState(w);
    // what a crashed run leaves behind: snapshot, write intents, no end …
    const j = new RunJournal(dataDir, 'crashed-run');
    await j.append({ type: 'run-started', runId: 'crashed-run', specName: spec.metadata.name, pid: 999_999_999, host: hostname(), testEnvironment: 'test', startedAt: new Date().toISOString() });
    const snapTest = Object.fromEntries([...(await w.testK8s.readApps([{ app: 'checkout', namespace: 'shop', deployment: 'checkout-api' }, { app: 'cart', namespace: 'shop', deployment: 'cart' }])), ...(await w.testEcs.readApps([{ app: 'payments', service: 'payments' }]))]);
    await j.writeSnapshot({ version: 1, runId: 'crashed-run', specName: spec.metadata.name, spec, startedAt: new Date().toISOString(), takenAt: new Date().toISOString(), testEnvironment: 'test', test: snapTest });
    // … and the writes that landed before the crash, each journaled first (one finished, one mid-rollout, ECS on a new revision whose ARN never reached the journal)
    const checkout = { replicas: 6, images: { api: 'reg/checkout:2.0' }, hpa: { minReplicas: 6, maxReplicas: 20 } };
    const cart = { resources: { cart: { requests: { cpu: '2' }, limits: {} } } };
    const payments = { images: { payments: 'reg/payments:7.3' }, desiredCount: 8 };
    await j.append({ type: 'write-intent', app: 'checkout', purpose: 'deploy', substrate: 'kubernetes', desired: checkout });
    await w.testK8s.apply({ app: 'checkout', namespace: 'shop', deployment: 'checkout-api' }, checkout);
    await j.append({ type: 'write-done', app: 'checkout', purpose: 'deploy' });
    await j.append({ type: 'write-intent', app: 'cart', purpose: 'deploy', substrate: 'kubernetes', desired: cart });
    await w.testK8s.apply({ app: 'cart', namespace: 'shop', deployment: 'cart' }, cart);
    await j.append({ type: 'write-intent', app: 'payments', purpose: 'deploy', substrate: 'ecs', desired: payments });
    await w.testEcs.apply({ app: 'payments', service: 'payments' }, payments);
    expect(testState(w)).not.toEqual(before);
    expect((await listPendingRecoveries(dataDir)).map((p) => p.runId)).toEqual(['crashed-run']);

    // the dead run's users are still running
    await w.locust.swarm(120, 10);
    const hooks: string[] = [];
    const fetch = async (url: string | URL | Request, init?: RequestInit) => (hooks.push(`${init?.method} ${String(url)}`), new Response(null, { status: 204 }));
    const deps = { substrates: w.substrates, clock, logger: silentLogger, dataDir, locust: w.locust, kpi: w.kpi, fetch };
    const r = await restoreDeadRun('crashed-run', deps);
    expect(r.restoreComplete).toBe(true);
    // Locust stopped first, then the restore
    expect(w.locust.running).toBe(false);
    expect(w.locust.calls.at(-1)).toMatchObject({ op: 'stop' });
    // the cleanup hooks ran
    expect(hooks).toEqual(['DELETE http://orders.test.internal/test-orders']);
    // the recovered run is in the history, as aborted, with why
    const report = await new RunHistory(dataDir).get('crashed-run');
    expect(report.verdict).toMatchObject({ status: 'aborted', restoreComplete: true });
    expect(report.verdict.reasons.join(' ')).toMatch(/recovered/);
    expect(r.message).toMatch(/back to its state before the run/);
    expect(testState(w)).toEqual(before);
    expect(w.writes.filter((x) => x.side === 'production')).toEqual([]);
    expect(await listPendingRecoveries(dataDir)).toEqual([]);
    expect((await readJournal(dataDir, 'crashed-run')).at(-1)).toMatchObject({ type: 'recovered', restoreComplete: true });

    // a second recovery finds nothing to write
    const writes = w.writes.length;
    expect((await restoreDeadRun('crashed-run', deps)).restoreComplete).toBe(true);
    expect(w.writes.length).toBe(writes);
  });

  it('a run without a snapshot cannot be recovered (NOT_FOUND)', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    await expect(restoreDeadRun('nothing-here', { substrates: w.substrates, clock, logger: silentLogger, dataDir, locust: w.locust, kpi: w.kpi })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
