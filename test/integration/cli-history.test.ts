import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunHistory } from '../../electron/core/records/history.ts';
import type { RunComparisonDto } from '../../shared/contract/index.ts';
import type { RunReport, RunSummary } from '../../shared/model/run.ts';
import { conductor } from './recover-standalone-kit.ts';

/**
 * `conductor history` as a release manager uses it after a few runs: list them, filter by spec,
 * show one, compare two, and see a regression against the previous run of the same spec flagged —
 * real `conductor run` subprocesses on the embedded sandbox, then `conductor history` subprocesses.
 */

let dir: string;
let data: string;
const runIds: string[] = [];

async function run(specPath: string): Promise<string> {
  const c = conductor(['run', specPath, '--time-scale', '300', '--data-dir', data], process.env);
  const first = await c.waitFor(/^run \S+:/);
  const { code } = await c.exit;
  expect([0, 1], c.out() + c.err()).toContain(code);
  return first.split(' ')[1]!.replace(/:$/, '');
}

async function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const c = conductor([...args, '--data-dir', data], process.env);
  const { code } = await c.exit;
  return { code, out: c.out(), err: c.err() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-cli-history-'));
  data = join(dir, 'data');
  const text = (await readFile('examples/sandbox.yaml', 'utf8')).replace('rampUp: 10m', 'rampUp: 4m').replace('plateau: 10m', 'plateau: 2m');
  const spec = join(dir, 'short.yaml');
  await writeFile(spec, text);
  const other = join(dir, 'other.yaml');
  await writeFile(other, text.replace('name: sandbox-rehearsal', 'name: other-rehearsal'));
  runIds.push(await run(spec));
  runIds.push(await run(spec));
  runIds.push(await run(other));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('conductor history', () => {
  it('lists every run newest first, with verdict, plateau OPM vs target, p99 and errors', async () => {
    const r = await cli(['history']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+SPEC\s+VERDICT\s+PLATEAU OPM \/ TARGET\s+P99 MS\s+ERRORS/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([...runIds].reverse());
    expect(lines[1]).toMatch(/other-rehearsal\s+(passed|failed)\s+\d+ \/ 1200\s+\d+\s+\d+\.\d\d%/);
  });

  it('filters by spec and limits; -o json is machine-readable', async () => {
    const r = await cli(['history', '--spec', 'sandbox-rehearsal', '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    const runs = JSON.parse(r.out) as RunSummary[];
    expect(runs.map((s) => s.runId)).toEqual([runIds[1], runIds[0]]);
    expect(runs[0]).toMatchObject({ specName: 'sandbox-rehearsal', targetOpm: 1200 });
    expect(typeof runs[0]!.plateauOpm).toBe('number');
    const limited = await cli(['history', 'list', '--limit', '1']);
    expect(limited.out.trim().split('\n')).toHaveLength(2);
    const none = await cli(['history', '--spec', 'nope']);
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/no runs of spec nope in the history at /);
  });

  it('shows one run as Markdown or as the full JSON report', async () => {
    const md = await cli(['history', 'show', runIds[0]!]);
    expect(md.code, md.err).toBe(0);
    expect(md.out).toMatch(/^# (✅|❌) sandbox-rehearsal: (passed|failed)/);
    const json = await cli(['history', 'show', runIds[0]!, '-o', 'json']);
    const report = JSON.parse(json.out) as RunReport;
    expect(report.runId).toBe(runIds[0]);
    expect(report.status.samples.length).toBeGreaterThan(5);
    expect(report.parityBefore?.rows.length).toBeGreaterThan(0);
  });

  it('compares two runs (OPM reached, p99 on the plateau, errors); exit 0 without a regression, 1 with one', async () => {
    const r = await cli(['history', 'compare', runIds[0]!, runIds[1]!, '-o', 'json']);
    const cmp = JSON.parse(r.out) as RunComparisonDto;
    expect(cmp.a.runId).toBe(runIds[0]);
    expect(cmp.b.runId).toBe(runIds[1]);
    expect(cmp.deltas.plateauOpmPct).toEqual(expect.any(Number));
    expect(cmp.deltas.plateauP99MsPct).toEqual(expect.any(Number));
    expect(cmp.deltas.errorRateDelta).toEqual(expect.any(Number));
    expect(r.code).toBe(cmp.regressions.length ? 1 : 0);

    const table = await cli(['history', 'compare', runIds[0]!, runIds[1]!]);
    expect(table.out).toMatch(/^\s+A \(baseline\)\s+B\s+B vs A/);
    expect(table.out).toMatch(/plateau OPM\s+\d+\s+\d+\s+[+-]\d+\.\d %/);
    expect(table.out).toMatch(/plateau p99 ms/);
    expect(table.out).toMatch(/error rate\s+\d+\.\d\d%/);
  });

  it('a run that regressed against the previous run of the same spec is flagged in the list and by compare', async () => {
    // a later run of the same spec whose shop got slower and lost orders (stored as the conductor stores it)
    const history = new RunHistory(data);
    const base = await history.get(runIds[1]!);
    const later = new Date(Date.parse(base.startedAt) + 60_000).toISOString();
    const regressedId = `${runIds[1]}-regressed`;
    const regressed: RunReport = {
      ...base,
      runId: regressedId,
      startedAt: later,
      endedAt: later,
      verdict: { ...base.verdict, status: 'failed', plateauOpm: base.verdict.plateauOpm! * 0.8, plateauP99Ms: base.verdict.plateauP99Ms! * 2 },
    };
    await history.save(regressed);

    const list = await cli(['history', '--spec', 'sandbox-rehearsal']);
    const line = list.out.split('\n').find((l) => l.startsWith(regressedId))!;
    expect(line).toMatch(new RegExp(`REGRESSION: plateau OPM -20\\.0% vs run ${runIds[1]}.*plateau p99 \\+100\\.0%`));

    // one argument: against the previous run of its spec
    const cmp = await cli(['history', 'compare', regressedId]);
    expect(cmp.code).toBe(1);
    expect(cmp.out).toContain(`A (baseline)`);
    expect(cmp.out).toContain(runIds[1]!);
    expect(cmp.out).toMatch(/REGRESSION of B against A:\n {2}- plateau OPM -20\.0%/);
  });

  it('unknown runs and bad usage exit 2 with one line, no stack', async () => {
    const [unknown, first, show, limit, format] = await Promise.all([
      cli(['history', 'compare', 'no-such-run', runIds[0]!]),
      cli(['history', 'compare', runIds[2]!]),
      cli(['history', 'show', 'nope']),
      cli(['history', '--limit', '0']),
      cli(['history', '-o', 'yaml']),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^error: no run no-such-run in the history at .*; `conductor history` lists the stored runs\n$/);
    expect(first.code).toBe(2);
    expect(first.err).toMatch(/no earlier run of spec other-rehearsal/);
    expect(show.code).toBe(2);
    expect(limit.code).toBe(2);
    expect(limit.err).toMatch(/--limit: expected a whole number ≥ 1, found "0"/);
    expect(format.code).toBe(2);
    expect(format.err).not.toMatch(/\n\s+at /);
  });
});
