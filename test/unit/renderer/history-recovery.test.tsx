// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { HistoryView } from '../../../renderer/src/features/history/HistoryView.tsx';
import { RecoveryBanner } from '../../../renderer/src/features/recovery/RecoveryBanner.tsx';
import { useHistoryStore } from '../../../renderer/src/stores/history.ts';
import { useRecoveryStore } from '../../../renderer/src/stores/recovery.ts';
import { setApi } from '../../../renderer/src/api/index.ts';
import type { RunSummary } from '../../../shared/model/run.ts';
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
  useRecoveryStore.setState({ pending: [], busy: null, message: null });
});
afterEach(cleanup);

describe('history', () => {
  it('lists runs with verdicts, opens a report with its chart, compares two', async () => {
    const a = summary('run-a', 'passed', 1190);
    const b = summary('run-b', 'failed', 950);
    const fake = fakeApi({
      'history:list': () => [b, a],
      'history:get': ({ runId }) => ({
        runId,
        specName: 'sandbox-rehearsal',
        spec: {},
        startedAt: a.startedAt,
        endedAt: a.endedAt!,
        status: standInStatus({ runId, state: 'passed', samples: [{ t: 60_000, phase: 'ramp', targetOpm: 1200, setpointOpm: 600, actualOpm: 590, users: 50, spawnRate: 1, errorRate: 0, p99Ms: 120 }] }),
        parityBefore: STAND_IN_PARITY,
        parityAfter: null,
        verdict: { status: 'passed', reasons: [], plateauOpm: 1190, targetOpm: 1200, plateauP99Ms: 180, errorRate: 0.001, knee: null, restoreComplete: true },
      }),
      'history:compare': () => ({ a: b, b: a, deltas: { plateauOpmPct: -20.2, plateauP99MsPct: 0, errorRateDelta: 0 }, regressions: ['plateau OPM fell 20.2 %'] }),
    });
    setApi(fake.api);
    await act(() => useHistoryStore.getState().load());
    render(<HistoryView />);
    const table = screen.getByRole('table', { name: 'Past runs' });
    expect(within(table).getByText('passed')).toBeTruthy();
    expect(within(table).getByText('failed')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Open report of run run-a' })));
    expect(screen.getByRole('heading', { name: 'Verdict: passed' })).toBeTruthy();
    expect(screen.getByRole('figure', { name: 'Chart of run run-a' }).textContent).toContain('1 sample');
    expect(screen.getByRole('table', { name: 'Drift before the run' })).toBeTruthy();
    const compare = screen.getByRole('button', { name: 'Compare selected' }) as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select run run-b for comparison' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select run run-a for comparison' }));
    await act(async () => fireEvent.click(compare));
    expect(fake.calls.find((c) => c.channel === 'history:compare')!.request).toEqual({ a: 'run-b', b: 'run-a' });
    expect(screen.getByText('plateau OPM fell 20.2 %')).toBeTruthy();
    const cmp = screen.getByRole('table', { name: 'Run comparison' });
    const row = (name: string) => within(cmp).getByRole('rowheader', { name }).parentElement!.textContent;
    expect(row('Verdict')).toBe('Verdictfailedpassed');
    expect(row('Plateau OPM / target')).toBe('Plateau OPM / target950 / 1,2001,190 / 1,200-20.2 %');
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
