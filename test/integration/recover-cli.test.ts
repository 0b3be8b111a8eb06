import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPendingRecoveries } from '../../electron/core/run/journal.ts';
import { conductor, differingFromSnapshot, startStandalone, testAppWrites, type Standalone } from './recover-standalone-kit.ts';

/**
 * `conductor recover` in the situations an SRE meets besides the plain crash: nothing pending; a
 * run that is still running (recovering it would make two writers on one test environment); a run
 * that already ended restored (recovering it again must not roll back later changes); --all.
 */

let dir: string;
let standalone: Standalone;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-recover-cli-'));
  standalone = await startStandalone(dir, { timeScale: 100, plateau: '2h' });
});
afterEach(async () => {
  await standalone.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

describe('conductor recover', () => {
  it('with nothing pending: lists nothing, and --all restores nothing; exit 0', async () => {
    const data = join(dir, 'data');
    const [list, all] = [conductor(['recover', '--data-dir', data], standalone.env), conductor(['recover', '--all', '--data-dir', data], standalone.env)];
    expect((await list.exit).code).toBe(0);
    expect(list.out()).toBe(`no unfinished runs in ${data}\n`);
    expect((await all.exit).code).toBe(0);
    expect(all.out()).toBe(`no unfinished runs in ${data}\n`);
    const both = conductor(['recover', 'x', '--all', '--data-dir', data], standalone.env);
    expect((await both.exit).code).toBe(2);
    expect(both.err()).toMatch(/either a RUN_ID or --all/);
  });

  it('refuses a run that is still running, then (after Ctrl-C restored it) writes nothing without --force', async () => {
    const data = join(dir, 'data');
    const run = conductor(['run', standalone.specPath, '--time-scale', '100', '--data-dir', data], standalone.env);
    const runId = (await run.waitFor(/^run \S+:/)).split(' ')[1]!.replace(/:$/, '');
    await run.waitFor(/^ {2}ramp t\+/, 120_000);

    // the live run is not listed as pending, and recovering it by id is refused (exit 2, no write)
    const mutatingBefore = testAppWrites(standalone.sandbox);
    const list = conductor(['recover', '--data-dir', data], standalone.env);
    expect((await list.exit).code).toBe(0);
    expect(list.out()).not.toContain(runId);
    const live = conductor(['recover', runId, '--data-dir', data], standalone.env);
    expect((await live.exit).code).toBe(2);
    expect(live.err()).toMatch(new RegExp(`run ${runId} is still running \\(process \\d+ on this host\\); stop it with Ctrl-C or SIGTERM`));
    expect(testAppWrites(standalone.sandbox)).toBe(mutatingBefore);

    run.proc.kill('SIGINT');
    expect((await run.exit).code).toBe(3);
    expect(await differingFromSnapshot(standalone, data, runId)).toEqual([]);
    expect(await listPendingRecoveries(data)).toEqual([]);

    // the run ended restored: recovering it is a no-op that says so
    const afterRun = testAppWrites(standalone.sandbox);
    const again = conductor(['recover', runId, '--data-dir', data], standalone.env);
    expect((await again.exit).code).toBe(0);
    expect(again.out()).toMatch(/needs no restore: it ended \(aborted\) with the test environment restored\. Nothing written\./);
    expect(testAppWrites(standalone.sandbox)).toBe(afterRun);

    // --force restores the snapshot anyway (here: already equal, so it writes nothing either)
    const forced = conductor(['recover', runId, '--force', '--data-dir', data], standalone.env);
    expect((await forced.exit).code, forced.out() + forced.err()).toBe(0);
    expect(forced.out()).toMatch(/is back to its state before the run \(it was not pending\)/);
  }, 240_000);
});
