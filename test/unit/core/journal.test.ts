import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunJournal, listPendingRecoveries, readJournal, readSnapshot, type Snapshot } from '../../../electron/core/run/journal.ts';
import { runDir } from '../../../electron/core/records/run-files.ts';
import { writeFileAtomic } from '../../../electron/base/fs-atomic.ts';
import { makeSpec } from './lifecycle-fakes.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-journal-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const snapshot = (runId: string): Snapshot => ({
  version: 1,
  runId,
  specName: 'unit-rehearsal',
  spec: makeSpec(),
  startedAt: '2026-01-01T00:00:00.000Z',
  takenAt: '2026-01-01T00:00:01.000Z',
  testEnvironment: 'kubernetes context test-ctx',
  test: { cart: null },
});

async function startedRun(runId: string, pid = 999_999_999): Promise<RunJournal> {
  const j = new RunJournal(dataDir, runId);
  await j.append({ type: 'run-started', runId, specName: 'unit-rehearsal', pid, host: (await import('node:os')).hostname(), testEnvironment: 't', startedAt: '2026-01-01T00:00:00.000Z' });
  return j;
}

describe('atomic files', () => {
  it('replaces a file whole and leaves no temp file behind', async () => {
    const p = join(dataDir, 'a', 'f.json');
    await writeFileAtomic(p, '{"v":1}');
    await writeFileAtomic(p, '{"v":2}');
    expect(await readFile(p, 'utf8')).toBe('{"v":2}');
    expect(await readdir(join(dataDir, 'a'))).toEqual(['f.json']);
  });
});

describe('the run journal', () => {
  it('persists the snapshot and appends entries in order, one JSON line each', async () => {
    const j = await startedRun('r1');
    await j.writeSnapshot(snapshot('r1'));
    await Promise.all([
      j.append({ type: 'write-intent', app: 'a', purpose: 'deploy', substrate: 'kubernetes', desired: { replicas: 2 } }),
      j.append({ type: 'write-done', app: 'a', purpose: 'deploy' }),
    ]);
    const entries = await readJournal(dataDir, 'r1');
    expect(entries.map((e) => e.type)).toEqual(['run-started', 'snapshot-written', 'write-intent', 'write-done']);
    expect((await readSnapshot(dataDir, 'r1'))?.spec.metadata.name).toBe('unit-rehearsal');
    expect(j.writeIntents).toBe(1);
  });

  it('ignores a torn last line (a crash mid-append)', async () => {
    const j = await startedRun('r2');
    await j.append({ type: 'note', message: 'hello' });
    await appendFile(join(runDir(dataDir, 'r2'), 'journal.jsonl'), '{"t":"2026","type":"wri');
    expect((await readJournal(dataDir, 'r2')).map((e) => e.type)).toEqual(['run-started', 'note']);
  });

  it('refuses run ids that could escape the data directory', () => {
    expect(() => runDir(dataDir, '../etc')).toThrow(/invalid run id/);
    expect(() => runDir(dataDir, 'a/b')).toThrow(/invalid run id/);
  });
});

describe('pending recoveries', () => {
  it('lists a run that wrote and did not end; not one that ended restored, nor one that never wrote', async () => {
    const crashed = await startedRun('crashed');
    await crashed.writeSnapshot(snapshot('crashed'));
    await crashed.append({ type: 'phase', phase: 'deploy', state: 'running' });
    await crashed.append({ type: 'write-intent', app: 'cart', purpose: 'deploy', substrate: 'kubernetes', desired: { replicas: 3 } });

    const clean = await startedRun('clean');
    await clean.writeSnapshot(snapshot('clean'));
    await clean.append({ type: 'write-intent', app: 'cart', purpose: 'deploy', substrate: 'kubernetes', desired: { replicas: 3 } });
    await clean.append({ type: 'run-ended', state: 'passed', restoreComplete: true });

    const noWrites = await startedRun('no-writes');
    await noWrites.writeSnapshot(snapshot('no-writes'));

    const incomplete = await startedRun('incomplete');
    await incomplete.writeSnapshot(snapshot('incomplete'));
    await incomplete.append({ type: 'write-intent', app: 'cart', purpose: 'deploy', substrate: 'kubernetes', desired: { replicas: 3 } });
    await incomplete.append({ type: 'run-ended', state: 'failed', restoreComplete: false });

    const pending = await listPendingRecoveries(dataDir);
    expect(pending.map((p) => p.runId).sort()).toEqual(['crashed', 'incomplete']);
    expect(pending.find((p) => p.runId === 'crashed')).toMatchObject({ specName: 'unit-rehearsal', lastPhase: 'deploy', testEnvironment: 'kubernetes context test-ctx' });

    // once recovered, it is no longer pending
    await crashed.append({ type: 'recovered', restoreComplete: true, message: 'ok' });
    expect((await listPendingRecoveries(dataDir)).map((p) => p.runId)).toEqual(['incomplete']);
  });

  it('leaves out a run whose process is still alive, and excluded ids', async () => {
    const live = await startedRun('live', process.pid);
    await live.writeSnapshot(snapshot('live'));
    await live.append({ type: 'write-intent', app: 'cart', purpose: 'deploy', substrate: 'kubernetes', desired: { replicas: 3 } });
    expect(await listPendingRecoveries(dataDir, { isAlive: () => true })).toEqual([]);
    expect(await listPendingRecoveries(dataDir, { isAlive: () => false, exclude: ['live'] })).toEqual([]);
    expect((await listPendingRecoveries(dataDir, { isAlive: () => false })).map((p) => p.runId)).toEqual(['live']);
  });

  it('an empty or missing data dir has nothing pending; junk entries are ignored', async () => {
    expect(await listPendingRecoveries(join(dataDir, 'nope'))).toEqual([]);
    await writeFile(join(dataDir, 'runs-not-a-dir'), 'x');
    expect(await listPendingRecoveries(dataDir)).toEqual([]);
  });
});
