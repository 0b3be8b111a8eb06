// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { App } from '../../../renderer/src/App.tsx';
import { setApi } from '../../../renderer/src/api/index.ts';
import { connectRunEvents } from '../../../renderer/src/stores/events.ts';
import { useRunStore } from '../../../renderer/src/stores/run.ts';
import { useSpecStore } from '../../../renderer/src/stores/spec.ts';
import { useParityStore } from '../../../renderer/src/stores/parity.ts';
import { setChartScheduler, useChartStore } from '../../../renderer/src/stores/chart.ts';
import type { RunEvent, Sample } from '../../../shared/model/run.ts';
import { fakeApi } from './fake-api.ts';
import { standInStatus, STAND_IN_PARITY } from '../main/stand-in-service.ts';

const TEST_ENV = 'loadtest-eu (kubernetes) + payments-loadtest (ecs)';
const flushAsync = () => act(async () => await new Promise((r) => setTimeout(r, 0)));

function setup() {
  const fake = fakeApi({
    'run:start': () => ({ runId: 'run-1', status: standInStatus({ state: 'pending', phase: 'validate', testEnvironment: TEST_ENV }) }),
    'run:abort': () => ({ accepted: true, status: standInStatus({ state: 'aborting', testEnvironment: TEST_ENV }) }),
  });
  setApi(fake.api);
  const off = connectRunEvents(fake.api);
  return { ...fake, off };
}

beforeEach(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
  setChartScheduler((cb) => cb());
  useRunStore.setState({ status: null, starting: false, abortRequested: false, error: null, log: [] });
  useChartStore.getState().reset();
  useSpecStore.setState({ text: 'apiVersion: conductor/v1\n', validation: { ok: true, issues: [], specName: 'cyber-week', testEnvironment: TEST_ENV } });
  useParityStore.setState({ reports: {} });
});
afterEach(() => {
  cleanup();
  setChartScheduler(null);
});

const sample = (t: number): Sample => ({ t, phase: 'ramp', targetOpm: 1200, setpointOpm: t / 100, actualOpm: t / 110, users: t / 1000, spawnRate: 1, errorRate: 0.001, p99Ms: 120 });

