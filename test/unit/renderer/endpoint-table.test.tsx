// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import { EndpointTable } from '../../../renderer/src/features/run/EndpointTable.tsx';
import type { EndpointSample, Sample } from '../../../shared/model/run.ts';

const orders = (requests: number, failures: number): EndpointSample => ({ name: 'POST /orders', requests, failures, rps: requests / 15, p50Ms: 40, p95Ms: 120, p99Ms: 230 });
const sample = (t: number, phase: Sample['phase'], endpoints?: EndpointSample[]): Sample => ({ t, phase, targetOpm: 1200, setpointOpm: 1200, actualOpm: 1190, users: 40, spawnRate: 2, errorRate: 0, p99Ms: 230, ...(endpoints ? { endpoints } : {}) });

/** the table's rows as { request: [cells] } */
function rows(): Record<string, string[]> {
  const body = within(screen.getByRole('table', { name: 'Requests by endpoint' })).getAllByRole('row').slice(1);
  return Object.fromEntries(body.map((r) => [within(r).getByRole('rowheader').textContent, within(r).getAllByRole('cell').map((c) => c.textContent ?? '')]));
}

afterEach(cleanup);

describe('requests by endpoint (the run view and a past run)', () => {
  it('during the ramp: the counts so far, said to be so', () => {
    render(<EndpointTable samples={[sample(15_000, 'ramp', [orders(100, 2)]), sample(30_000, 'ramp', [orders(150, 0)])]} />);
    expect(screen.getByText(/^Over the load so far/)).toBeTruthy();
    expect(rows()['POST /orders']!.slice(0, 3)).toEqual(['250', '2', '0.80 %']);
  });

  it('once the plateau has counted: the plateau alone', () => {
    render(<EndpointTable samples={[sample(15_000, 'ramp', [orders(100, 50)]), sample(30_000, 'plateau', [orders(300, 3)])]} />);
    expect(screen.getByText(/^Over the plateau/)).toBeTruthy();
    expect(rows()['POST /orders']!.slice(0, 3)).toEqual(['300', '3', '1.00 %']);
  });

  it('nothing counted per request (a KPI without them): no table', () => {
    render(<EndpointTable samples={[sample(15_000, 'plateau')]} />);
    expect(screen.queryByRole('table', { name: 'Requests by endpoint' })).toBeNull();
  });
});
