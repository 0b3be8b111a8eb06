import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conductor, differingFromSnapshot, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/** `conductor run` as a user runs it: a real subprocess, real files, real signals. */

let dir: string;
let standalone: Standalone | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-cli-run-'));
});
afterEach(async () => {
  await standalone?.sandbox.close();
  standalone = null;
  await rm(dir, { recursive: true, force: true });
});

describe('conductor run', () => {
  it('runs examples/sandbox.yaml at time scale 200 to a passing verdict, writing the report and JUnit XML', async () => {
    const report = join(dir, 'r.json');
    const junit = join(dir, 'r.xml');
    const c = conductor(['run', 'examples/sandbox.yaml', '--time-scale', '200', '--report', report, '--junit', junit, '--summary', join(dir, 'r.md'), '--html', join(dir, 'r.html'), '--data-dir', join(dir, 'data')], process.env);
    const { code } = await c.exit;
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(await readFile(report, 'utf8'));
    expect(r.verdict.status).toBe('passed');
    expect(r.status.samples.length).toBeGreaterThan(40);
    expect(r.timeline.length).toBeGreaterThan(10);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="sandbox-rehearsal" tests="\d+" failures="0"/);
    expect(await readFile(join(dir, 'r.md'), 'utf8')).toMatch(/^# ✅ sandbox-rehearsal: passed/);
    // one self-contained HTML file: the verdict with its caveat, the charts, nothing to fetch
    const html = await readFile(join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toMatch(/sandbox-rehearsal: <span class="badge good">passed<\/span> <span class="caveat">with 1 app skipped<\/span>/);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|\b(?:src|href)=/);
    expect(c.out()).toMatch(/phase plateau/);
    expect(c.out()).toMatch(/sandbox-rehearsal: PASSED/);
    // the auto scaling the run suspended to hold production's count, then handed back
    const held = 'payment-processor: Application Auto Scaling %s — scalable target service/payments-loadtest/payment-processor (min 1, max 6, suspended: scale-in, scale-out, scheduled)';
    expect(c.out().split('\n')).toEqual(expect.arrayContaining([`  ${held.replace('%s', 'paused')}`, `  ${held.replace('%s', 'resumed')}`]));
    expect(await readFile(join(dir, 'r.md'), 'utf8')).toContain(`## Held during the run\n\nWhat would have reverted the run's writes, paused before them and resumed by restore.\n\n- ${held.replace('%s', 'resumed')}\n`);
    // stored in the history
    expect((await readdir(join(dir, 'data', 'runs'))).length).toBe(1);
  });

  it('Ctrl-C during the ramp against the standalone sandbox: exit 3, the test deployments exactly as before', async () => {
    standalone = await startStandalone(dir, { timeScale: 100 });
    const data = join(dir, 'data');
    const c = conductor(['run', standalone.specPath, '--time-scale', '100', '--data-dir', data], standalone.env);
    const first = await c.waitFor(/^run \S+:/);
    const runId = first.split(' ')[1]!.replace(/:$/, '');
    await c.waitFor(/^ {2}ramp t\+/, 120_000);
    c.proc.kill('SIGINT');
    await c.waitFor(/^abort .*: restoring/, 60_000).catch(() => undefined);
    c.proc.kill('SIGINT'); // a second Ctrl-C never interrupts the restore
    const { code } = await c.exit;
    expect(code, c.out() + c.err()).toBe(3);
    expect(c.err()).toMatch(/aborting: stopping the load and restoring the test environment/);
    expect(c.err()).toMatch(/restoring the test environment, please wait/);
    expect(c.out()).toMatch(/verdict: aborted — aborted: interrupted \(Ctrl-C\)/);
    expect(await differingFromSnapshot(standalone, data, runId)).toEqual([]);
    expect(standalone.sandbox.productionMutatingRequests()).toBe(0);
  });

  it('warns before the first write when a 15 s interval has no grace period, naming the fields to set', async () => {
    const spec = join(dir, 'no-grace.yaml');
    await writeFile(spec, (await readFile('examples/sandbox.yaml', 'utf8')).replace('gracePeriod: 30s', 'gracePeriod: 0s'), { mode: 0o600 });
    const c = conductor(['run', spec, '--time-scale', '100', '--data-dir', join(dir, 'data-warn')], process.env);
    const warning = await c.waitFor(/^warn: the error guard judges each 15 s reading alone/, 120_000);
    expect(warning).toMatch(/spec\.load\.controlInterval.*set spec\.guards\.gracePeriod to 30s or more/);
    // said in validate, before the snapshot and any write
    const snapshot = await c.waitFor(/^phase snapshot/, 120_000);
    expect(c.out().indexOf(warning)).toBeLessThan(c.out().indexOf(snapshot));
    c.proc.kill('SIGINT');
    expect((await c.exit).code, c.out() + c.err()).toBe(3);
  });

  it('a closed terminal (SIGHUP) during the ramp aborts and restores like Ctrl-C: exit 3, nothing left to recover', async () => {
    const data = join(dir, 'data-hup');
    const c = conductor(['run', 'examples/sandbox.yaml', '--time-scale', '100', '--data-dir', data], process.env);
    await c.waitFor(/^ {2}ramp t\+/, 120_000);
    c.proc.kill('SIGHUP');
    const { code } = await c.exit;
    expect(code, c.out() + c.err()).toBe(3);
    expect(c.out()).toMatch(/verdict: aborted — aborted: terminal closed \(SIGHUP\)/);
    const recover = conductor(['recover', '--data-dir', data], process.env);
    expect((await recover.exit).code).toBe(0);
    expect(recover.out()).toMatch(/no unfinished runs in/);
  });

  it('a bad spec exits 2 with the problem named, a bad --time-scale too', async () => {
    const c = conductor(['run', join(dir, 'missing.yaml')], process.env);
    expect((await c.exit).code).toBe(2);
    expect(c.err()).toMatch(/missing\.yaml.*no such file/);
    const d = conductor(['run', 'examples/sandbox.yaml', '--time-scale', 'fast'], process.env);
    expect((await d.exit).code).toBe(2);
    expect(d.err()).toMatch(/--time-scale: expected a number between 0.1 and 10000, found "fast"/);
  });
});
