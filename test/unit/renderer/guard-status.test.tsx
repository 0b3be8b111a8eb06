// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { GuardStatus } from '../../../renderer/src/features/run/GuardStatus.tsx';
import { setChartScheduler, useChartStore } from '../../../renderer/src/stores/chart.ts';
import type { GuardEvent, GuardLimits, Sample } from '../../../shared/model/run.ts';
import { standInStatus } from '../main/stand-in-service.ts';

const LIMITS: GuardLimits = { maxErrorRate: 0.02, maxP99Ms: 1500, stallSamples: 3, gracePeriodMs: 60_000, productionDrift: 'flag' };
const sample = (t: number, over: Partial<Sample> = {}): Sample => ({ t, phase: 'ramp', targetOpm: 1200, setpointOpm: 600, actualOpm: 580, users: 40, spawnRate: 2, errorRate: 0.004, p99Ms: 310, ...over });

/** the guard table's rows as { guard: [now, limit, state] } */
function table(): Record<string, string[]> {
  const rows = within(screen.getByRole('table', { name: 'Guards' })).getAllByRole('row').slice(1);
  return Object.fromEntries(rows.map((r) => [within(r).getByRole('rowheader').textContent, within(r).getAllByRole('cell').map((c) => c.textContent)]));
}

beforeEach(() => {
  setChartScheduler((cb) => cb());
  useChartStore.getState().reset();
});
afterEach(() => {
  cleanup();
  setChartScheduler(null);
});

describe('guard status', () => {
  it('lists every configured guard against its limit before the first sample', () => {
    render(<GuardStatus status={standInStatus({ guardLimits: LIMITS })} />);
    expect(table()).toEqual({
      'Error rate': ['—', '≤ 2.00 %', 'ok'],
      'p99 latency': ['—', '≤ 1,500 ms', 'ok'],
      'Stall (no orders)': ['—', '< 3 in a row', 'ok'],
      'Production drift': ['no production deploy seen', 'flag and continue', 'ok'],
    });
    expect(screen.getByText(/after 60 s of grace/)).toBeTruthy();
    expect(screen.queryByText('No guard readings yet.')).toBeNull();
  });

  it('shows the live values from the latest sample and updates with each one', () => {
    render(<GuardStatus status={standInStatus({ guardLimits: { ...LIMITS, maxP99Ms: null, gracePeriodMs: 0, productionDrift: 'abort' } })} />);
    act(() => useChartStore.getState().push(sample(15_000)));
    expect(table()['Error rate']).toEqual(['0.40 %', '≤ 2.00 %', 'ok']);
    expect(table()['p99 latency']).toBeUndefined();
    expect(table()['Production drift']).toEqual(['no production deploy seen', 'abort the run', 'ok']);
    act(() => {
      useChartStore.getState().push(sample(30_000, { actualOpm: 0, errorRate: 0.013 }));
      useChartStore.getState().push(sample(45_000, { actualOpm: 0 }));
    });
    expect(table()['Stall (no orders)']![0]).toBe('2 samples at 0 OPM');
    expect(screen.getByText(/A breach aborts the run at once/)).toBeTruthy();
  });

  it('shows a breaching guard with the grace left, a breached one, and production drift flagged', () => {
    const guards: GuardEvent[] = [
      { guard: 'maxP99Ms', state: 'breaching', value: 1800, limit: 1500, message: 'p99 1800 ms above 1500 ms (grace period 60s)', t: 30_000 },
      { guard: 'maxErrorRate', state: 'breached', value: 0.05, limit: 0.02, message: 'error rate 5.00% above 2.00% for 60s', t: 45_000 },
      { guard: 'productionDrift', state: 'breaching', value: 'shop/checkout:2.5', limit: 'shop/checkout:2.4', message: 'production drift: checkout changed mid-run', t: 40_000 },
    ];
    render(<GuardStatus status={standInStatus({ guardLimits: LIMITS, guards, flags: ['production drift: checkout changed mid-run'] })} />);
    act(() => useChartStore.getState().push(sample(50_000, { p99Ms: 1800, errorRate: 0.05 })));
    const t = table();
    expect(t['p99 latency']).toEqual(['1,800 ms', '≤ 1,500 ms', 'breaching · 40 s of grace left']);
    expect(t['Error rate']![2]).toBe('breached');
    expect(t['Production drift']).toEqual(['production changed mid-run', 'flag and continue', 'flagged']);
    expect(screen.getByText('error rate 5.00% above 2.00% for 60s')).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Flags' })).getByText(/checkout changed mid-run/)).toBeTruthy();
  });

  it('falls back to the guard events for a status without limits (older reports)', () => {
    render(<GuardStatus status={standInStatus()} />);
    expect(screen.getByText('No guard readings yet.')).toBeTruthy();
  });
});
