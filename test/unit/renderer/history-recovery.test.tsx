// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { HistoryView } from '../../../renderer/src/features/history/HistoryView.tsx';
import { RecoveryBanner } from '../../../renderer/src/features/recovery/RecoveryBanner.tsx';
import { useHistoryStore } from '../../../renderer/src/stores/history.ts';
import { useRecoveryStore } from '../../../renderer/src/stores/recovery.ts';
import { setApi } from '../../../renderer/src/api/index.ts';
import type { RunReport, RunSummary } from '../../../shared/model/run.ts';
import { useRouteStore } from '../../../renderer/src/stores/route.ts';
import { fakeApi } from './fake-api.ts';
import { standInStatus, STAND_IN_PARITY } from '../main/stand-in-service.ts';

const summary = (runId: string, verdict: RunSummary['verdict'], plateauOpm: number): RunSummary => ({
  runId,
  specName: 'sandbox-rehearsal',
  startedAt: '2026-11-23T04:00:00.000Z',
  endedAt: '2026-11-23T04:20:00.000Z',
  verdict,
  plateauOpm,
  targetOpm: 1200,
  plateauP99Ms: 180,
  errorRate: 0.001,
  regression: [],
});

beforeEach(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
  useHistoryStore.setState({ runs: [], selected: null, compareIds: [], comparison: null, error: null });
  window.history.replaceState(null, '', '#/history');
  useRouteStore.setState({ route: { tab: 'history', runId: null, compare: [] } });
  useRecoveryStore.setState({ pending: [], busy: null, message: null });
});
afterEach(cleanup);

