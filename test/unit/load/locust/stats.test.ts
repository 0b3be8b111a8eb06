import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../../shared/model/errors.ts';
import { detectLocustShape, parseLocustStats } from '../../../../electron/load/locust-stats.ts';
import { CAPTURED_VERSIONS, captured, rawEntry } from '../../../fixtures/locust/index.ts';

const SHAPE = { '2.12': 'locust-2.12', '2.47': 'locust-2.x-current' } as const;

describe.each(CAPTURED_VERSIONS)('parseLocustStats on answers captured from real Locust %s (master + 2 workers)', (version) => {
  it('running: users, both workers with their CPU, per-request counters and failures', () => {
    const raw = captured(version, 'running.json');
    const s = parseLocustStats(raw);
    expect(s.shape).toBe(SHAPE[version]);
    expect(s).toMatchObject({ state: 'running', userCount: 6, workerCount: 2, noWorkers: false });
    expect(s.workers!.map((w) => w.userCount)).toEqual([3, 3]);
    for (const w of s.workers!) expect(w.cpuPercent).toBeGreaterThanOrEqual(0);
    expect([...s.requests.keys()].sort()).toEqual(['GET /products', 'POST /orders']);
    const orders = rawEntry(raw, '/orders');
    const o = s.requests.get('POST /orders')!;
    expect(o.numRequests).toBe(orders.num_requests);
    expect(o.numFailures).toBe(orders.num_failures);
    // every 10th order was refused by the shop
    expect(o.numFailures).toBeGreaterThan(0);
    expect(o.numFailures).toBeLessThanOrEqual(Math.ceil(o.numRequests / 10));
    expect(o.currentRps).toBe(orders.current_rps);
    expect(o.p99Ms).toBeGreaterThan(0);
    expect(o.p50Ms).toBeGreaterThan(0);
    const agg = rawEntry(raw, 'Aggregated');
    expect(s.aggregated).toMatchObject({ name: 'Aggregated', numRequests: agg.num_requests, numFailures: agg.num_failures });
    expect(s.aggregated.numRequests).toBe(o.numRequests + s.requests.get('GET /products')!.numRequests);
    expect(s.current.p50Ms).toBeGreaterThan(0);
    expect(s.current.p95Ms).toBeGreaterThan(0);
  });

  it('never reads total_rps (a cumulative average since 2.43.4): changing it changes nothing', () => {
    const raw = captured(version, 'running.json');
    const bent = structuredClone(raw);
    bent.total_rps = 123_456;
    for (const e of bent.stats as Record<string, unknown>[]) e.total_rps = 98_765;
    expect(parseLocustStats(bent)).toEqual(parseLocustStats(raw));
  });

  it('ready, stopped, reset and a master without workers', () => {
    expect(parseLocustStats(captured(version, 'ready.json'))).toMatchObject({ state: 'ready', userCount: 0, workerCount: 2, noWorkers: false });
    const stopped = parseLocustStats(captured(version, 'stopped.json'));
    expect(stopped).toMatchObject({ state: 'stopped', userCount: 0 });
    expect(stopped.aggregated.numRequests).toBeGreaterThan(0);
    const reset = parseLocustStats(captured(version, 'reset.json'));
    expect(reset.aggregated.numRequests).toBe(0);
    for (const e of reset.requests.values()) expect(e.numRequests).toBe(0);
    expect(parseLocustStats(captured(version, 'no-workers.json'))).toMatchObject({ workerCount: 0, noWorkers: true });
  });
});

describe('what differs between the versions', () => {
  it('2.12 reports p90 per request, not p95 (p95Ms null), and no window p99', () => {
    const s = parseLocustStats(captured('2.12', 'running.json'));
    expect(s.requests.get('POST /orders')!.p95Ms).toBeNull();
    expect(s.requests.get('POST /orders')!.p99Ms).toBe(rawEntry(captured('2.12', 'running.json'), '/orders').ninety_ninth_response_time);
    expect(s.current.p99Ms).toBeNull();
  });

  it('2.47 reports p95/p99 per request, and a window p99 when the locustfile charts it', () => {
    const raw = captured('2.47', 'running.json');
    const s = parseLocustStats(raw);
    expect(s.requests.get('POST /orders')).toMatchObject({ p95Ms: rawEntry(raw, '/orders')['response_time_percentile_0.95'], p99Ms: rawEntry(raw, '/orders')['response_time_percentile_0.99'] });
    expect(s.current.p99Ms).toBeNull();
    const charted = parseLocustStats(captured('2.47', 'running-chart-p99.json'));
    expect(charted.current.p99Ms).toBe((captured('2.47', 'running-chart-p99.json').current_response_time_percentiles as Record<string, number>)['response_time_percentile_0.99']);
  });

  it('detects the mid-2.x percentile keys and unknown layouts', () => {
    expect(detectLocustShape({ current_response_time_percentile_1: 3, stats: [] })).toBe('locust-2.x-mid');
    expect(detectLocustShape({ stats: [] })).toBe('unknown');
  });
});

describe('parseLocustStats on answers that are not a master', () => {
  it('a standalone (non-distributed) Locust has no workers list: workerCount null, not "no workers"', () => {
    const s = parseLocustStats({ stats: [], state: 'ready', user_count: 0 });
    expect(s.workerCount).toBeNull();
    expect(s.workers).toBeNull();
    expect(s.noWorkers).toBe(false);
  });

  it('refuses answers that are not Locust stats, with a clear message', () => {
    expect(() => parseLocustStats('<html>')).toThrow(LoadError);
    expect(() => parseLocustStats({ hello: 1 })).toThrow(/no "stats" array; is the URL a Locust master web UI/);
    expect(() => parseLocustStats({ stats: [{ name: 'x' }] })).toThrow(/stats\[0\]\.num_requests is missing/);
  });
});
