import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../../shared/model/errors.ts';
import { detectLocustShape, parseLocustStats } from '../../../../electron/load/locust-stats.ts';

// captured from Debian's Locust 2.12.1 master (4 users, 1 worker) during the integration tests
const real212 = JSON.parse(readFileSync(new URL('../../../fixtures/shop/locust-2.12-stats-requests.json', import.meta.url), 'utf8')) as Record<string, unknown>;

// the current 2.x layout (hand-written): percentiles moved into objects, total_fail_per_sec added,
// and total_rps is a cumulative average since 2.43.4 — here deliberately far from the current rate
const current2x = {
  stats: [
    { method: 'POST', name: '/orders', safe_name: '/orders', num_requests: 900, num_failures: 9, avg_response_time: 20, min_response_time: 3, max_response_time: 300, current_rps: 10, current_fail_per_sec: 0.5, median_response_time: 18, 'response_time_percentile_0.95': 80, 'response_time_percentile_0.99': 150, avg_content_length: 30 },
    { method: 'GET', name: '/products', safe_name: '/products', num_requests: 1800, num_failures: 0, avg_response_time: 10, min_response_time: 2, max_response_time: 200, current_rps: 20, current_fail_per_sec: 0, median_response_time: 9, 'response_time_percentile_0.95': 40, 'response_time_percentile_0.99': 90, avg_content_length: 600 },
    { method: '', name: 'Aggregated', safe_name: 'Aggregated', num_requests: 2700, num_failures: 9, avg_response_time: 13, min_response_time: 2, max_response_time: 300, current_rps: 30, current_fail_per_sec: 0.5, median_response_time: 11, 'response_time_percentile_0.95': 60, 'response_time_percentile_0.99': 140, avg_content_length: 410 },
  ],
  errors: [],
  total_rps: 4.2,
  total_fail_per_sec: 0.01,
  fail_ratio: 9 / 2700,
  current_response_time_percentiles: { 'response_time_percentile_0.5': 11, 'response_time_percentile_0.95': 60 },
  total_avg_response_time: 13,
  workers: [{ id: 'w1', state: 'running', user_count: 15, cpu_usage: 10, memory_usage: 1 }],
  state: 'running',
  user_count: 15,
};

describe('parseLocustStats', () => {
  it('reads a real Locust 2.12 master answer', () => {
    const s = parseLocustStats(real212);
    expect(s.shape).toBe('locust-2.12');
    expect(s.state).toBe('running');
    expect(s.userCount).toBe(4);
    expect(s.workerCount).toBe(1);
    expect(s.noWorkers).toBe(false);
    expect([...s.requests.keys()]).toEqual(['POST /orders', 'GET /products']);
    expect(s.requests.get('POST /orders')).toMatchObject({ numRequests: 66, currentRps: 4.3, p99Ms: 25, p50Ms: 4 });
    expect(s.aggregated).toEqual({ numRequests: 120, numFailures: 0, currentRps: 8, currentFailPerSec: 0, p99Ms: 25 });
    expect(s.currentP95Ms).toBe(6);
  });

  it('reads the current 2.x layout from the per-request entries, never from the cumulative total_rps', () => {
    const s = parseLocustStats(current2x);
    expect(s.shape).toBe('locust-2.x-current');
    expect(s.aggregated.currentRps).toBe(30);
    expect(s.requests.get('POST /orders')).toMatchObject({ currentRps: 10, currentFailPerSec: 0.5, p99Ms: 150, p50Ms: 18 });
    expect(s.aggregated.p99Ms).toBe(140);
    expect(s.currentP50Ms).toBe(11);
    expect(s.currentP95Ms).toBe(60);
  });

  it('detects the mid-2.x percentile keys and unknown layouts', () => {
    expect(detectLocustShape({ current_response_time_percentile_1: 3, stats: [] })).toBe('locust-2.x-mid');
    expect(detectLocustShape({ stats: [] })).toBe('unknown');
  });

  it('sums the entries when there is no Aggregated row, and flags a master without workers', () => {
    const s = parseLocustStats({ stats: [{ method: 'GET', name: '/a', num_requests: 3, num_failures: 1, current_rps: 1.5, current_fail_per_sec: 0.5 }], workers: [], state: 'ready', user_count: 0 });
    expect(s.aggregated).toMatchObject({ numRequests: 3, numFailures: 1, currentRps: 1.5 });
    expect(s.noWorkers).toBe(true);
    expect(s.workerCount).toBe(0);
  });

  it('a standalone (non-distributed) Locust has no workers list: workerCount null, not "no workers"', () => {
    const s = parseLocustStats({ stats: [], state: 'ready', user_count: 0 });
    expect(s.workerCount).toBeNull();
    expect(s.noWorkers).toBe(false);
  });

  it('refuses answers that are not Locust stats, with a clear message', () => {
    expect(() => parseLocustStats('<html>')).toThrow(LoadError);
    expect(() => parseLocustStats({ hello: 1 })).toThrow(/no "stats" array; is the URL a Locust master web UI/);
    expect(() => parseLocustStats({ stats: [{ name: 'x' }] })).toThrow(/stats\[0\]\.num_requests is missing/);
  });
});
