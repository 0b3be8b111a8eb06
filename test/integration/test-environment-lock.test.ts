import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../electron/core/run/journal.ts';
import { conductor, differingFromSnapshot, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * One run per test environment, as two release managers meet it: a second `conductor run` on the
 * same test cluster is refused naming the run that holds it; with --wait it waits and runs after.
 * The lock is a coordination.k8s.io/v1 Lease in the test cluster, so it holds across machines (here:
 * two data directories, as two laptops would have).
 */

let dir: string;
let s: Standalone;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-lock-'));
  // a long plateau: the first run holds the environment until it is stopped
  s = await startStandalone(dir, { timeScale: 100, plateau: '2h' });
}, 60_000);
afterAll(async () => {
  await s.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

const lease = () => s.sandbox.kubernetes.test.store.get('leases', 'default', 'conductor-lock') as { spec: { holderIdentity?: string | null; leaseDurationSeconds?: number } } | undefined;
const runIdOf = (line: string) => line.split(' ')[1]!.replace(/:$/, '');

describe('the test environment lock', () => {
  it('refuses a second run with the holder; --wait runs it after the first ends', async () => {
    const first = conductor(['run', s.specPath, '--time-scale', '100', '--data-dir', join(dir, 'laptop-a')], s.env);
    const firstId = runIdOf(await first.waitFor(/^run \S+:/));
    expect(await first.waitFor(/^run \S+:/)).toMatch(/lock: Lease default\/conductor-lock in context sandbox-test/);
    expect(lease()?.spec.holderIdentity).toMatch(new RegExp(`@.+/${firstId}$`));
    await first.waitFor(/^phase deploy$/, 120_000);

    // another release manager, another machine (data directory): refused, exit 2, nothing of theirs started
    const second = conductor(['run', s.specPath, '--time-scale', '100', '--data-dir', join(dir, 'laptop-b')], s.env);
    const { code } = await second.exit;
    expect(code, second.out() + second.err()).toBe(2);
    expect(second.err()).toMatch(new RegExp(`^error: the test environment is in use by run ${firstId} \\(\\S+@\\S+, since \\d{4}-\\d\\d-\\d\\dT[^;]+; Lease default/conductor-lock in context sandbox-test\\); wait for it to finish \\(--wait waits\\)`, 'm'));
    expect(await readdir(join(dir, 'laptop-b', 'runs')).catch(() => [])).toEqual([]);

    // with --wait it waits for the holder …
    const third = conductor(['run', s.specPath, '--time-scale', '100', '--data-dir', join(dir, 'laptop-c'), '--wait'], s.env);
    for (let i = 0; i < 300 && !/waiting: the test environment is in use by run/.test(third.err()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(third.err()).toContain(`waiting: the test environment is in use by run ${firstId}`);
    expect(third.out()).not.toMatch(/^run \S+:/m);

    // … and starts once the first has restored the test environment and released it
    await first.waitFor(/^ {2}ramp t\+/, 120_000);
    first.proc.kill('SIGINT');
    expect((await first.exit).code).toBe(3);
    const thirdId = runIdOf(await third.waitFor(/^run \S+:/, 120_000));
    expect(thirdId).not.toBe(firstId);
    const firstEnded = (await readJournal(join(dir, 'laptop-a'), firstId)).find((e) => e.type === 'run-ended')!;
    const thirdStarted = (await readJournal(join(dir, 'laptop-c'), thirdId)).find((e) => e.type === 'run-started')!;
    expect(firstEnded).toMatchObject({ restoreComplete: true });
    expect(thirdStarted.t >= firstEnded.t).toBe(true);
    expect(await differingFromSnapshot(s, join(dir, 'laptop-a'), firstId)).toEqual([]);

    await third.waitFor(/^phase deploy$/, 120_000);
    third.proc.kill('SIGINT');
    expect((await third.exit).code).toBe(3);
    // released at the end: the next run finds it free
    expect(lease()?.spec.holderIdentity ?? null).toBeNull();
    expect(s.sandbox.productionMutatingRequests()).toBe(0);
  }, 300_000);

  it('a Ctrl-C while waiting cancels the wait: nothing started, nothing written', async () => {
    const holder = conductor(['run', s.specPath, '--time-scale', '100', '--data-dir', join(dir, 'holder')], s.env);
    await holder.waitFor(/^phase deploy$/, 120_000);
    const waiter = conductor(['run', s.specPath, '--time-scale', '100', '--data-dir', join(dir, 'waiter'), '--wait'], s.env);
    for (let i = 0; i < 300 && !/waiting:/.test(waiter.err()); i++) await new Promise((r) => setTimeout(r, 100));
    waiter.proc.kill('SIGINT');
    const { code } = await waiter.exit;
    expect(code).toBe(3);
    expect(waiter.err()).toMatch(/interrupted \(Ctrl-C\) while waiting for the test environment; nothing was written/);
    expect(await readdir(join(dir, 'waiter', 'runs')).catch(() => [])).toEqual([]);
    holder.proc.kill('SIGINT');
    expect((await holder.exit).code).toBe(3);
  }, 300_000);
});
