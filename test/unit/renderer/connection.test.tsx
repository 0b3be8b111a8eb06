// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import { App } from '../../../renderer/src/App.tsx';
import { setApi } from '../../../renderer/src/api/index.ts';
import type { ConnectionInfo } from '../../../renderer/src/api/http-client.ts';
import { useConnectionStore, watchConnection } from '../../../renderer/src/stores/connection.ts';
import { useRunStore } from '../../../renderer/src/stores/run.ts';
import { useSpecStore } from '../../../renderer/src/stores/spec.ts';
import { fakeApi } from './fake-api.ts';
import { standInStatus } from '../main/stand-in-service.ts';

function connectionAware() {
  const fake = fakeApi({});
  let watcher: ((i: ConnectionInfo) => void) | null = null;
  const api = Object.assign(fake.api, {
    onConnection(w: (i: ConnectionInfo) => void) {
      watcher = w;
      w({ state: 'online', attempt: 0, retryInMs: null });
      return () => (watcher = null);
    },
    reconnectNow: () => undefined,
  });
  return { api, say: (i: ConnectionInfo) => act(() => watcher!(i)) };
}

beforeEach(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
  useRunStore.setState({ status: standInStatus(), starting: false, abortRequested: false, error: null, log: [] });
  useSpecStore.setState({ text: 'apiVersion: conductor/v1\n', validation: { ok: true, issues: [], specName: 'cyber-week', testEnvironment: 'test' } });
});
afterEach(() => {
  cleanup();
  useConnectionStore.setState({ state: 'online', attempt: 0, retryInMs: null });
});

describe('connection', () => {
  it('a lost connection shows at once: a banner, the run as last known, Start and Abort disabled; back online, the state is read again', () => {
    const { api, say } = connectionAware();
    setApi(api);
    let resyncs = 0;
    const off = watchConnection(api, () => (resyncs += 1));
    render(<App initialTab="run" />);
    expect((screen.getByRole('button', { name: 'Abort' }) as HTMLButtonElement).disabled).toBe(false);
    say({ state: 'offline', attempt: 1, retryInMs: 500 });
    expect(screen.getByRole('alert', { name: 'Connection' }).textContent).toMatch(/^Disconnected from the conductor\. What you see is the last known state/);
    expect((screen.getByRole('button', { name: 'Abort' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Start load test' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByLabelText('Current run').textContent).toMatch(/^last known sandbox-rehearsal: running · ramp/);
    expect(screen.getByRole('alert', { name: 'Run alerts' }).textContent).toBe('Disconnected from the conductor.');
    say({ state: 'offline', attempt: 2, retryInMs: 1000 });
    expect(resyncs).toBe(0);
    say({ state: 'online', attempt: 0, retryInMs: null });
    expect(resyncs).toBe(1);
    expect(screen.queryByRole('alert', { name: 'Connection' })).toBeNull();
    expect((screen.getByRole('button', { name: 'Abort' }) as HTMLButtonElement).disabled).toBe(false);
    off();
  });

  it('a run the restarted conductor no longer knows is not shown as running', async () => {
    setApi(fakeApi({ 'run:status': () => null }).api);
    await act(() => useRunStore.getState().refresh());
    expect(useRunStore.getState().status).toBeNull();
    expect(useRunStore.getState().error).toMatch(/^Run run-1 is not running any more: the conductor restarted/);
  });
});
