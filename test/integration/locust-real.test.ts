import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError } from '../../shared/model/errors.ts';
import { ScaledClock } from '../../electron/base/clock.ts';
import { createLocustDriver, type DriverStats, type HttpLocustDriver } from '../../electron/load/locust-driver.ts';
import { createLocustKpi } from '../../electron/load/kpi/locust-kpi.ts';
import { startLocustSimulator } from '../../electron/sandbox/locust-sim.ts';
import { startShopServer, type ShopServer } from '../fixtures/shop/server.ts';
import { startLocust, waitFor, type LocustCluster } from '../fixtures/shop/processes.ts';

/**
 * Our driver and Locust KPI against a real, distributed Locust (Debian's python3-locust 2.12:
 * a master with its web UI and one worker) placing orders on a real loopback shop.
 *
 * Tolerance: the Locust KPI (successful POST /orders current_rps × 60) must agree with the shop's
 * own order counter within ±15 %. Locust's current_rps averages the seconds [L-12 s, L-2 s) where
 * L is the last request the master heard of (a worker report every 3 s, a 2 s cache), so the KPI
 * is compared once the driver says the window holds only the new user count (`ratesSettled`),
 * against the shop's rate over its last 10 s. Each user places exactly one order per second.
 */
const TOLERANCE = 0.15;
const clock = new ScaledClock(1);

let dir: string;
let shop: ShopServer;
let cluster: LocustCluster | undefined;
let lonely: LocustCluster | undefined;
let driver: HttpLocustDriver;

const diag = () => (cluster ? `${cluster.master.output().slice(-2000)}\n${cluster.workers.map((w) => w.output().slice(-1000)).join('\n')}` : '');

/** poll the driver at Locust's cache interval until `ok` holds */
async function until(what: string, ok: (s: DriverStats) => boolean, timeoutMs: number): Promise<DriverStats> {
  return waitFor(
    what,
    async () => {
      const s = await driver.stats();
      return ok(s) ? s : null;
    },
    timeoutMs,
    500,
    diag,
  );
}

/** the shop's own orders per minute over the last `windowMs` real ms */
function shopOpm(windowMs: number): number {
  const now = Date.now();
  const n = shop.orderTimes().filter((t) => t > now - windowMs).length;
  return (n / windowMs) * 60_000;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conductor-locust-'));
  shop = await startShopServer();
  cluster = await startLocust(dir, 1);
  driver = createLocustDriver({ url: cluster.url, clock, timeoutMs: 5000 });
  await waitFor('the Locust web UI', async () => (await fetch(cluster!.url + '/stats/requests')).ok, 20_000, 200, diag);
  await driver.waitForWorkers(1, 20_000);
});

