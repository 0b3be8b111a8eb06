import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/base/logger.ts';
import { closeStores, openStore } from '../../../electron/core/records/store.ts';
import type { EnqueueRequest } from '../../../electron/core/service/run-queue.ts';
import { Scheduler } from '../../../electron/core/service/scheduler.ts';
import { loadSpecText } from '../../../electron/core/service/spec-loader.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-scheduler-'));
});
afterEach(async () => {
  closeStores();
  await rm(dir, { recursive: true, force: true });
});

const nightly = loadSpecText(readFileSync('examples/sandbox.yaml', 'utf8').replace('  sandbox:', '  schedule: { cron: "0 2 * * *", timeZone: Europe/Berlin }\n  sandbox:'));

function scheduler(now: Date, queued: EnqueueRequest[], timers: { fn: () => void; ms: number }[]) {
  return new Scheduler({
    db: openStore(dir),
    queue: { enqueue: (r) => (queued.push(r), { item: {} as never, queued: true }) },
    specs: () => [nightly],
    logger: silentLogger,
    now: () => now,
    setTimer: (fn, ms) => (timers.push({ fn, ms }), { cancel: () => undefined }),
  });
}

describe('schedules inside serve', () => {
  it('a new spec starts from now; the next slot is armed in its time zone', () => {
    const queued: EnqueueRequest[] = [];
    const timers: { fn: () => void; ms: number }[] = [];
    const s = scheduler(new Date('2026-03-10T12:00:00Z'), queued, timers);
    s.start();
    expect(queued).toEqual([]);
    // 02:00 in Berlin (CET, UTC+1) on the 11th is 01:00 UTC: 13 h away
    expect(timers[0]!.ms).toBe(13 * 3_600_000);
    expect(s.list()[0]).toMatchObject({ specName: 'sandbox-rehearsal', nextRun: '2026-03-11T01:00:00.000Z' });
    timers[0]!.fn();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ changeKey: 'schedule', trigger: { source: 'schedule' } });
  });

  it('a server down over three slots runs the spec once on start, not three times', () => {
    scheduler(new Date('2026-03-10T12:00:00Z'), [], []).start(); // marks 2026-03-10 01:00
    const queued: EnqueueRequest[] = [];
    scheduler(new Date('2026-03-13T12:00:00Z'), queued, []).start();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.reason).toMatch(/missed while the server was down \(last slot 2026-03-13T01:00:00.000Z\)/);
    // started again the same day: nothing missed
    const again: EnqueueRequest[] = [];
    scheduler(new Date('2026-03-13T13:00:00Z'), again, []).start();
    expect(again).toEqual([]);
  });
});
