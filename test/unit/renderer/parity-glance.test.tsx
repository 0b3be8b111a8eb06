// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { ParityView } from '../../../renderer/src/features/parity/ParityView.tsx';
import { useParityStore } from '../../../renderer/src/stores/parity.ts';
import { STAND_IN_PARITY } from '../main/stand-in-service.ts';

beforeEach(() => {
  useParityStore.setState({ reports: {}, view: 'before', driftOnly: false, loading: false, error: null });
});
afterEach(cleanup);

const appRows = () =>
  within(screen.getByRole('table', { name: /Parity/ }))
    .getAllByRole('row')
    .filter((r) => r.classList.contains('app-parity'));

describe('parity at a glance', () => {
  it('one row per app, worst first: status, drift count and the worst difference in words', () => {
    useParityStore.setState({ reports: { before: STAND_IN_PARITY } });
    render(<ParityView />);
    expect(screen.getByText('2 apps: 2 in parity, 2 drifting, 0 missing, 0 unreachable')).toBeTruthy();
    expect(appRows().map((r) => r.textContent)).toEqual([
      'checkoutdrift1 fieldimage 2.4.1 → 2.3.0KubernetesFields (2)',
      'cartdrift1 fieldreplicas 4 → 1KubernetesFields (2)',
    ]);
  });

  it('expands an app to its fields, and filters to drift only', () => {
    useParityStore.setState({ reports: { before: STAND_IN_PARITY } });
    render(<ParityView />);
    const toggle = screen.getByRole('button', { name: 'Fields (2) of cart' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide fields of cart' }).getAttribute('aria-expanded')).toBe('true');
    const fields = screen.getByRole('table', { name: 'Fields of cart' });
    expect(within(fields).getAllByRole('row').map((r) => r.textContent)).toEqual(['FieldProductionTestStatus', 'replicas41drift', 'image[cart]shop/cart:1.9.0shop/cart:1.9.0in parity']);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Drift only' }));
    expect(within(screen.getByRole('table', { name: 'Fields of cart' })).getAllByRole('row')).toHaveLength(2);
  });

  it('sorts by name on request', () => {
    useParityStore.setState({ reports: { before: STAND_IN_PARITY } });
    render(<ParityView />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Sort apps by' }), { target: { value: 'name' } });
    expect(appRows().map((r) => r.querySelector('th')!.textContent)).toEqual(['cart', 'checkout']);
  });

  it('after restore: whether the test side is back, and each changed field as before → now', () => {
    const after = { ...STAND_IN_PARITY, rows: STAND_IN_PARITY.rows.map((r) => (r.field === 'replicas' && r.app === 'cart' ? { ...r, test: 4, status: 'in-parity' as const } : r)) };
    useParityStore.setState({ reports: { before: STAND_IN_PARITY, after }, view: 'after' });
    render(<ParityView />);
    expect(screen.getByRole('table', { name: /Parity after restore/ })).toBeTruthy();
    expect(screen.getByText(/differs from before the run in 1 field: cart replicas/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Fields (2) of cart' }));
    expect(within(screen.getByRole('table', { name: 'Fields of cart' })).getByRole('row', { name: /^replicas/ }).textContent).toBe('replicas41 → 4in parity');
    fireEvent.click(screen.getByRole('button', { name: 'Before the run' }));
    expect(screen.getByRole('table', { name: /Parity before the run/ })).toBeTruthy();
  });

  it('says when the test side is back as it was', () => {
    useParityStore.setState({ reports: { before: STAND_IN_PARITY, after: { ...STAND_IN_PARITY, takenAt: '2026-11-23T05:00:00.000Z' } }, view: 'after' });
    render(<ParityView />);
    expect(screen.getByText('Test environment restored: every field matches its state before the run.')).toBeTruthy();
  });
});
