import { afterEach, describe, expect, it } from 'vitest';
import { LoadError } from '../../../../shared/model/errors.ts';
import { ManualClock } from '../../../support/clocks.ts';
import { createLocustDriver } from '../../../../electron/load/locust-driver.ts';
import { createLocustKpi } from '../../../../electron/load/kpi/locust-kpi.ts';
import { startLocustSimulator, type LocustSimulator } from '../../../../electron/sandbox/locust-sim.ts';
import { ShopModel } from '../../../../electron/sandbox/shop-model.ts';
import type { LocustDriver, LocustEntry, LocustStats } from '../../../../electron/load/types.ts';

let sim: LocustSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const entry = (method: string, name: string, numRequests: number, numFailures: number): LocustEntry => ({
  method, name, numRequests, numFailures, currentRps: 0, currentFailPerSec: 0, p50Ms: 30, p95Ms: 90, p99Ms: 120,
});

/** a Locust driver whose counters the test sets (implements the real interface) */
class ScriptedLocust implements LocustDriver {
  orders = { n: 0, f: 0 };
  products = 0;
  users = 10;
  p99Current: number | null = null;
  constructor(private readonly clock: ManualClock) {}
  async swarm(): Promise<void> {}
  async stop(): Promise<void> {}
  async resetStats(): Promise<void> {}
  async stats(): Promise<LocustStats> {
    const requests = new Map<string, LocustEntry>();
    if (this.orders.n > 0) requests.set('POST /orders', entry('POST', '/orders', this.orders.n, this.orders.f));
    if (this.products > 0) requests.set('GET /products', entry('GET', '/products', this.products, 0));
    const n = this.orders.n + this.products;
    return {
      state: 'running', userCount: this.users, workerCount: 2, failRatio: 0, requests,
      workers: [{ id: 'a', state: 'running', userCount: 5, cpuPercent: 40 }, { id: 'b', state: 'running', userCount: 5, cpuPercent: 93.5 }],
      aggregated: { ...entry('', 'Aggregated', n, this.orders.f), p99Ms: 250 },
      current: { p50Ms: 20, p95Ms: 60, p99Ms: this.p99Current },
      fetchedAt: this.clock.now(),
    };
  }
}

/** the KPI counting one request from a scripted master on a manual clock (the KPI's own request by default) */
function counted(request = 'POST /orders') {
  const clock = new ManualClock(0);
  const locust = new ScriptedLocust(clock);
  return { clock, locust, kpi: createLocustKpi({ driver: locust, request, clock }) };
}

