import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../../shared/report/html.ts';
import { reduceForWidth } from '../../../shared/report/svg-chart.ts';
import type { RunReport, Sample, Verdict } from '../../../shared/model/run.ts';
import { standInStatus, STAND_IN_PARITY } from '../main/stand-in-service.ts';

const sample = (i: number): Sample => ({ t: 120_000 + i * 15_000, phase: i < 40 ? 'ramp' : 'plateau', targetOpm: 1200, setpointOpm: Math.min(1200, i * 30), actualOpm: Math.min(1190, i * 29), users: i * 2, spawnRate: 2, errorRate: i > 50 ? 0.08 : 0.004, p99Ms: 180 + i, p50Ms: 40, p95Ms: 120,
  // the plateau's 20 intervals count 1,000 orders, 31 of them failed (all in the first)
  ...(i >= 40 ? { endpoints: [{ name: 'POST /orders', requests: 50, failures: i === 40 ? 31 : 0, rps: 50 / 15, p50Ms: 40, p95Ms: 120, p99Ms: 230 }] } : {}) });

function report(over: Partial<Verdict> = {}): RunReport {
  const verdict: Verdict = { status: 'failed', reasons: ['guard breached: error rate 8.00% above 5.00% for 30s'], plateauOpm: 1180, targetOpm: 1200, plateauP99Ms: 230, errorRate: 0.031, knee: null, restoreComplete: true, ...over };
  const status = standInStatus({
    specName: '<script>alert(1)</script>',
    state: verdict.status,
    phase: 'verdict',
    samples: Array.from({ length: 60 }, (_, i) => sample(i)),
    phases: [
      { phase: 'deploy', startedAt: 20_000, endedAt: 100_000, state: 'done' },
      { phase: 'ramp', startedAt: 120_000, endedAt: 720_000, state: 'done' },
      { phase: 'plateau', startedAt: 720_000, endedAt: 1_020_000, state: 'failed' },
    ],
    guards: [
      { guard: 'maxErrorRate', state: 'breaching', value: 0.08, limit: 0.05, message: 'error rate 8.00% above 5.00% (grace period 30s)', t: 885_000 },
      { guard: 'maxErrorRate', state: 'breached', value: 0.08, limit: 0.05, message: 'error rate 8.00% above 5.00% for 30s', t: 915_000 },
    ],
    guardLimits: { maxErrorRate: 0.05, maxP99Ms: 2000, stallSamples: 3, gracePeriodMs: 30_000, productionDrift: 'flag' },
    apps: [
      { app: 'checkout', phase: 'restore', state: 'ready' },
      { app: 'cart', phase: 'restore', state: 'ready' },
      { app: 'ledger', phase: 'snapshot', state: 'skipped', reason: 'missing in test' },
    ],
    flags: ['ledger is missing in the test environment and was skipped'],
    overrides: [{ app: 'checkout', container: 'checkout-api', image: 'registry.example/checkout-api:feature-x', productionImage: 'registry.example/checkout-api:2.14.1', via: 'repository' as const }],
    load: { targetOpm: 1200, rampUpMs: 600_000, plateauMs: 600_000, controlIntervalMs: 15_000 },
    verdict,
  });
  return { runId: 'run-1', specName: status.specName, spec: {}, startedAt: '2026-11-23T04:00:00.000Z', endedAt: '2026-11-23T04:00:12.000Z', status, parityBefore: STAND_IN_PARITY, parityAfter: STAND_IN_PARITY, verdict };
}

describe('HTML report', () => {
  it('is one self-contained file: no script, nothing fetched, every text escaped', () => {
    const html = renderReportHtml(report());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|href)=/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain("default-src 'none'");
  });

  it('shows the verdict with its caveat, the override, the breach marked on both charts, the guard as breached, restored apps and the endpoints', () => {
    const html = renderReportHtml(report());
    expect(html).toContain('<span class="badge bad">failed</span> <span class="caveat">with 1 app skipped</span>');
    expect(html).toContain('checkout (checkout-api): registry.example/checkout-api:feature-x');
    expect(html).toContain('checkout-api: <code>registry.example/checkout-api:feature-x</code> <span class="badge override">override</span>');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/error rate breached<\/text>/g)).toHaveLength(2);
    expect(html).toContain('15:15 — guard breached: error rate 8.00% above 5.00% for 30s');
    expect(html).toMatch(/<th scope="row">Error rate<\/th><td>≤ 5.00 %<\/td><td><span class="badge bad">breached<\/span>/);
    expect(html).toContain('<th scope="row">Error rate (plateau mean)</th><td>3.10 %</td>');
    expect(html).toMatch(/<th scope="row">cart<\/th>.*?<span class="badge good">restored<\/span>/);
    expect(html).toContain('<th scope="row">POST /orders</th><td>1,000</td><td>31</td><td>3.10 %</td>');
    expect(html).toContain('Restore check: the test environment is back to its state before the run.');
  });

  it('keeps a 24-hour run small: each series reduced to the extremes per pixel column', () => {
    const points = Array.from({ length: 17_280 }, (_, i) => ({ x: i, y: i % 97 === 0 ? 1000 : 10 }));
    const reduced = reduceForWidth(points, 440);
    expect(reduced.length).toBeLessThanOrEqual(880);
    expect(reduced.filter((p) => p.y === 1000).length).toBeGreaterThan(150);
  });
});