describe('run view', () => {
  it('asks for confirmation naming the test environment before starting', async () => {
    const { calls } = setup();
    render(<App initialTab="run" />);
    fireEvent.click(screen.getByRole('button', { name: 'Start load test' }));
    const dialog = screen.getByRole('dialog', { name: 'Start the load test?' });
    expect(dialog.textContent).toContain(TEST_ENV);
    expect(calls.filter((c) => c.channel === 'run:start')).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.channel === 'run:start')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Start load test' }));
    await act(async () => fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Start' })));
    await flushAsync();
    expect(calls.filter((c) => c.channel === 'run:start')).toEqual([{ channel: 'run:start', request: { text: 'apiVersion: conductor/v1\n' } }]);
  });

  it('cannot start an invalid spec', () => {
    setup();
    useSpecStore.setState({ validation: { ok: false, issues: [{ path: 'spec.load', message: 'Required' }] } });
    render(<App initialTab="run" />);
    expect((screen.getByRole('button', { name: 'Start load test' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('The spec has errors: fix them in Spec.')).toBeTruthy();
  });

  it('shows Abort during a run on every tab; one click calls run:abort once, then shows its progress', async () => {
    const { calls, emit } = setup();
    render(<App initialTab="parity" />);
    expect(screen.queryByRole('button', { name: 'Abort' })).toBeNull();
    const status = standInStatus({ testEnvironment: TEST_ENV });
    act(() => emit({ type: 'run-started', runId: 'run-1', status }));
    for (const tab of ['Parity', 'Spec', 'History', 'Environments', 'Run']) {
      fireEvent.click(screen.getByRole('tab', { name: tab }));
      expect(screen.getByRole('button', { name: 'Abort' })).toBeTruthy();
    }
    act(() => {
      for (let i = 1; i <= 5; i++) emit({ type: 'sample', runId: 'run-1', sample: sample(i * 15_000) });
    });
    expect(screen.getByText('5 samples')).toBeTruthy();
    const abort = screen.getByRole('button', { name: 'Abort' });
    await act(async () => {
      fireEvent.click(abort);
      fireEvent.click(abort);
    });
    await flushAsync();
    fireEvent.click(screen.getByRole('button', { name: 'Aborting…' }));
    await flushAsync();
    expect(calls.filter((c) => c.channel === 'run:abort')).toEqual([{ channel: 'run:abort', request: { runId: 'run-1', reason: 'aborted from the cockpit' } }]);

    const steps: RunEvent[] = [
      { type: 'abort', runId: 'run-1', step: 'stopping-load', reason: 'aborted from the cockpit', t: 0 },
      { type: 'abort', runId: 'run-1', step: 'restoring', reason: 'aborted from the cockpit', t: 0 },
    ];
    act(() => steps.forEach(emit));
    const progress = screen.getByRole('status', { name: 'Abort progress' });
    expect(within(progress).getByText('Restoring').getAttribute('aria-current')).toBe('step');
    expect(within(progress).getByText(/Stopping load/).className).toBe('done');
    act(() => emit({ type: 'abort', runId: 'run-1', step: 'cleaning-up', reason: 'aborted from the cockpit', t: 0 }));
    act(() => emit({ type: 'run-ended', runId: 'run-1', status: { ...status, state: 'aborted', abort: { requestedAt: 1, reason: 'aborted from the cockpit', step: 'done' } } }));
    expect(screen.queryByRole('button', { name: /^Abort/ })).toBeNull();
    expect(within(screen.getByRole('status', { name: 'Abort progress' })).getByText('Aborted').getAttribute('aria-current')).toBe('step');
  });

  it('says what will run before the first run, and marks phases an abort cut short as aborted', () => {
    const { emit } = setup();
    render(<App initialTab="run" />);
    expect(screen.getByText(/No run yet\./).parentElement!.textContent).toContain(`runs cyber-week on ${TEST_ENV}`);
    expect(screen.queryByRole('figure')).toBeNull();
    const status = standInStatus({ testEnvironment: TEST_ENV });
    act(() => emit({ type: 'run-started', runId: 'run-1', status }));
    expect(screen.queryByText(/No run yet/)).toBeNull();
    expect(screen.getByRole('figure', { name: 'Run charts' })).toBeTruthy();
    const ended = standInStatus({
      testEnvironment: TEST_ENV,
      state: 'aborted',
      phase: 'verdict',
      abort: { requestedAt: 1, reason: 'aborted from the cockpit', step: 'done' },
      phases: [
        { phase: 'ramp', startedAt: 0, endedAt: 1, state: 'failed', error: { code: 'ABORTED', message: 'aborted from the cockpit' } },
        { phase: 'plateau', startedAt: 1, endedAt: 1, state: 'skipped' },
      ],
      verdict: { status: 'aborted', reasons: ['aborted from the cockpit'], plateauOpm: null, targetOpm: 1200, plateauP99Ms: null, errorRate: null, knee: null, restoreComplete: true },
    });
    act(() => emit({ type: 'run-ended', runId: 'run-1', status: ended }));
    const phases = screen.getByRole('list', { name: 'Phases' });
    expect(within(phases).getByText('ramp').parentElement!.textContent).toBe('ramp aborted');
    expect(screen.getByRole('region', { name: 'Verdict: aborted' })).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Chart marks' })).getByText(/abort: aborted from the cockpit/)).toBeTruthy();
    expect(screen.getByLabelText('Last run').textContent).toBe('Last run (sandbox-rehearsal): aborted');
  });

  it('names what will happen in the confirmation: target, ramp-up, plateau, overrides and the apps it will skip', () => {
    setup();
    useSpecStore.setState({
      validation: {
        ok: true,
        issues: [],
        specName: 'sandbox-rehearsal',
        testEnvironment: TEST_ENV,
        plan: {
          load: { targetOpm: 7200, rampUpMs: 1_800_000, plateauMs: 3_600_000, controlIntervalMs: 60_000 },
          overrides: [{ app: 'checkout', container: null, image: 'registry.example/checkout-api:feature-x' }],
          apps: ['checkout', 'cart', 'ledger'],
          productionVersions: true,
          matchProduction: true,
        },
      },
    });
    useParityStore.setState({
      reports: {
        before: {
          ...STAND_IN_PARITY,
          rows: [...STAND_IN_PARITY.rows, { app: 'ledger', substrate: 'kubernetes', field: '(app)', production: 'payments/ledger', test: null, status: 'missing-in-test' }],
        },
      },
    });
    render(<App initialTab="run" />);
    fireEvent.click(screen.getByRole('button', { name: 'Start load test' }));
    const text = screen.getByRole('dialog', { name: 'Start the load test?' }).textContent!;
    expect(text).toContain(`Test environment${TEST_ENV}`);
    expect(text).toContain('Loadtarget 7,200 orders per minute · ramp-up 30 min · plateau 60 min');
    expect(text).toContain('override checkout: registry.example/checkout-api:feature-x');
    expect(text).toContain("every other app: production's version");
    expect(text).toContain('Skipped appsledger: missing in test: the conductor does not create applications');
  });

  it('says next to "passed" that apps were skipped, and shows each app\'s version with the override badged and "restored" after restore', () => {
    const { emit } = setup();
    useParityStore.setState({ reports: { before: STAND_IN_PARITY } });
    render(<App initialTab="run" />);
    const ended = standInStatus({
      testEnvironment: TEST_ENV,
      state: 'passed',
      phase: 'verdict',
      overrides: [{ app: 'checkout', container: 'checkout-api', image: 'registry.example/checkout-api:feature-x', productionImage: 'registry.example/checkout-api:2.14.1', via: 'repository' as const }],
      apps: [
        { app: 'checkout', phase: 'restore', state: 'ready' },
        { app: 'cart', phase: 'restore', state: 'ready' },
        { app: 'ledger', phase: 'snapshot', state: 'skipped', reason: 'missing in test' },
      ],
      flags: ['ledger is missing in the test environment and was skipped'],
      verdict: { status: 'passed', reasons: [], plateauOpm: 1190, targetOpm: 1200, plateauP99Ms: 180, errorRate: 0.0123, knee: null, restoreComplete: true },
    });
    act(() => emit({ type: 'run-started', runId: 'run-1', status: { ...ended, state: 'running', verdict: null } }));
    act(() => emit({ type: 'run-ended', runId: 'run-1', status: ended }));
    expect(screen.getByRole('heading', { name: 'Verdict: passed — with 1 app skipped' })).toBeTruthy();
    expect(screen.getByRole('region', { name: /^Verdict: passed/ }).textContent).toContain('error rate 1.23 % (plateau mean)');
    const apps = screen.getByRole('table', { name: 'Applications' });
    const row = (app: string) => within(apps).getByRole('rowheader', { name: app }).parentElement!;
    expect(row('checkout').textContent).toBe('checkoutcheckout-api: registry.example/checkout-api:feature-xoverriderestorerestored');
    expect(row('cart').textContent).toBe('cartcart: 1.9.0restorerestored');
    expect(row('ledger').textContent).toBe('ledger—snapshotskippedmissing in test');
    expect(screen.getByRole('alert', { name: 'Run alerts' }).textContent).toBe('Verdict: passed, with 1 app skipped.');
  });
});