describe('the Locust KPI counts orders exactly', () => {
  it('OPM is Δ(num_requests − num_failures) of the named request over the time between reads', async () => {
    const clock = new ManualClock(1_000_000);
    const locust = new ScriptedLocust(clock);
    const kpi = createLocustKpi({ driver: locust, request: 'POST /orders', clock });
    locust.orders = { n: 50, f: 2 };
    locust.products = 100;
    const first = await kpi.sample();
    expect(first.opm).toBeNull();
    expect(first.note).toMatch(/counting orders from this read/);
    await clock.advance(60_000);
    locust.orders = { n: 50 + 605, f: 2 + 5 };
    locust.products = 100 + 1190;
    const s = await kpi.sample();
    // 600 successful orders in 60 s; 5 failures in 605 + 1190 requests
    expect(s.opm).toBeCloseTo(600, 9);
    expect(s.errorRate).toBeCloseTo(5 / 1795, 9);
    expect(s.window).toEqual({ from: 1_000_000 - 1500, to: 1_060_000 - 1500 });
    expect(s.generatorCpuPct).toBe(93.5);
    expect(s.endpoints).toEqual([
      { name: 'GET /products', requests: 1190, failures: 0, rps: 1190 / 60, p50Ms: 30, p95Ms: 90, p99Ms: 120 },
      { name: 'POST /orders', requests: 605, failures: 5, rps: 605 / 60, p50Ms: 30, p95Ms: 90, p99Ms: 120 },
    ]);
    // no current-window p99 on this master: the aggregate since the reset, said so
    expect(s).toMatchObject({ p99Ms: 250, p99Window: 'since-reset' });
    locust.p99Current = 180;
    await clock.advance(45_000);
    locust.orders = { n: 655 + 225, f: 7 };
    const t = await kpi.sample();
    expect(t.opm).toBeCloseTo(300, 9);
    expect(t).toMatchObject({ p99Ms: 180, p99Window: 'current' });
  });

  it('reads closer than 40 s apart are measured from an earlier read: the span is never so short that the report timing dominates', () => {
    return (async () => {
      const { clock, locust, kpi } = counted();
      locust.orders = { n: 10, f: 0 };
      await kpi.sample();
      // reads every 15 s at 600 orders a minute (a short control interval)
      const spans: number[] = [];
      for (let i = 1; i <= 8; i++) {
        await clock.advance(15_000);
        locust.orders = { n: 10 + 150 * i, f: 0 };
        const s = await kpi.sample();
        if (s.window) spans.push(s.window.to - s.window.from);
        if (s.opm !== null) expect(s.opm).toBeCloseTo(600, 9);
      }
      expect(Math.min(...spans.slice(2))).toBeGreaterThanOrEqual(40_000);
      expect(Math.max(...spans)).toBeLessThanOrEqual(45_000);
    })();
  });

  it('reads on a 20 s schedule, a few ms early or late, count over two intervals every time (not 40 s, then 60 s)', async () => {
    const { clock, locust, kpi } = counted();
    locust.orders = { n: 0, f: 0 };
    await kpi.sample();
    // 1,200 orders a minute; each read lands up to 30 ms off its tick
    const spans: number[] = [];
    let at = 0;
    const late = [5, 30, -20, 10, -25, 0, 20, -10, 15];
    for (let i = 1; i <= 9; i++) {
      const due = i * 20_000 + (late[i - 1] ?? 0);
      await clock.advance(due - at);
      at = due;
      locust.orders = { n: Math.round(at / 50), f: 0 };
      const s = await kpi.sample();
      if (s.window) spans.push(s.window.to - s.window.from);
      if (s.opm !== null) expect(s.opm).toBeCloseTo(1200, -1);
    }
    // the first read after the start spans 20 s; from then on every span is two intervals
    expect(spans.slice(1).every((span) => Math.abs(span - 40_000) < 100)).toBe(true);
  });

  it('the error guard\'s rate is the latest interval\'s: errors that cleared stop counting at once, while the KPI\'s 40 s span still holds them', async () => {
    const { clock, locust, kpi } = counted();
    locust.orders = { n: 10, f: 0 };
    await kpi.sample();
    // 15 s intervals: 150 orders each; the third interval has 30 failures, then they clear
    const rows: { span: number; recent: number | undefined }[] = [];
    for (const [i, failed] of [[1, 0], [2, 0], [3, 30], [4, 0], [5, 0]] as const) {
      await clock.advance(15_000);
      locust.orders = { n: 10 + 150 * i, f: locust.orders.f + failed };
      const s = await kpi.sample();
      rows.push({ span: s.errorRate, recent: s.recentErrorRate });
    }
    expect(rows[2]!.recent).toBeCloseTo(30 / 150, 9);
    // the interval after: the guard sees none, the 40 s span still carries them
    expect(rows[3]!.recent).toBe(0);
    expect(rows[3]!.span).toBeGreaterThan(0.05);
  });

  it('a read too soon after the last is no new measurement: the last one again, same window', async () => {
    const { clock, locust, kpi } = counted();
    locust.orders = { n: 10, f: 0 };
    await kpi.sample();
    await clock.advance(60_000);
    locust.orders = { n: 610, f: 0 };
    const a = await kpi.sample();
    await clock.advance(1_000);
    locust.orders = { n: 640, f: 0 };
    const b = await kpi.sample();
    expect(b.opm).toBe(a.opm);
    expect(b.window).toEqual(a.window);
    expect(b.note).toMatch(/too soon/);
    // the orders of that second are not lost: the next measurement starts from the last one used
    await clock.advance(59_000);
    locust.orders = { n: 1210, f: 0 };
    expect((await kpi.sample()).opm).toBeCloseTo(600, 9);
  });

  it('counters that go back (a stats reset, a restarted master) measure nothing that step, then count again', async () => {
    const { clock, locust, kpi } = counted();
    locust.orders = { n: 1000, f: 0 };
    await kpi.sample();
    await clock.advance(60_000);
    locust.orders = { n: 40, f: 0 };
    const r = await kpi.sample();
    expect(r.opm).toBeNull();
    expect(r.note).toMatch(/counters went back/);
    await clock.advance(60_000);
    locust.orders = { n: 640, f: 0 };
    expect((await kpi.sample()).opm).toBeCloseTo(600, 9);
  });

  it('an unseen request while others flow is unknown (null, with the names seen), not zero', async () => {
    const { clock, locust, kpi } = counted('POST /checkout');
    locust.orders = { n: 10, f: 0 };
    await kpi.sample();
    await clock.advance(60_000);
    locust.orders = { n: 20, f: 0 };
    const k = await kpi.sample();
    expect(k.opm).toBeNull();
    expect(k.note).toMatch(/no Locust request named "POST \/checkout" yet \(seen: POST \/orders\)/);
  });

  it('refuses a request name that is not "METHOD name"', () => {
    const clock = new ManualClock(0);
    const driver = createLocustDriver({ url: 'http://127.0.0.1:9', clock });
    expect(() => createLocustKpi({ driver, request: '/orders', clock })).toThrow(LoadError);
    expect(() => createLocustKpi({ driver, request: 'post /orders', clock })).toThrow(/must be "METHOD name"/);
  });

  it('through the simulator: the counted OPM equals the orders the shop placed over the span, failures beyond capacity show', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const shop = new ShopModel({ capacityOpm: 600, opmPerUserIdle: 6, baseLatencyMs: 40, requestsPerOrder: 4 });
    sim = await startLocustSimulator({ clock, shop });
    const driver = createLocustDriver({ url: sim.url, clock });
    const kpi = createLocustKpi({ driver, request: 'POST /orders', clock });
    await driver.swarm(50, 50);
    await clock.advance(30_000);
    await kpi.sample();
    const before = sim.state().totalOrders;
    await clock.advance(60_000);
    const a = await kpi.sample();
    const placed = sim.state().totalOrders - before;
    expect(a.users).toBe(50);
    expect(a.opm).toBeCloseTo(placed, 6);
    expect(Math.abs(a.opm! - shop.rates(50).ordersPerMinute) / shop.rates(50).ordersPerMinute).toBeLessThan(0.05);
    expect(a.errorRate).toBe(0);
    expect(a.p99Ms).toBeGreaterThan(shop.rates(50).p50Ms);
    // 300 users offer 1800 orders/min to a 600 orders/min shop: failures
    await driver.swarm(300, 100);
    await clock.advance(40_000);
    await kpi.sample();
    await clock.advance(60_000);
    const b = await kpi.sample();
    const over = shop.rates(300);
    expect(over.errorRate).toBeGreaterThan(0.1);
    expect(Math.abs(b.errorRate - over.errorRate)).toBeLessThan(0.03);
    expect(Math.abs(b.opm! - over.ordersPerMinute) / over.ordersPerMinute).toBeLessThan(0.05);
  });
});
