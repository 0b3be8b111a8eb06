import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../support/clocks.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import { acquireTestLock, LockHeldError, type LockOwner } from '../../../electron/core/service/env-lock.ts';
import { FakeK8s } from './lifecycle-fakes.ts';

/**
 * The test environment's lock on its own: a Lease (its holder, expiry and take-over, renewal,
 * release, a lock lost to another conductor) and the per-machine lock file of an ECS-only test side.
 */

let dir: string;
let k8s: FakeK8s;
let now: number;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-lock-unit-'));
  k8s = new FakeK8s('test', new VirtualClock(), []);
  now = Date.parse('2026-11-30T12:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const owner = (runId: string, user = 'alice'): LockOwner => ({ runId, specName: 'cyber-week', user, host: 'laptop-a', pid: 4242 });
const target = () => ({ kind: 'lease' as const, writer: k8s, namespace: 'default', name: 'conductor-lock' });
const opts = (extra: object = {}) => ({ logger: silentLogger, now: () => now, renewEveryMs: 60_000, pollMs: 5, ...extra });

describe('the Lease lock', () => {
  it('is taken, names its holder, refuses a second run, and is free again after release', async () => {
    const held = await acquireTestLock(target(), owner('run-1'), opts());
    expect(held.where).toBe('Lease default/conductor-lock in context test-ctx');
    const l = await k8s.readLease('default', 'conductor-lock');
    expect(l).toMatchObject({ holderIdentity: 'alice@laptop-a/run-1', leaseDurationSeconds: 60, annotations: { 'conductor.io/run-id': 'run-1', 'conductor.io/owner': 'alice@laptop-a', 'conductor.io/spec': 'cyber-week' } });

    const refused = acquireTestLock(target(), owner('run-2', 'bob'), opts());
    await expect(refused).rejects.toThrow(LockHeldError);
    await expect(refused).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringMatching(/in use by run run-1 \(alice@laptop-a, since 2026-11-30T12:00:00\.000Z; Lease default\/conductor-lock/) });

    await held.release();
    expect((await k8s.readLease('default', 'conductor-lock'))?.holderIdentity).toBeNull();
    const next = await acquireTestLock(target(), owner('run-2', 'bob'), opts());
    expect((await k8s.readLease('default', 'conductor-lock'))?.holderIdentity).toBe('bob@laptop-a/run-2');
    await next.release();
  });

  it('waits for the holder when asked, telling who it waits for, and can be cancelled', async () => {
    const held = await acquireTestLock(target(), owner('run-1'), opts());
    const waitingFor: string[] = [];
    const waiter = acquireTestLock(target(), owner('run-2', 'bob'), opts({ wait: true, onWaiting: (h: { runId: string }) => waitingFor.push(h.runId) }));
    await new Promise((r) => setTimeout(r, 30));
    expect(waitingFor).toEqual(['run-1']);
    await held.release();
    const got = await waiter;
    expect((await k8s.readLease('default', 'conductor-lock'))?.holderIdentity).toBe('bob@laptop-a/run-2');
    await got.release();

    const again = await acquireTestLock(target(), owner('run-3'), opts());
    const cancel = new AbortController();
    const cancelled = acquireTestLock(target(), owner('run-4'), opts({ wait: true, signal: cancel.signal }));
    cancel.abort('interrupted (Ctrl-C)');
    await expect(cancelled).rejects.toBe('interrupted (Ctrl-C)');
    await again.release();
  });

  it('takes over a lease its holder stopped renewing (a conductor killed with -9), and only then', async () => {
    await acquireTestLock(target(), owner('dead-run'), opts()); // never released, never renewed
    now += 59_000;
    await expect(acquireTestLock(target(), owner('run-2'), opts())).rejects.toThrow(LockHeldError);
    now += 2_000; // 61 s after the last renewal
    const taken = await acquireTestLock(target(), owner('run-2'), opts());
    expect((await k8s.readLease('default', 'conductor-lock'))?.holderIdentity).toBe('alice@laptop-a/run-2');
    await taken.release();
  });

  it('takes over a live-looking lease only when the caller says so (recover of that very run)', async () => {
    await acquireTestLock(target(), owner('dead-run'), opts());
    const taken = await acquireTestLock(target(), owner('dead-run'), opts({ takeOver: (h: { runId: string; host: string | null }) => h.runId === 'dead-run' && h.host === 'laptop-a' }));
    expect((await k8s.readLease('default', 'conductor-lock'))?.annotations['conductor.io/run-id']).toBe('dead-run');
    await taken.release();
  });

  it('renews while held, and a lock taken over by another conductor is reported lost', async () => {
    const held = await acquireTestLock(target(), owner('run-1'), opts({ renewEveryMs: 1_000 }));
    const first = (await k8s.readLease('default', 'conductor-lock'))!;
    now += 30_000;
    await new Promise((r) => setTimeout(r, 1_300));
    const renewed = (await k8s.readLease('default', 'conductor-lock'))!;
    expect(Date.parse(renewed.renewTime!)).toBeGreaterThan(Date.parse(first.renewTime!));
    expect(held.lost.aborted).toBe(false);

    // someone takes it (as an expired lease would be taken)
    await k8s.writeLease('default', 'conductor-lock', { holderIdentity: 'bob@laptop-b/run-9', leaseDurationSeconds: 60, acquireTime: null, renewTime: new Date(now).toISOString(), annotations: { 'conductor.io/run-id': 'run-9', 'conductor.io/owner': 'bob@laptop-b' } }, renewed.resourceVersion);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(held.lost.aborted).toBe(true);
    expect(String((held.lost.reason as Error).message)).toMatch(/lost the test environment lock \(Lease default\/conductor-lock in context test-ctx\) by run-9 \(bob@laptop-b\)/);
    // releasing a lost lock leaves the new holder alone
    await held.release();
    expect((await k8s.readLease('default', 'conductor-lock'))?.holderIdentity).toBe('bob@laptop-b/run-9');
  }, 20_000);
});

describe('the per-machine lock file (an ECS-only test side)', () => {
  const file = () => ({ kind: 'file' as const, dir, key: 'arn:aws:ecs:eu-central-1:123456789012:cluster/payments-loadtest@aws', describe: 'ECS cluster payments-loadtest' });
  const here = (runId: string, pid: number): LockOwner => ({ runId, specName: 'payments', user: 'alice', host: hostname(), pid });

  it('is exclusive on this machine, says it is per machine, and is taken over from a process that is gone', async () => {
    const held = await acquireTestLock(file(), here('run-1', process.pid), opts());
    expect(held.where).toMatch(/^lock file .*\/locks\/[0-9a-f]{32}\.lock for ECS cluster payments-loadtest \(per machine: runs started on other machines are not excluded\)$/);
    await expect(acquireTestLock(file(), here('run-2', process.pid), opts())).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringMatching(/in use by run run-1/) });
    await held.release();
    expect(await readdir(join(dir, 'locks'))).toEqual([]);

    // a holder whose process is gone (pid 2^22+: no such process) is taken over
    await acquireTestLock(file(), here('dead-run', 4_194_999), opts());
    const taken = await acquireTestLock(file(), here('run-3', process.pid), opts());
    await taken.release();
    expect(await readdir(join(dir, 'locks'))).toEqual([]);
  });
});
