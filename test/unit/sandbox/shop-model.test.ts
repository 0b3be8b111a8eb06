import { describe, expect, it } from 'vitest';
import { DEFAULT_SHOP, ShopModel } from '../../../electron/sandbox/shop-model.ts';

describe('shop model', () => {
  const shop = new ShopModel({ capacityOpm: 6000, opmPerUserIdle: 6, baseLatencyMs: 40, requestsPerOrder: 4 });

  it('places the idle orders per user at light load and nothing without users', () => {
    expect(shop.rates(0)).toMatchObject({ ordersPerMinute: 0, errorRate: 0 });
    expect(shop.rates(-5).ordersPerMinute).toBe(0);
    const light = shop.rates(10);
    expect(light.ordersPerMinute / 10).toBeGreaterThan(5.9);
    expect(light.p50Ms).toBeCloseTo(40, 0);
    expect(light.requestsPerSecond).toBeCloseTo((light.ordersPerMinute * 5) / 60, 6);
  });

  it('orders per user fall and latency rises as load approaches capacity', () => {
    let lastPerUser = Infinity;
    let lastP99 = 0;
    for (const users of [100, 400, 700, 1000]) {
      const r = shop.rates(users);
      expect(r.ordersPerMinute / users).toBeLessThan(lastPerUser);
      expect(r.p99Ms).toBeGreaterThan(lastP99);
      lastPerUser = r.ordersPerMinute / users;
      lastP99 = r.p99Ms;
    }
    expect(shop.rates(1000).errorRate).toBe(0); // offered 6000 = capacity: no errors yet
  });

  it('fails requests beyond capacity and never serves more than the capacity', () => {
    const over = shop.rates(2000); // offered 2 × capacity
    expect(over.errorRate).toBeGreaterThan(0.05);
    expect(over.ordersPerMinute).toBeLessThan(6000);
    for (const users of [10, 1000, 5000, 100_000]) expect(shop.rates(users).ordersPerMinute).toBeLessThanOrEqual(6000);
    expect(shop.rates(100_000).errorRate).toBeLessThanOrEqual(0.9);
  });

  it('has a default for the sandbox', () => {
    expect(new ShopModel().options).toBe(DEFAULT_SHOP);
    expect(new ShopModel().rates(100).ordersPerMinute).toBeGreaterThan(0);
  });
});
