/**
 * The run store with 10,000 runs (goal: listing and filtering ≤ 200 ms), and the queue's latency:
 * from a change event accepted to its run queued, and from one run's end to the next queued run
 * starting (the queue's own work, launchRun's environment opening left out: a stand-in slot).
 *   npm run bench -- run-store
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../electron/base/logger.ts';
import { RunHistory } from '../../electron/core/records/history.ts';
import { closeStores, openStore, upsertStatement } from '../../electron/core/records/store.ts';
import { adaptEvent } from '../../electron/core/service/events/adapters.ts';
import { selectSpecs } from '../../electron/core/service/events/select.ts';
import { RunQueue } from '../../electron/core/service/run-queue.ts';
import type { RunSlots } from '../../electron/core/service/run-slots.ts';
import { loadSpecText } from '../../electron/core/service/spec-loader.ts';
import type { RunSummary } from '../../shared/model/run.ts';
import { readFileSync } from 'node:fs';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown> | unknown, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
};

const dir = await mkdtemp(join(tmpdir(), 'conductor-bench-store-'));
try {
  const db = openStore(dir);
  const put = upsertStatement(db);
  const specs = Array.from({ length: 20 }, (_, i) => `spec-${i}`);
  const verdicts = ['passed', 'failed', 'aborted', 'error'] as const;
  db.transaction(() => {
    for (let i = 0; i < 10_000; i++) {
      const startedAt = new Date(Date.UTC(2026, 0, 1) + i * 600_000).toISOString();
      const s: RunSummary = { runId: `run-${i}`, specName: specs[i % specs.length]!, startedAt, endedAt: startedAt, verdict: verdicts[i % 4]!, plateauOpm: 1000 + (i % 50), targetOpm: 1000, plateauP99Ms: 200, errorRate: 0.01, regression: i % 17 === 0 ? ['plateau OPM -6.0% vs run x'] : [] };
      put(s);
    }
  })();
  const h = new RunHistory(dir);
  const all = await time(() => h.list(), 15);
  const bySpec = await time(() => h.list('spec-7'), 15);
  const byVerdict = await time(() => h.list(undefined, { verdict: 'failed', since: '2026-01-20T00:00:00Z' }), 15);
  const page = await time(() => h.list(undefined, { limit: 50 }), 15);
  console.log(`history of 10,000 runs (goal ≤ 200 ms):`);
  console.log(`  list all (10,000 summaries)       median ${median(all).toFixed(1)} ms`);
  console.log(`  filter by spec (500)              median ${median(bySpec).toFixed(1)} ms`);
  console.log(`  filter by verdict and since       median ${median(byVerdict).toFixed(1)} ms`);
  console.log(`  newest 50                         median ${median(page).toFixed(2)} ms`);

  // the queue: an accepted event to a queued item, and the next start after a run's end
  const spec = loadSpecText(readFileSync('examples/sandbox.yaml', 'utf8'));
  let free: ((env: string) => void) | null = null;
  let started = 0;
  const slots = {
    busy: () => false,
    onFree: (l: (env: string) => void) => ((free = l), () => undefined),
    start: async () => {
      started += 1;
      return { runId: 'x', status: () => ({}), abort: () => true, done: new Promise(() => undefined), lock: '', testEnvironment: '' };
    },
  } as unknown as RunSlots;
  const queue = new RunQueue({ db, slots, dataDir: dir, specs: () => new Map([[spec.metadata.name, spec]]), logger: silentLogger, timeScaleFor: () => 1 });
  let n = 0;
  const enqueue = await time(() => {
    n += 1;
    const a = adaptEvent({ headers: {}, body: JSON.stringify({ service: 'checkout', version: `1.0.${n}` }) });
    if (a.kind !== 'change') throw new Error('no change');
    for (const s of selectSpecs([spec], a.change)) queue.enqueue({ spec: s.spec, changeKey: s.changeKey, reason: s.reason, trigger: { source: 'event', summary: a.change.summary }, overrides: s.overrides });
  }, 200);
  const next = await time(() => {
    const before = started;
    db.prepare("UPDATE queue SET state = 'done' WHERE state IN ('starting', 'running')").run();
    free!('sandbox (embedded)');
    if (started !== before + 1) throw new Error('the next item did not start');
  }, 150);
  console.log(`queue latency:`);
  console.log(`  event accepted → run queued       median ${median(enqueue).toFixed(2)} ms`);
  console.log(`  run ended → next queued run starts median ${median(next).toFixed(2)} ms (the queue's work; launchRun then opens the environment)`);
  queue.close();
} finally {
  closeStores();
  await rm(dir, { recursive: true, force: true });
}