afterAll(async () => {
  await Promise.all([cluster?.stop(), lonely?.stop()]);
  await shop?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('real Locust 2.12 (master + 1 worker) through our driver', () => {
  it('refuses bad values before sending anything to the master', async () => {
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent++;
      return fetch(input, init);
    };
    const d = createLocustDriver({ url: cluster!.url, clock, fetch: counting });
    const bad: [number, number, string?][] = [
      [-1, 1],
      [1.5, 1],
      [Number.NaN, 1],
      [5, 0],
      [5, -2],
      [5, Number.POSITIVE_INFINITY],
      [5, 1, 'not a url'],
      [5, 1, 'ftp://127.0.0.1/'],
    ];
    for (const [users, rate, host] of bad) {
      const err = await d.swarm(users, rate, host).catch((e: unknown) => e);
      expect(err, `swarm(${users}, ${rate}, ${host})`).toBeInstanceOf(LoadError);
      expect((err as LoadError).message).toMatch(/user count must be an integer ≥ 0|spawn rate must be a finite number > 0|host must be an http\(s\) URL/);
    }
    expect(sent).toBe(0);
    const s = await driver.refreshStats();
    expect(s.userCount).toBe(0);
  });

  it('why: the master itself answers success to spawn_rate=0 and gets stuck in "spawning" (the simulator too)', async () => {
    const raw = (url: string) =>
      fetch(`${url}/swarm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `user_count=2&spawn_rate=0&host=${encodeURIComponent(shop.url)}` });
    const real = await raw(cluster!.url);
    expect(real.status).toBe(200);
    expect(await real.json()).toMatchObject({ success: true });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await driver.refreshStats()).toMatchObject({ state: 'spawning', userCount: 0 });
    expect(cluster!.master.output()).toMatch(/ZeroDivisionError/);
    const simClock = new ScaledClock(50);
    const sim = await startLocustSimulator({ clock: simClock });
    try {
      expect((await raw(sim.url)).status).toBe(200);
      await simClock.sleep(5000);
      expect(await createLocustDriver({ url: sim.url, clock: simClock }).refreshStats()).toMatchObject({ state: 'spawning', userCount: 0 });
    } finally {
      await sim.close();
    }
  });

  it('swarms N users, retargets to M, and the Locust KPI agrees with the shop counter (±15 %)', async () => {
    const kpi = createLocustKpi({ driver, request: 'POST /orders', clock });
    await driver.swarm(3, 3, shop.url);
    const atN = await until('3 users placing orders', (s) => s.userCount === 3 && (s.requests.get('POST /orders')?.numRequests ?? 0) > 0, 15_000);
    expect(atN.state).toMatch(/spawning|running/);
    expect(atN.workerCount).toBe(1);
    expect(atN.shape).toBe('locust-2.12');
    expect(shop.orders()).toBeGreaterThan(0);

    await driver.swarm(6, 6);
    await until('6 users', (s) => s.userCount === 6 && s.state === 'running', 10_000);
    const settled = await until('a whole rate window at 6 users', (s) => s.ratesSettled, 25_000);
    expect(settled.userCount).toBe(6);
    const sample = await kpi.sample();
    const truth = shopOpm(10_000);
    expect(sample.opm).not.toBeNull();
    console.info(`locust KPI ${sample.opm!.toFixed(1)} vs shop ${truth.toFixed(1)} orders/min (${(((sample.opm! - truth) / truth) * 100).toFixed(1)} %)`);
    expect(sample.users).toBe(6);
    expect(sample.errorRate).toBe(0);
    // 6 users × 1 visit/s, one order per visit: ≈ 360 orders/min
    expect(truth).toBeGreaterThan(200);
    expect(Math.abs(sample.opm! - truth) / truth, `KPI ${sample.opm} vs shop ${truth.toFixed(1)} orders/min`).toBeLessThanOrEqual(TOLERANCE);
    expect(sample.p99Ms).toBeGreaterThan(0);
  }, 45_000);

  it('the simulator answers /stats/requests with the same keys as this real master', async () => {
    const real = driver.lastRaw as Record<string, unknown>;
    const simClock = new ScaledClock(50);
    const sim = await startLocustSimulator({ clock: simClock });
    try {
      const simDriver = createLocustDriver({ url: sim.url, clock: simClock });
      await simDriver.swarm(10, 10);
      await simClock.sleep(6000);
      await simDriver.refreshStats();
      const fake = simDriver.lastRaw as Record<string, unknown>;
      const keys = (o: unknown) => Object.keys(o as object).sort();
      expect(keys(fake)).toEqual(keys(real));
      const realStats = real.stats as Record<string, unknown>[];
      const fakeStats = fake.stats as Record<string, unknown>[];
      expect(keys(fakeStats[0])).toEqual(keys(realStats[0]));
      expect(keys(fakeStats.at(-1))).toEqual(keys(realStats.at(-1)));
      expect(fakeStats.at(-1)!.name).toBe('Aggregated');
      expect(keys((fake.workers as unknown[])[0])).toEqual(keys((real.workers as unknown[])[0]));
    } finally {
      await sim.close();
    }
  });

  it('stop: state stopped, no more orders reach the shop, frozen rates are reported as 0', async () => {
    await driver.stop();
    const s = await until('state stopped', (x) => x.state === 'stopped', 10_000);
    expect(s.userCount).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    const before = shop.orders();
    await new Promise((r) => setTimeout(r, 2500));
    expect(shop.orders()).toBe(before);
    // Locust keeps showing the last window's rate after /stop; the driver does not pass it on
    const raw = (driver.lastRaw as { stats: { name: string; current_rps: number }[] }).stats.at(-1)!;
    expect(raw.current_rps).toBeGreaterThan(0);
    expect(s.ratesFrozen).toBe(true);
    expect(s.aggregated.currentRps).toBe(0);
    const kpi = await createLocustKpi({ driver, request: 'POST /orders', clock }).sample();
    expect(kpi.opm).toBe(0);
    // /stats/reset clears the frozen window (visible once Locust's 2 s cache expires)
    await driver.resetStats();
    await waitFor(
      'the rates to clear after /stats/reset',
      async () => {
        await driver.refreshStats();
        const agg = (driver.lastRaw as { stats: { current_rps: number; num_requests: number }[] }).stats.at(-1)!;
        return agg.current_rps === 0 && agg.num_requests === 0;
      },
      6000,
      500,
    );
  }, 30_000);

  it('reports a master with no workers instead of pretending to swarm it', async () => {
    lonely = await startLocust(dir, 0);
    await waitFor('the lonely master web UI', async () => (await fetch(lonely!.url + '/stats/requests')).ok, 20_000, 200, () => lonely!.master.output());
    const d = createLocustDriver({ url: lonely.url, clock });
    const s = await d.stats();
    expect(s.noWorkers).toBe(true);
    expect(s.workerCount).toBe(0);
    const err = await d.swarm(2, 2, shop.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).message).toMatch(/no workers connected/);
    // what the check protects against: the master itself answers success and runs nothing
    const permissive = createLocustDriver({ url: lonely.url, clock, requireWorkers: false });
    await permissive.swarm(2, 2, shop.url);
    await new Promise((r) => setTimeout(r, 2500));
    const after = await permissive.refreshStats();
    expect(after.userCount).toBe(0);
    expect(after.aggregated.numRequests).toBe(0);
  }, 30_000);
});
