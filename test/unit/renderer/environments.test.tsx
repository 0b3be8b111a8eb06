// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { EnvironmentsView } from '../../../renderer/src/features/environments/EnvironmentsView.tsx';
import { setApi } from '../../../renderer/src/api/index.ts';
import { useEnvStore } from '../../../renderer/src/stores/env.ts';
import { useSpecStore } from '../../../renderer/src/stores/spec.ts';
import { DEFAULT_SETTINGS_DTO, REQUEST_SCHEMAS, type SettingsDto } from '../../../shared/contract/index.ts';
import { ApiError } from '../../../renderer/src/api/errors.ts';
import { fakeApi } from './fake-api.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SANDBOX_SPEC = readFileSync(join(ROOT, 'examples', 'sandbox.yaml'), 'utf8');
const flush = () => act(async () => await new Promise((r) => setTimeout(r, 0)));

function setup(saved: SettingsDto = DEFAULT_SETTINGS_DTO) {
  let stored = saved;
  const fake = fakeApi({
    'env:list': () => ({ kubeContexts: ['prod-eu', 'loadtest-eu'], awsProfiles: ['prod-readonly', 'loadtest'], sandbox: { available: true, timeScale: 100 }, host: 'http' }),
    'settings:get': () => stored,
    'settings:set': (r) => {
      // the conductor validates with the contract's schema, as both transports do
      const parsed = REQUEST_SCHEMAS['settings:set'].safeParse(r);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new ApiError({ code: 'USAGE', message: `invalid request for settings:set: ${issues[0]!.path}: ${issues[0]!.message}`, details: { issues } });
      }
      stored = { ...stored, ...parsed.data } as SettingsDto;
      return stored;
    },
  });
  setApi(fake.api);
  return { ...fake, stored: () => stored };
}

beforeEach(() => {
  useEnvStore.setState({ envs: null, choice: DEFAULT_SETTINGS_DTO.environments, loaded: false, saving: false, saved: null, error: null, invalid: [] });
  useSpecStore.setState({ text: SANDBOX_SPEC, validation: null, error: null });
});
afterEach(() => cleanup());

const select = (name: string, value: string) => act(async () => void fireEvent.change(screen.getByRole('combobox', { name }), { target: { value } }));
const type = (name: string, value: string) =>
  act(async () => {
    const box = screen.getByRole('textbox', { name });
    fireEvent.change(box, { target: { value } });
    fireEvent.blur(box);
  });

