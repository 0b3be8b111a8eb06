import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../electron/core/clock.ts';
import { runLoadTest, type RunResult } from '../../../electron/core/conductor.ts';
import { silentLogger } from '../../../electron/core/logger.ts';
import { reportJunit, reportMarkdown } from '../../../electron/core/report.ts';
import { makeSpec, makeWorld } from './lifecycle-fakes.ts';

let dataDir: string;
let failed: RunResult;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-report-'));
  const clock = new ScaledClock(5000);
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