describe('history', () => {
  const report = (r: RunSummary): RunReport => ({
    runId: r.runId,
    specName: 'sandbox-rehearsal',
    spec: {},
    startedAt: r.startedAt,
    endedAt: r.endedAt!,
    status: standInStatus({
      runId: r.runId,
      state: r.verdict ?? 'error',
      overrides: r.overrides ?? [],
      phases: [{ phase: 'ramp', startedAt: 30_000, endedAt: 90_000, state: 'done' }],
      samples: [{ t: 60_000, phase: 'ramp', targetOpm: 1200, setpointOpm: 600, actualOpm: 590, users: 50, spawnRate: 1, errorRate: 0, p99Ms: 120 }],
    }),
    parityBefore: STAND_IN_PARITY,
    parityAfter: null,
    verdict: { status: r.verdict ?? 'error', reasons: [], plateauOpm: r.plateauOpm, targetOpm: 1200, plateauP99Ms: 180, errorRate: 0.001, knee: null, restoreComplete: true },
  });

  it('lists runs with id, duration, trigger, distinct verdict badges, overrides and a filled regression column', async () => {
    const runs = [
      { ...summary('run-c', 'aborted', 0), plateauOpm: null, startedAt: '2026-11-23T06:00:00.000Z', endedAt: '2026-11-23T06:02:00.000Z', trigger: { source: 'manual', summary: 'conductor run on the command line' } },
      { ...summary('run-b', 'failed', 950), regression: ['plateau OPM -20.2% vs run run-a (1190 → 950)'], baselineRunId: 'run-a', trigger: { source: 'github', summary: 'GitHub push to acme/checkout main by alice' }, skipped: ['ledger'] },
      { ...summary('run-a', 'passed', 1190), baselineRunId: null, overrides: [{ app: 'checkout', container: 'checkout-api', image: 'registry.example/checkout-api:feature-x', productionImage: 'registry.example/checkout-api:2.14.1', via: 'repository' as const }] },
    ];
    setApi(fakeApi({ 'history:list': () => runs }).api);
    await act(() => useHistoryStore.getState().load());
    render(<HistoryView />);
    const table = screen.getByRole('table', { name: 'Past runs' });
    const row = (id: string) => within(table).getByRole('link', { name: `Open report of run ${id}` }).closest('tr')!;
    expect(row('run-c').textContent).toMatch(/^run-csandbox-rehearsal.*2 minconductor run on the command lineaborted.*not compared \(aborted\)$/);
    expect(row('run-b').textContent).toMatch(/20 minGitHub push to acme\/checkout main by alicefailed1 skipped: ledgerproduction950 \/ 1,200.*plateau OPM -20\.2% vs run run-a/);
    expect(row('run-a').textContent).toMatch(/passedoverride checkout: feature-x1,190 \/ 1,200.*none: no earlier run to compare$/);
    const cls = (verdict: string) => within(table).getByText(verdict, { exact: true }).className;
    expect(new Set([cls('passed'), cls('failed'), cls('aborted')]).size).toBe(3);
  });

  it('opens a report at its own address (#/runs/ID) and compares 2–5 runs at #/compare/…, the oldest the baseline', async () => {
    const a = summary('run-a', 'passed', 1190);
    const b = { ...summary('run-b', 'failed', 950), startedAt: '2026-11-23T05:00:00.000Z', endedAt: '2026-11-23T05:20:00.000Z' };
    const c = { ...summary('run-c', 'passed', 1180), startedAt: '2026-11-23T06:00:00.000Z', endedAt: '2026-11-23T06:20:00.000Z' };
    const all = [c, b, a];
    const fake = fakeApi({
      'history:list': () => all,
      'history:get': ({ runId }) => report(all.find((r) => r.runId === runId)!),
      'history:compare': ({ a: x, b: y }) => ({
        a: all.find((r) => r.runId === x)!,
        b: all.find((r) => r.runId === y)!,
        deltas: { plateauOpmPct: y === 'run-b' ? -20.2 : -0.8, plateauP99MsPct: 0, errorRateDelta: 0 },
        regressions: y === 'run-b' ? ['plateau OPM -20.2% vs run run-a (1190 → 950)'] : [],
      }),
    });
    setApi(fake.api);
    await act(() => useHistoryStore.getState().load());
    render(<HistoryView />);
    await act(async () => fireEvent.click(screen.getByRole('link', { name: 'Open report of run run-a' })));
    expect(window.location.hash).toBe('#/runs/run-a');
    expect(screen.getByRole('heading', { name: 'Report run-a (sandbox-rehearsal)' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Verdict: passed' })).toBeTruthy();
    expect(screen.getByRole('figure', { name: 'Charts of run run-a' }).textContent).toContain('1 sample');
    expect(screen.getByRole('button', { name: 'Download HTML report' })).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Parity before the run' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Close report' }));
    expect(window.location.hash).toBe('#/history');

    const compare = screen.getByRole('button', { name: 'Compare selected (0)' }) as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    for (const id of ['run-c', 'run-b', 'run-a']) fireEvent.click(screen.getByRole('checkbox', { name: `Select run ${id} for comparison` }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Compare selected (3)' })));
    expect(window.location.hash).toBe('#/compare/run-c,run-b,run-a');
    expect(fake.calls.filter((x) => x.channel === 'history:compare').map((x) => x.request)).toEqual([
      { a: 'run-a', b: 'run-b' },
      { a: 'run-a', b: 'run-c' },
    ]);
    const cmp = screen.getByRole('table', { name: 'Run comparison' });
    const row = (name: string) => within(cmp).getByRole('rowheader', { name }).parentElement!.textContent;
    expect(within(cmp).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Measure', ' run-a passed', ' run-b failed', ' run-c passed']);
    expect(row('Plateau OPM / target')).toBe('Plateau OPM / target1,190 / 1,200950 / 1,2001,180 / 1,200');
    expect(row('OPM vs baseline')).toBe('OPM vs baselinebaseline-20.2 %-0.8 %');
    expect(screen.getByRole('list', { name: 'Regressions' }).textContent).toBe('run-b: plateau OPM -20.2% vs run run-a (1190 → 950)');
  });
});

describe('recovery banner', () => {
  it('appears when a run did not finish and restores on request', async () => {
    let pending = [{ runId: 'run-x', specName: 'cyber-week', startedAt: '2026-11-23T03:00:00.000Z', lastPhase: 'ramp', testEnvironment: 'loadtest-eu' }];
    const fake = fakeApi({
      'recovery:list': () => pending,
      'recovery:restore': () => {
        pending = [];
        return { restored: true, message: 'loadtest-eu restored to its snapshot' };
      },
    });
    setApi(fake.api);
    const { container } = render(<RecoveryBanner />);
    expect(container.textContent).toBe('');
    await act(() => useRecoveryStore.getState().load());
    expect(screen.getByRole('alert').textContent).toMatch(/Run run-x of cyber-week .* did not finish/);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Restore loadtest-eu' })));
    expect(fake.calls.filter((c) => c.channel === 'recovery:restore')).toEqual([{ channel: 'recovery:restore', request: { runId: 'run-x' } }]);
    expect(screen.getByRole('alert').textContent).toBe('loadtest-eu restored to its snapshot Dismiss');
    expect(screen.getByRole('alert').className).toBe('banner good');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
