// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { ParityTable } from '../../../renderer/src/features/parity/ParityTable.tsx';
import { ParityView } from '../../../renderer/src/features/parity/ParityView.tsx';
import { useParityStore } from '../../../renderer/src/stores/parity.ts';
import { STAND_IN_PARITY } from '../main/stand-in-service.ts';

beforeEach(() => {
  useParityStore.setState({ reports: {}, view: 'before', driftOnly: false, loading: false, error: null });
});
afterEach(cleanup);

describe('parity table', () => {
  it('highlights drift per app and field', () => {
    render(<ParityTable report={STAND_IN_PARITY} driftOnly={false} caption="Parity before the run" />);
    const table = screen.getByRole('table', { name: 'Parity before the run' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(4);
    const drifting = rows.filter((r) => r.classList.contains('off'));
    expect(drifting.map((r) => within(r).getByRole('rowheader').textContent + ' ' + r.querySelector('code')!.textContent)).toEqual([
      'checkout image[checkout-api]',
      'cart replicas',
    ]);
    for (const r of drifting) expect(within(r).getByText('drift')).toBeTruthy();
    const inParity = rows.filter((r) => !r.classList.contains('off'));
    for (const r of inParity) expect(within(r).getByText('in parity')).toBeTruthy();
    expect(within(drifting[1]!).getByText('1').className).toBe('differs');
  });

  it('filters to drift only with the checkbox', () => {
    useParityStore.setState({ reports: { before: STAND_IN_PARITY } });
    render(<ParityView />);
    expect(screen.getByText('2 apps: 2 in parity, 2 drifting, 0 missing, 0 unreachable')).toBeTruthy();
    const table = () => screen.getByRole('table', { name: /Parity before the run/ });
    expect(within(table()).getAllByText('in parity')).toHaveLength(2);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Drift only' }));
    expect(within(table()).queryAllByText('in parity')).toHaveLength(0);
    expect(within(table()).getAllByText('drift')).toHaveLength(2);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Drift only' }));
    expect(within(table()).getAllByText('in parity')).toHaveLength(2);
  });

  it('shows live and after-restore reports and whether the test side is back', () => {
    const after = { ...STAND_IN_PARITY, takenAt: '2026-11-23T05:00:00.000Z' };
    useParityStore.setState({ reports: { before: STAND_IN_PARITY, after }, view: 'after' });
    render(<ParityView />);
    expect(screen.getByRole('table', { name: /Parity after restore/ })).toBeTruthy();
    expect(screen.getByText('Test environment restored: every field matches its state before the run.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Before the run' }));
    expect(screen.getByRole('table', { name: /Parity before the run/ })).toBeTruthy();
  });

  it('says which fields did not come back', () => {
    const after = { ...STAND_IN_PARITY, rows: STAND_IN_PARITY.rows.map((r) => (r.field === 'replicas' && r.app === 'cart' ? { ...r, test: 4 } : r)) };
    useParityStore.setState({ reports: { before: STAND_IN_PARITY, after }, view: 'after' });
    render(<ParityView />);
    expect(screen.getByText(/differs from before the run in 1 field: cart replicas/)).toBeTruthy();
  });
});
