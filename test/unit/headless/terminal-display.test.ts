import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TerminalDisplay, formatEventLine, renderPanel } from '../../../electron/headless/terminal-display.ts';
import type { RunStatus } from '../../../shared/model/run.ts';

const status = (over: Partial<RunStatus> = {}): RunStatus => ({
  runId: 'r1',
  specName: 'peak',
  state: 'running',
  phase: 'ramp',
  startedAt: '2026-01-01T00:00:00Z',
  timeScale: 200,
  phases: [
    { phase: 'validate', startedAt: 0, endedAt: 1, state: 'done' },
    { phase: 'ramp', startedAt: 1, state: 'running' },
  ],
  apps: [
    { app: 'checkout', phase: 'deploy', state: 'ready', detail: 'api=reg/api:2' },
    { app: 'ledger', phase: 'snapshot', state: 'skipped', reason: 'missing in test' },
  ],
  samples: [{ t: 90_000, phase: 'ramp', targetOpm: 1200, setpointOpm: 600, actualOpm: 580.4, users: 120, spawnRate: 2, errorRate: 0.001, p99Ms: 321.7 }],
  guards: [],
  knee: null,
  abort: null,
  verdict: null,
  testEnvironment: 'the embedded sandbox',
  flags: ['ledger is missing in the test environment and was skipped'],
  ...over,
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

describe('terminal display', () => {
  it('the panel shows phase marks, OPM vs target, each app and flags', () => {
    const lines = renderPanel(status(), 120);
    expect(lines[0]).toBe('conductor ▸ peak  running · ramp t+1m30s  (run r1, ×200)');
    expect(lines[1]).toContain('✓ validate');
    expect(lines[1]).toContain('▶ ramp');
    expect(lines[1]).toContain('· plateau');
    expect(lines[2]).toBe('  OPM 580 / setpoint 600 / target 1200  users 120  spawn 2.0/s  errors 0.10%  p99 322 ms');
    expect(lines[3]).toMatch(/48% of target$/);
    expect(lines.some((l) => /checkout\s+deploy\s+ready\s+api=reg\/api:2/.test(l))).toBe(true);
    expect(lines.some((l) => /ledger\s+snapshot\s+skipped\s+missing in test/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('  ! ledger is missing in the test environment and was skipped');
    expect(renderPanel(status(), 30).every((l) => l.length <= 30)).toBe(true);
  });

  it('plain lines: meaningful events only', () => {
    expect(formatEventLine({ type: 'phase', runId: 'r1', phase: 'deploy', state: 'running', t: 0 }, null)).toBe('phase deploy');
    expect(formatEventLine({ type: 'app-progress', runId: 'r1', progress: { app: 'a', phase: 'deploy', state: 'rolling', detail: '1/3 updated' } }, null)).toBeNull();
    expect(formatEventLine({ type: 'app-progress', runId: 'r1', progress: { app: 'a', phase: 'deploy', state: 'failed', reason: 'timeout' } }, null)).toBe('  a: deploy failed — timeout');
    expect(formatEventLine({ type: 'abort', runId: 'r1', step: 'restoring', reason: 'Ctrl-C', t: 0 }, null)).toBe('abort (Ctrl-C): restoring');
    expect(formatEventLine({ type: 'log', runId: 'r1', level: 'info', message: 'x' }, null)).toBeNull();
    // a knee names why the load stops there, and whether the shop or a guard stops it
    expect(formatEventLine({ type: 'knee', runId: 'r1', knee: { users: 824, opm: 5020, p99Ms: 300, t: 1, reason: 'a cliff: errors 0.0 → 3.7 %' } }, null)).toBe('  knee found: 5020 OPM at 824 users (a cliff: errors 0.0 → 3.7 %)');
    expect(formatEventLine({ type: 'knee', runId: 'r1', knee: { users: 74, opm: 379, p99Ms: 118, t: 1, byGuard: true, reason: 'p99 would pass 120 ms (the guard is 150 ms) beyond ~74 users' } }, null)).toBe(
      '  load limited by the guards: 379 OPM at 74 users (p99 would pass 120 ms (the guard is 150 ms) beyond ~74 users)',
    );
  });

  it('what the run held off: each hold above the TTY panel as it is paused, resumed or left paused, and counted in the panel', () => {
    const argo = { app: 'checkout', manager: { kind: 'argocd' as const, application: 'checkout', via: 'tracking-id' as const }, what: 'Argo CD Application argocd/checkout: automated sync off' };
    const aas = { app: 'payment-processor', manager: { kind: 'ecs-autoscaling' as const, service: 'payment-processor' }, what: 'scalable target service/c/payment-processor (min 1, max 6, suspended: scale-in, scale-out, scheduled)' };
    const out = new Sink();
    const held = status({ gitops: [{ ...argo, state: 'resumed' }, { ...aas, state: 'resume-failed', reason: 'restoring the service failed' }] });
    const d = new TerminalDisplay({ out, tty: true, status: () => held, width: 200 });
    d.onEvent({ type: 'gitops', runId: 'r1', pause: { ...aas, state: 'paused' } });
    d.onEvent({ type: 'gitops', runId: 'r1', pause: { ...argo, state: 'resumed' } });
    d.onEvent({ type: 'gitops', runId: 'r1', pause: { ...aas, state: 'resume-failed', reason: 'restoring the service failed' } });
    d.finish();
    expect(out.text.split('\n')).toEqual(
      expect.arrayContaining([
        `  payment-processor: Application Auto Scaling paused — ${aas.what}`,
        `  checkout: GitOps resumed — ${argo.what}`,
        `  payment-processor: Application Auto Scaling left paused — ${aas.what}: restoring the service failed`,
        '  holds: 1 resumed, 1 left paused',
      ]),
    );
    expect(formatEventLine({ type: 'gitops', runId: 'r1', pause: { ...argo, state: 'left', reason: 'spec.gitops: ignore' } }, null)).toBe(`  checkout: GitOps left as it is — ${argo.what} (spec.gitops: ignore)`);
  });

  it('on a TTY it redraws in place at a bounded rate', async () => {
    const out = new Sink();
    const d = new TerminalDisplay({ out, tty: true, status: () => status(), minIntervalMs: 50, width: 120 });
    for (let i = 0; i < 100; i++) d.onEvent({ type: 'phase', runId: 'r1', phase: 'ramp', state: 'running', t: 0 });
    await new Promise((r) => setTimeout(r, 120));
    d.onEvent({ type: 'phase', runId: 'r1', phase: 'ramp', state: 'running', t: 0 });
    d.finish();
    const draws = out.text.split('conductor ▸').length - 1;
    expect(draws).toBeGreaterThanOrEqual(2);
    expect(draws).toBeLessThanOrEqual(3);
    const n = renderPanel(status(), 120).length;
    expect(out.text).toContain(`\x1b[${n}F\x1b[J`);
  });

  it('a panel taller than the terminal is bounded: apps summarised by state, the ones needing attention listed', () => {
    const apps: RunStatus['apps'] = Array.from({ length: 200 }, (_, i) => ({ app: `app-${i}`, phase: 'deploy', state: 'ready', detail: 'ok' }));
    apps[150] = { app: 'app-150', phase: 'deploy', state: 'failed', reason: 'rollout timed out' };
    apps[7] = { app: 'app-7', phase: 'deploy', state: 'rolling', detail: '1/3 updated' };
    const lines = renderPanel(status({ apps }), 120, 11);
    expect(lines).toHaveLength(11);
    expect(lines[4]).toBe('  200 apps: 198 ready, 1 rolling, 1 failed (showing 5, failed and rolling first)');
    expect(lines[7]).toMatch(/app-0\s+deploy\s+ready/);
    expect(lines[5]).toMatch(/app-150\s+deploy\s+failed\s+rollout timed out/);
    expect(lines[6]).toMatch(/app-7\s+deploy\s+rolling/);
    expect(lines.at(-1)).toBe('  ! ledger is missing in the test environment and was skipped');
    // a panel that fits is unchanged
    expect(renderPanel(status(), 120, 40)).toEqual(renderPanel(status(), 120));
    // never more lines than asked, even on a tiny screen
    expect(renderPanel(status({ apps }), 120, 3)).toHaveLength(3);
  });

  it('the TTY panel uses the terminal height, so redraws stay in place', async () => {
    const out = Object.assign(new Sink(), { columns: 100, rows: 12 });
    const apps: RunStatus['apps'] = Array.from({ length: 50 }, (_, i) => ({ app: `app-${i}`, phase: 'scale', state: 'ready' }));
    const d = new TerminalDisplay({ out, tty: true, status: () => status({ apps }), minIntervalMs: 10 });
    d.onEvent({ type: 'phase', runId: 'r1', phase: 'ramp', state: 'running', t: 0 });
    await new Promise((r) => setTimeout(r, 30));
    d.onEvent({ type: 'phase', runId: 'r1', phase: 'ramp', state: 'running', t: 0 });
    d.finish();
    expect(out.text).toContain('  50 apps: 50 ready (showing 5, failed and rolling first)');
    expect(out.text).toContain('\x1b[11F\x1b[J');
    const frames = out.text.split('\x1b[11F\x1b[J');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const f of frames) expect(f.trimEnd().split('\n').length).toBeLessThanOrEqual(11);
  });
});
