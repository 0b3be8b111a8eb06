import { afterEach, describe, expect, it } from 'vitest';
import { LoadError } from '../../../../shared/model/errors.ts';
import { ManualClock } from '../../../support/clocks.ts';
import { createLocustDriver } from '../../../../electron/load/locust-driver.ts';
import { createLocustKpi, locustKpiFromStats } from '../../../../electron/load/kpi/locust-kpi.ts';
import { startLocustSimulator, type LocustSimulator } from '../../../../electron/sandbox/locust-sim.ts';
import { ShopModel } from '../../../../electron/sandbox/shop-model.ts';
import type { LocustStats } from '../../../../electron/load/types.ts';

let sim: LocustSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const entry = (method: string, name: string, currentRps: number, currentFailPerSec: number) => ({
  method, name, numRequests: 100, numFailures: 1, currentRps, currentFailPerSec, p99Ms: 120, p50Ms: 30,
});
function stats(partial: Partial<LocustStats>): LocustStats {
  return {
    state: 'running', userCount: 10, workerCount: 1, failRatio: 0.01,
    requests: new Map([['POST /orders', entry('POST', '/orders', 5, 1)], ['GET /products', entry('GET', '/products', 15, 0)]]),
    aggregated: { numRequests: 200, numFailures: 2, currentRps: 20, currentFailPerSec: 1, p99Ms: 250 },
    ...partial,
  };
}

describe('locustKpiFromStats', () => {
  it('OPM is the successful rate of the named request × 60; guards get the current error rate and p99', () => {
    const k = locustKpiFromStats(stats({}), 'POST /orders', 123);
    expect(k).toMatchObject({ t: 123, opm: 240, errorRate: 0.05, p99Ms: 250, users: 10, source: 'locust' });
  });
  it('an unseen request while others flow is unknown (null, with the names seen), not zero', () => {
    const k = locustKpiFromStats(stats({}), 'POST /checkout', 0);
    expect(k.opm).toBeNull();
    expect(k.note).toMatch(/no Locust request named "POST \/checkout" yet \(seen: POST \/orders, GET \/products\)/);
  });
  it('nothing running at all is zero orders', () => {
    const k = locustKpiFromStats(stats({ userCount: 0, requests: new Map(), aggregated: { numRequests: 0, numFailures: 0, currentRps: 0, currentFailPerSec: 0, p99Ms: null } }), 'POST /orders', 0);
    expect(k).toMatchObject({ opm: 0, errorRate: 0, p99Ms: null, users: 0 });
  });
});

describe('createLocustKpi', () => {
  it('refuses a request name that is not "METHOD name"', () => {
    const clock = new ManualClock(0);
    const driver = createLocustDriver({ url: 'http://127.0.0.1:9', clock });
    expect(() => createLocustKpi({ driver, request: '/orders', clock })).toThrow(LoadError);
    expect(() => createLocustKpi({ driver, request: 'post /orders', clock })).toThrow(/must be "METHOD name"/);
  });

  it('through the simulator: steady-state OPM matches the shop model, errors beyond capacity show up', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const shop = new ShopModel({ capacityOpm: 600, opmPerUserIdle: 6, baseLatencyMs: 40, requestsPerOrder: 4 });
    sim = await startLocustSimulator({ clock, shop });
    const driver = createLocustDriver({ url: sim.url, clock });
    const kpi = createLocustKpi({ driver, request: 'POST /orders', clock });
    await driver.swarm(50, 50);
    await clock.advance(30_000);
    const a = await kpi.sample();
    const expected = shop.rates(50);
    expect(a.users).toBe(50);
    expect(a.settled).toBe(true);
    expect(Math.abs(a.opm! - expected.ordersPerMinute) / expected.ordersPerMinute).toBeLessThan(0.05);
    expect(a.errorRate).toBe(0);
    expect(a.p99Ms).toBeGreaterThan(expected.p50Ms);
    // 300 users offer 1800 orders/min to a 600 orders/min shop: failures
    await driver.swarm(300, 100);
    await clock.advance(40_000);
    const b = await kpi.sample();
    const over = shop.rates(300);
    expect(over.errorRate).toBeGreaterThan(0.1);
    expect(Math.abs(b.errorRate - over.errorRate)).toBeLessThan(0.03);
    expect(Math.abs(b.opm! - over.ordersPerMinute) / over.ordersPerMinute).toBeLessThan(0.05);
  });
});