describe('environments', () => {
  it('starts on the sandbox and lists context and profile names', async () => {
    setup();
    render(<EnvironmentsView />);
    await act(() => useEnvStore.getState().load());
    expect((screen.getByRole('combobox', { name: 'Production Kubernetes context' }) as HTMLSelectElement).value).toBe('sandbox');
    expect(screen.getAllByRole('option', { name: 'loadtest-eu' })).toHaveLength(2);
    expect(screen.getByRole('status').textContent).toBe('');
  });

  it('reads the saved choice through settings:get and saves every change through settings:set', async () => {
    const { calls, stored } = setup({ environments: { production: { context: 'prod-eu' }, test: { context: 'gone-ctx' } }, recentSpecs: [] });
    render(<EnvironmentsView />);
    await act(() => useEnvStore.getState().load());
    expect((screen.getByRole('combobox', { name: 'Test Kubernetes context' }) as HTMLSelectElement).value).toBe('gone-ctx');
    expect(screen.getByRole('option', { name: 'gone-ctx (not found here)' })).toBeTruthy();
    await select('Test Kubernetes context', 'loadtest-eu');
    await select('Test AWS profile', 'loadtest');
    await type('Test AWS region', 'eu-west-1');
    await type('Locust master URL (test)', 'http://locust-master.loadtest:8089');
    await flush();
    expect(calls.filter((c) => c.channel === 'settings:set')).toHaveLength(4);
    expect(stored().environments).toEqual({
      production: { context: 'prod-eu' },
      test: { context: 'loadtest-eu', awsProfile: 'loadtest', awsRegion: 'eu-west-1' },
      locustUrl: 'http://locust-master.loadtest:8089',
    });
    expect(screen.getByRole('status').textContent).toBe('Saved by the conductor.');
  });

  it('refuses a secret-looking value at its field and keeps the saved choice', async () => {
    const { stored } = setup();
    render(<EnvironmentsView />);
    await act(() => useEnvStore.getState().load());
    await type('Locust master URL (test)', 'http://admin:hunter2@locust:8089');
    await flush();
    expect(screen.getByRole('alert').textContent).toBe('Not saved: the Locust master URL must be a URL without credentials or query parameters.');
    expect(screen.getByRole('textbox', { name: 'Locust master URL (test)' }).getAttribute('aria-invalid')).toBe('true');
    expect(stored()).toEqual(DEFAULT_SETTINGS_DTO);
  });

  it('applies the choice to the spec text: contexts, AWS profiles and regions, Locust URL', async () => {
    setup({
      environments: {
        production: { context: 'prod-eu', awsProfile: 'prod-readonly', awsRegion: 'eu-central-1' },
        test: { context: 'loadtest-eu', kubeconfig: '/home/u/.kube/loadtest', awsProfile: 'loadtest', awsRegion: 'eu-central-1' },
        locustUrl: 'http://locust-master.loadtest:8089',
      },
      recentSpecs: [],
    });
    render(<EnvironmentsView />);
    await act(() => useEnvStore.getState().load());
    fireEvent.click(screen.getByRole('button', { name: 'Apply to spec' }));
    const text = useSpecStore.getState().text;
    expect(text).not.toMatch(/^\s+sandbox:/m);
    expect(text).toMatch(/production:\s+kubernetes:\s+context: prod-eu\s+ecs:\s+profile: prod-readonly\s+region: eu-central-1/);
    expect(text).toMatch(/test:\s+kubernetes:\s+context: loadtest-eu\s+kubeconfig: \/home\/u\/.kube\/loadtest/);
    expect(text).toContain('url: http://locust-master.loadtest:8089');
    expect(text).toContain('# Runs entirely on the embedded sandbox'); // comments kept
    expect(screen.getByText(/Applied to the spec: production context prod-eu/)).toBeTruthy();
  });

  it('will not mix the sandbox with a real context', async () => {
    setup({ environments: { production: { context: 'sandbox' }, test: { context: 'loadtest-eu' } }, recentSpecs: [] });
    render(<EnvironmentsView />);
    await act(() => useEnvStore.getState().load());
    fireEvent.click(screen.getByRole('button', { name: 'Apply to spec' }));
    expect(screen.getByRole('alert').textContent).toMatch(/sandbox for both/);
    expect(useSpecStore.getState().text).toBe(SANDBOX_SPEC);
  });

  it('shows the outcome of the latest save even when an older one answers last', async () => {
    let release: (() => void) | null = null;
    const fake = fakeApi({
      'env:list': () => ({ kubeContexts: ['prod-eu'], awsProfiles: [], sandbox: { available: true, timeScale: 100 }, host: 'http' }),
      'settings:get': () => DEFAULT_SETTINGS_DTO,
      'settings:set': ((r: { environments: SettingsDto['environments'] }) => {
        if (r.environments.locustUrl?.includes('@')) {
          const issues = [{ path: 'environments.locustUrl', message: 'a URL without credentials or query parameters' }];
          throw new ApiError({ code: 'USAGE', message: `invalid request for settings:set: ${issues[0]!.path}: ${issues[0]!.message}`, details: { issues } });
        }
        // the first (valid) save is slow: it answers after the refused one
        return new Promise((res) => (release = () => res({ environments: r.environments, recentSpecs: [] })));
      }) as never,
    });
    setApi(fake.api);
    render(<EnvironmentsView />);
    await act(() => useEnvStore.getState().load());
    await type('Test AWS region', 'eu-west-1');
    await type('Locust master URL (test)', 'http://u:pw@locust:8089');
    await flush();
    await act(async () => release!());
    await flush();
    expect(screen.getByRole('alert').textContent).toBe('Not saved: the Locust master URL must be a URL without credentials or query parameters.');
    expect(screen.getByRole('textbox', { name: 'Locust master URL (test)' }).getAttribute('aria-invalid')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Apply to spec' }));
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain('A value was refused (marked above): fix it before applying.');
    expect(useSpecStore.getState().text).toBe(SANDBOX_SPEC);
  });
});
