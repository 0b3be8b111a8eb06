import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPendingRecoveries } from '../../electron/core/run/journal.ts';
import { conductor, differingFromSnapshot, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * kill -9 of a `conductor run` subprocess at a given moment, then `conductor recover`: the test
 * environment is back to the snapshot, production untouched.
 */

let dir: string;
let standalone: Standalone;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-kill9-'));
  standalone = await startStandalone(dir, { timeScale: 50 });
});
afterEach(async () => {
  await standalone.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

const moments: { name: string; line: RegExp; changed: boolean }[] = [
  // the 'applying' line is printed once the write intent is journaled; the write itself may or may not have landed
  { name: 'mid-deploy (first write journaled, rollouts in progress)', line: /^ {2}\S+: deploy rolling \(applying\)/, changed: false },
  { name: 'during the ramp', line: /^ {2}ramp t\+/, changed: true },
];

describe('kill -9 then conductor recover', () => {
  for (const m of moments) {
    it(`${m.name}: recover restores the test environment exactly`, async () => {
      const data = join(dir, 'data');
      const run = conductor(['run', standalone.specPath, '--time-scale', '50', '--data-dir', data], standalone.env);
      const first = await run.waitFor(/^run \S+:/);
      const runId = first.split(' ')[1]!.replace(/:$/, '');
      await run.waitFor(m.line, 120_000);
      run.proc.kill('SIGKILL');
      expect((await run.exit).signal).toBe('SIGKILL');

      // the crashed run is pending (and, once deploy finished, the test environment is changed)
      const pending = await listPendingRecoveries(data);
      expect(pending.map((p) => p.runId)).toEqual([runId]);
      if (m.changed) expect((await differingFromSnapshot(standalone, data, runId)).length).toBeGreaterThan(0);

      const list = conductor(['recover', '--data-dir', data], standalone.env);
      expect((await list.exit).code).toBe(0);
      expect(list.out()).toContain(runId);

      const rec = conductor(['recover', runId, '--data-dir', data], standalone.env);
      const { code } = await rec.exit;
      expect(code, rec.out() + rec.err()).toBe(0);
      expect(rec.out()).toMatch(/is back to its state before the run/);
      expect(await differingFromSnapshot(standalone, data, runId)).toEqual([]);
      expect(await listPendingRecoveries(data)).toEqual([]);
      expect(standalone.sandbox.productionMutatingRequests()).toBe(0);

      // recovering again is harmless and writes nothing
      const before = standalone.sandbox.requestSummary().kubernetesTest.mutating;
      const again = conductor(['recover', runId, '--data-dir', data], standalone.env);
      expect((await again.exit).code).toBe(0);
      expect(again.out()).toMatch(/needs no restore: it was already recovered\. Nothing written\./);
      expect(standalone.sandbox.requestSummary().kubernetesTest.mutating).toBe(before);
    });
  }

  it('recover with an unknown run id exits 2', async () => {
    const rec = conductor(['recover', 'no-such-run', '--data-dir', join(dir, 'data')], standalone.env);
    expect((await rec.exit).code).toBe(2);
    expect(rec.err()).toMatch(/no run no-such-run/);
  });
});
