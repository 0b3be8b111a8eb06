import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../support/clocks.ts';
import { runLoadTest, type RunResult } from '../../../electron/core/run/conductor.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import { reportJunit, reportMarkdown } from '../../../electron/core/records/report.ts';
import { makeSpec, makeWorld } from './lifecycle-fakes.ts';
import { validateSpecText } from '../../../shared/spec/validate.ts';

let dataDir: string;
let failed: RunResult;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-report-'));
  const clock = new VirtualClock();
  const w = makeWorld(clock);
  w.kpi.p99Ms = () => (w.locust.users > 50 ? 4000 : 200);
  failed = await runLoadTest(makeSpec((s) => void (s.metadata.name = 'a-b')), { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger: silentLogger, dataDir });
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('reports', () => {
  it('the JSON report holds the spec, parity before/after, app timelines, samples and the verdict', () => {
    const r = failed.report;
    expect(r.verdict.status).toBe('failed');
    expect((r.spec as { metadata: { name: string } }).metadata.name).toBe('a-b');
    // the resolved spec, with durations as a person writes them: it validates and can be run again
    expect((r.spec as { spec: { load: { rampUp: unknown } } }).spec.load.rampUp).toEqual(expect.stringMatching(/^\d+[smh]/));
    const again = validateSpecText(JSON.stringify(r.spec), 'report.json');
    expect(again.ok ? [] : again.issues).toEqual([]);
    expect(r.parityBefore?.rows.length).toBeGreaterThan(0);
    expect(r.parityAfter?.rows.length).toBeGreaterThan(0);
    expect(r.timeline!.filter((e) => e.app === 'checkout').map((e) => `${e.phase}:${e.state}`)).toContain('restore:ready');
    expect(r.status.samples.length).toBeGreaterThan(0);
  });

  it('JUnit XML: one failing case for the breached guard, the others pass; counts agree', () => {
    const xml = reportJunit(failed.report);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toMatch(/<testcase name="guard maxP99Ms" classname="conductor\.a-b\.guards" time="0\.000">\s*<failure message="p99 4000 ms above 2000 ms">/);
    expect(xml).toMatch(/<testcase name="guard maxErrorRate"[^>]*\/>/);
    const cases = xml.match(/<testcase /g)!.length;
    const failures = xml.match(/<failure /g)!.length;
    expect(xml).toMatch(new RegExp(`<testsuite name="a-b" tests="${cases}" failures="${failures}"`));
    // the plateau was never reached; 'phase ramp' failed (the abort)
    expect(xml).toMatch(/<testcase name="phase ramp"[^>]*>\s*<failure/);
  });

  it('escapes what XML cannot hold', () => {
    const r = structuredClone(failed.report);
    r.verdict.reasons = ['a <b> & "c"\u0001'];
    r.verdict.status = 'error';
    expect(reportJunit(r)).toContain('a &lt;b&gt; &amp; &quot;c&quot;</failure>');
  });

  it('Markdown: the verdict, its reasons, the figures, phases and apps', () => {
    const md = reportMarkdown(failed.report);
    expect(md).toMatch(/^# ❌ a-b: failed/);
    expect(md).toMatch(/- guard breached: p99 4000 ms above 2000 ms/);
    expect(md).toMatch(/\| target \| 600 OPM \|/);
    expect(md).toMatch(/\| restore \| complete \|/);
    expect(md).toMatch(/\| checkout \| restore \| ready \|/);
  });
});

describe('reports of a run at a time scale', () => {
  it('JUnit case times are real seconds, so they add up within the suite time; the time scale is a property', () => {
    const r = structuredClone(failed.report);
    r.status.timeScale = 200;
    r.status.phases = [{ phase: 'ramp', state: 'done', startedAt: 0, endedAt: 600_000 }];
    r.startedAt = '2026-01-01T00:00:00.000Z';
    r.endedAt = '2026-01-01T00:00:04.000Z';
    const xml = reportJunit(r);
    expect(xml).toMatch(/<testcase name="phase ramp" classname="conductor\.a-b\.phases" time="3\.000"\/>/);
    expect(xml).toMatch(/<testsuite name="a-b" [^>]*time="4\.000"/);
    expect(xml).toContain('<property name="timeScale" value="200"/>');
  });

  it('Markdown says durations are simulated, shows parity before and after, and lists a regression once', () => {
    const r = structuredClone(failed.report);
    r.status.timeScale = 200;
    r.regressions = ['plateau OPM -10.0% vs run x (1000 → 900)'];
    r.status.flags = [...r.status.flags, 'regression: plateau OPM -10.0% vs run x (1000 → 900)'];
    const md = reportMarkdown(r);
    expect(md).toContain('Durations in simulated time (time scale ×200).');
    expect(md).toMatch(/\| parity before \| \d+ in parity, \d+ drift/);
    expect(md).toMatch(/\| parity after restore \| \d+ in parity/);
    expect(md.match(/regression: plateau OPM -10\.0%/g)).toHaveLength(1);
  });
});
