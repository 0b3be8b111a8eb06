import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunHistory } from '../../../electron/core/records/history.ts';
import { closeStores, openStore, SCHEMA_VERSION } from '../../../electron/core/records/store.ts';
import type { RunSummary } from '../../../shared/model/run.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-store-'));
});
afterEach(async () => {
  closeStores();
  await rm(dir, { recursive: true, force: true });
});

const summary = (runId: string, startedAt: string, over: Partial<RunSummary> = {}): RunSummary => ({ runId, specName: 'peak', startedAt, endedAt: startedAt, verdict: 'passed', plateauOpm: 100, targetOpm: 100, plateauP99Ms: 10, errorRate: 0, regression: [], ...over });

describe('the run store', () => {
  it('is migrated to the current schema, owner-only (0600, WAL files too)', async () => {
    const db = openStore(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.prepare("INSERT INTO schedule_marks VALUES ('x', 'y')").run();
    for (const f of ['conductor.db', 'conductor.db-wal', 'conductor.db-shm']) expect((await stat(join(dir, f))).mode & 0o777, f).toBe(0o600);
  });

  it('imports history written before it (summary.json, or report.json alone) once, then lists and filters from the index', async () => {
    await mkdir(join(dir, 'runs', 'r1'), { recursive: true });
    await writeFile(join(dir, 'runs', 'r1', 'summary.json'), JSON.stringify(summary('r1', '2026-01-01T00:00:00Z')));
    await mkdir(join(dir, 'runs', 'r2'), { recursive: true });
    const verdict = { status: 'failed', reasons: [], plateauOpm: 80, targetOpm: 100, plateauP99Ms: 12, errorRate: 0, knee: null, restoreComplete: true };
    await writeFile(join(dir, 'runs', 'r2', 'report.json'), JSON.stringify({ runId: 'r2', specName: 'peak', startedAt: '2026-01-02T00:00:00Z', endedAt: '2026-01-02T00:10:00Z', verdict, regressions: ['x'] }));
    await mkdir(join(dir, 'runs', 'in-progress'), { recursive: true }); // a journal only: not history
    const h = new RunHistory(dir);
    expect((await h.list()).map((s) => s.runId)).toEqual(['r2', 'r1']);
    expect(await h.summary('r2')).toMatchObject({ verdict: 'failed', plateauOpm: 80, regression: ['x'] });
    expect((await h.list(undefined, { verdict: 'passed' })).map((s) => s.runId)).toEqual(['r1']);
    expect((await h.list('peak', { since: '2026-01-02T00:00:00Z' })).map((s) => s.runId)).toEqual(['r2']);
    expect((await h.list(undefined, { limit: 1 })).map((s) => s.runId)).toEqual(['r2']);
    expect(await h.deviation('r2')).toMatchObject({ a: { runId: 'r1' }, regressions: [expect.stringMatching(/plateau OPM -20\.0%/)] });
    expect(await h.has('in-progress')).toBe(false);
  });
});
