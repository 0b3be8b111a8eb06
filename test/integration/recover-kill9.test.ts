import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPendingRecoveries } from '../../electron/core/run/journal.ts';
import { conductor, differingFromSnapshot, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * kill -9 of a `conductor run` subprocess at a given moment, then `conductor recover`: it takes
 * the dead run's lock, stops Locust, puts the test environment back to the snapshot, runs the
 * cleanup hooks and records the run; production untouched.
 */

let dir: string;
let standalone: Standalone;
let hooks: Server;
const hookCalls: string[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-kill9-'));
  standalone = await startStandalone(dir, { timeScale: 50 });
  // the spec's cleanup hook: a loopback endpoint that deletes the test orders
  hookCalls.length = 0;
  hooks = createServer((req, res) => {
    hookCalls.push(`${req.method} ${req.url}`);
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const port = (hooks.address() as { port: number }).port;
  const spec = await readFile(standalone.specPath, 'utf8');
  await writeFile(standalone.specPath, `${spec.trimEnd()}\n  cleanup:\n    - http: { method: DELETE, url: "http://127.0.0.1:${port}/test-orders" }\n`);
});
afterEach(async () => {
  await standalone.sandbox.close();
  await new Promise<void>((r) => hooks.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const lease = () => standalone.sandbox.kubernetes.test.store.get('leases', 'default', 'conductor-lock') as { spec: { holderIdentity?: string | null }; metadata: { annotations?: Record<string, string> } } | undefined;

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

      // the dead run still holds the test environment's lock; its users may still be running
      expect(lease()?.metadata.annotations?.['conductor.io/run-id']).toBe(runId);
      if (m.changed) {
        // the master goes on spawning the dead run's users
        for (let i = 0; i < 100 && standalone.sandbox.locust.state().users === 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(standalone.sandbox.locust.state().users).toBeGreaterThan(0);
      }
      // a new run is refused while the dead run's lease has not expired (exit 2, naming it and `conductor recover`)
      const blocked = conductor(['run', standalone.specPath, '--time-scale', '50', '--data-dir', data], standalone.env);
      expect((await blocked.exit).code, blocked.out() + blocked.err()).toBe(2);
      expect(blocked.err()).toMatch(new RegExp(`in use by run ${runId} \\(\\S+@\\S+, since [^;]+; Lease default/conductor-lock in context sandbox-test\\).*conductor recover ${runId}`));

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
      // each step said: Locust stopped, restored, cleaned up, recorded
      expect(rec.out()).toMatch(new RegExp(`recovering run ${runId}: stopping Locust[\\s\\S]*restoring the test environment[\\s\\S]*running the cleanup hooks[\\s\\S]*is back to its state before the run; recorded in the history`));
      expect(standalone.sandbox.locust.state().users).toBe(0);
      expect(hookCalls).toEqual(['DELETE /test-orders']);
      expect(lease()?.spec.holderIdentity ?? null).toBeNull();
      const shown = conductor(['history', 'show', runId, '--data-dir', data], standalone.env);
      expect((await shown.exit).code).toBe(0);
      expect(shown.out()).toMatch(/aborted/i);
      expect(await differingFromSnapshot(standalone, data, runId)).toEqual([]);
      expect(await listPendingRecoveries(data)).toEqual([]);
      expect(standalone.sandbox.productionMutatingRequests()).toBe(0);

      // recovering again is harmless and writes nothing
      const before = standalone.sandbox.requestSummary().kubernetesTest.mutating;
      const again = conductor(['recover', runId, '--data-dir', data], standalone.env);
      expect((await again.exit).code).toBe(0);
      expect(again.out()).toMatch(/needs no restore: it was already recovered\. Nothing written\./);
      expect(standalone.sandbox.requestSummary().kubernetesTest.mutating).toBe(before);
    }, 240_000);
  }

  it('recover with an unknown run id exits 2', async () => {
    const rec = conductor(['recover', 'no-such-run', '--data-dir', join(dir, 'data')], standalone.env);
    expect((await rec.exit).code).toBe(2);
    expect(rec.err()).toMatch(/no run no-such-run/);
  });
});
