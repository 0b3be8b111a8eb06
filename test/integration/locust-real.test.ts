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
import { SHOP_FIXTURE_DIR, startLocust, waitFor, type LocustCluster } from '../fixtures/shop/processes.ts';
import { locustVersions, requireLocust } from '../fixtures/shop/locust-versions.ts';
import { startIngress } from '../fixtures/shop/ingress.ts';

/**
 * Our driver and Locust KPI against real, distributed Locust — Debian's 2.12 and the current
 * release (2.47, from the tools venv), each a master with its web UI and two workers — placing
 * orders on a real loopback shop that refuses every 10th order.
 *
 * What is compared: Locust's counters against the shop's own. After a stop, once the workers
 * have reported, Locust's successful POST /orders equal the orders the shop created (up to the
 * requests in flight when the users were stopped: at most one per user). A KPI sample over ~30 s
 * agrees with the shop's count over the same span within 8 %: the counts are exact, the span's
 * ends are known to a worker report (3 s) each.
 */
const clock = new ScaledClock(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(locustVersions())('real Locust $label (master + 2 workers) through our driver', (version) => {
  let dir: string;
  let shop: ShopServer;
  let cluster: LocustCluster | undefined;
  const extra: LocustCluster[] = [];
  let driver: HttpLocustDriver;
  const diag = () => (cluster ? `${cluster.master.output().slice(-2000)}\n${cluster.workers.map((w) => w.output().slice(-1000)).join('\n')}` : '');

  async function until(what: string, ok: (s: DriverStats) => boolean, timeoutMs: number, d = driver): Promise<DriverStats> {
    return waitFor(what, async () => {
      const s = await d.stats();
      return ok(s) ? s : null;
    }, timeoutMs, 500, diag);
  }

  beforeAll(async () => {
    const bin = requireLocust(version);
    dir = mkdtempSync(join(tmpdir(), 'conductor-locust-'));
    shop = await startShopServer({ failEvery: 10 });
    cluster = await startLocust(dir, 2, { bin });
    driver = createLocustDriver({ url: cluster.url, clock, timeoutMs: 5000 });
    await waitFor('the Locust web UI', async () => (await fetch(cluster!.url + '/stats/requests')).ok, 30_000, 200, diag);
    await driver.waitForWorkers(2, 30_000);
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), ...extra.map((c) => c.stop())]);
    await shop?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad values before sending anything to the master', async () => {
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent++;
      return fetch(input, init);
    };
    const d = createLocustDriver({ url: cluster!.url, clock, fetch: counting });
    for (const [users, rate, host] of [[-1, 1], [1.5, 1], [5, 0], [5, Number.POSITIVE_INFINITY], [5, 1, 'not a url']] as [number, number, string?][]) {
      const err = await d.swarm(users, rate, host).catch((e: unknown) => e);
      expect(err, `swarm(${users}, ${rate}, ${host})`).toBeInstanceOf(LoadError);
    }
    expect(sent).toBe(0);
    expect((await driver.refreshStats()).userCount).toBe(0);
  });

  it('counts orders exactly: the KPI over a span agrees with the shop, and the totals match the shop counter', async () => {
    await driver.resetStats();
    await sleep(2100);
    const kpi = createLocustKpi({ driver, request: 'POST /orders', clock });
    await driver.swarm(3, 3, shop.url);
    const atN = await until('3 users placing orders', (s) => s.userCount === 3 && (s.requests.get('POST /orders')?.numRequests ?? 0) > 0, 20_000);
    expect(atN.workerCount).toBe(2);
    expect(atN.workers!.map((w) => w.userCount).sort()).toEqual([1, 2]);
    await driver.swarm(8, 8);
    await until('8 users', (s) => s.userCount === 8 && s.state === 'running', 15_000);
    await sleep(3500);
    const start = await kpi.sample();
    expect(start.opm).toBeNull();
    await sleep(30_000);
    const s = await kpi.sample();
    expect(s.opm).not.toBeNull();
    const span = s.window!;
    const truth = (shop.ordersBetween(span.from, span.to) / (span.to - span.from)) * 60_000;
    console.info(`Locust ${version.label}: KPI ${s.opm!.toFixed(1)} vs shop ${truth.toFixed(1)} orders/min over ${((span.to - span.from) / 1000).toFixed(1)} s (${(((s.opm! - truth) / truth) * 100).toFixed(2)} %)`);
    // 8 users, one visit a second, nine of ten orders created: ≈ 432 orders/min
    expect(truth).toBeGreaterThan(300);
    expect(Math.abs(s.opm! - truth) / truth).toBeLessThanOrEqual(0.08);
    // every 10th order refused: the error rate over the span is ~5 % of all requests (orders and products)
    expect(s.errorRate).toBeGreaterThan(0.03);
    expect(s.errorRate).toBeLessThan(0.07);
    expect(s.endpoints!.map((e) => e.name).sort()).toEqual(['GET /products', 'POST /orders']);
    const orders = s.endpoints!.find((e) => e.name === 'POST /orders')!;
    expect(orders.failures).toBeGreaterThan(0);
    expect(orders.rps).toBeGreaterThan(5);
    expect(s.p99Ms).toBeGreaterThan(0);
    expect(s.generatorCpuPct).not.toBeNull();

    await driver.stop();
    await until('state stopped', (x) => x.state === 'stopped', 15_000);
    await sleep(4000);
    const final = await driver.refreshStats();
    const o = final.requests.get('POST /orders')!;
    const created = shop.orders();
    const refused = shop.refused();
    console.info(`Locust ${version.label}: ${o.numRequests - o.numFailures} successful orders counted, shop created ${created}; failures ${o.numFailures}, refused ${refused}`);
    expect(Math.abs(o.numRequests - o.numFailures - created)).toBeLessThanOrEqual(8);
    expect(Math.abs(o.numFailures - refused)).toBeLessThanOrEqual(8);
  }, 120_000);

  it('after /stop the frozen window rates are reported as 0, and /stats/reset clears the counters', async () => {
    const s = await driver.refreshStats();
    expect(s.state).toBe('stopped');
    const raw = (driver.lastRaw as { stats: { name: string; current_rps: number }[] }).stats.at(-1)!;
    expect(raw.current_rps).toBeGreaterThan(0);
    expect(s.ratesFrozen).toBe(true);
    expect(s.aggregated.currentRps).toBe(0);
    await driver.resetStats();
    await waitFor('the counters to clear after /stats/reset', async () => (await driver.refreshStats()).aggregated.numRequests === 0, 8000, 500, diag);
  }, 30_000);

  it('reports a master with no workers instead of pretending to swarm it', async () => {
    const lonely = await startLocust(dir, 0, { bin: version.bin });
    extra.push(lonely);
    await waitFor('the lonely master web UI', async () => (await fetch(lonely.url + '/stats/requests')).ok, 30_000, 200, () => lonely.master.output());
    const d = createLocustDriver({ url: lonely.url, clock });
    expect((await d.stats()).noWorkers).toBe(true);
    await expect(d.swarm(2, 2, shop.url)).rejects.toThrow(/no workers connected/);
  }, 45_000);

  it('behind an ingress that wants a header: reads and drives the master with it, refused without', async () => {
    const ingress = await startIngress(cluster!.url, (h) => h['x-ingress-token'] === 'tok-fixture');
    try {
      const d = createLocustDriver({ url: ingress.url, clock, auth: { header: { name: 'X-Ingress-Token', value: 'tok-fixture' } } });
      expect((await d.refreshStats()).workerCount).toBe(2);
      await d.resetStats();
      const bare = await createLocustDriver({ url: ingress.url, clock }).refreshStats().then(() => null, (e: unknown) => e as Error);
      expect(bare?.message).toMatch(/HTTP 401\): it needs credentials \(spec\.load\.locust\.auth/);
      expect(ingress.refused()).toBe(1);
    } finally {
      await ingress.close();
    }
  });

  it('an abort right after a swarm keeps every worker: the driver leaves Locust time to begin the spawn', async () => {
    // a worker stopped before its spawn began completes the spawn after reporting stopped, and the
    // master asks it to quit; the next run would then find fewer workers than its spec requires
    for (let k = 0; k < 5; k++) {
      await driver.swarm(2, 2, shop.url);
      await driver.stop();
      await waitFor('both workers ready again', async () => ((await driver.refreshStats()).workerCount === 2 ? true : null), 10_000, 500, diag);
    }
    expect(cluster!.master.output()).not.toMatch(/Asking worker to quit/);
  }, 90_000);

  if (version.label === '2.12') {
    it('2.12 --web-auth: basic credentials open it; wrong ones are refused without being repeated', async () => {
      const locked = await startLocust(dir, 0, { bin: version.bin, masterArgs: ['--web-auth', 'ops:fixture-pass'] });
      extra.push(locked);
      await waitFor('the protected master', async () => (await fetch(locked.url + '/stats/requests')).status === 401, 30_000, 200, () => locked.master.output());
      const ok = createLocustDriver({ url: locked.url, clock, auth: { basic: { username: 'ops', password: 'fixture-pass' } } });
      expect((await ok.refreshStats()).noWorkers).toBe(true);
      const wrong = await createLocustDriver({ url: locked.url, clock, auth: { basic: { username: 'ops', password: 'nope-nope' } } }).refreshStats().then(() => null, (e: unknown) => e as Error);
      expect(wrong?.message).toMatch(/the credentials given were not accepted/);
      expect(wrong?.message).not.toMatch(/nope-nope/);
    }, 45_000);

    it('the simulator answers /stats/requests with the same keys as this real 2.12 master', async () => {
      await driver.swarm(2, 2, shop.url);
      await until('requests', (s) => s.aggregated.numRequests > 0, 15_000);
      await driver.refreshStats();
      const real = driver.lastRaw as Record<string, unknown>;
      await driver.stop();
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
        expect(keys((fake.workers as unknown[])[0])).toEqual(keys((real.workers as unknown[])[0]));
      } finally {
        await sim.close();
      }
    }, 45_000);
  } else {
    it('current Locust under --web-base-path: the driver reads, swarms and resets it at the prefix', async () => {
      const prefixed = await startLocust(dir, 2, { bin: version.bin, masterArgs: ['--web-base-path', '/locust'] });
      extra.push(prefixed);
      const d = createLocustDriver({ url: `${prefixed.url}/locust`, clock });
      await waitFor('the prefixed web UI', async () => (await fetch(prefixed.url + '/locust/stats/requests')).ok, 30_000, 200, () => prefixed.master.output());
      await d.waitForWorkers(2, 30_000);
      await d.swarm(2, 2, shop.url);
      await until('2 users', (s) => s.userCount === 2, 15_000, d);
      await d.stop();
      // the workers' last reports (every 3 s) may still carry requests made before the stop: reset once they are in
      let last = -1;
      await waitFor('the stopped workers\' last reports', async () => {
        const s = await d.refreshStats();
        const settled = s.userCount === 0 && s.aggregated.numRequests === last;
        last = s.aggregated.numRequests;
        return settled;
      }, 20_000, 3500);
      await d.resetStats();
      await waitFor('a reset at the prefix', async () => (await d.refreshStats()).aggregated.numRequests === 0, 8000, 500);
    }, 90_000);

    it('current Locust behind its own login page (--web-login): one clear error naming --web-login', async () => {
      const login = await startLocust(dir, 0, { bin: version.bin, masterArgs: ['--web-login'], locustfile: join(SHOP_FIXTURE_DIR, 'locustfile_login.py') });
      extra.push(login);
      await waitFor('the login page', async () => (await fetch(login.url + '/login')).ok, 30_000, 200, () => login.master.output());
      const err = await createLocustDriver({ url: login.url, clock }).refreshStats().then(() => null, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(LoadError);
      expect(err?.message).toMatch(/answers its login page \(--web-login\)/);
    }, 45_000);

    it('current Locust refuses spawn_rate 0 itself (success: false); the driver never sends it', async () => {
      const res = await fetch(`${cluster!.url}/swarm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user_count=2&spawn_rate=0' });
      expect(await res.json()).toMatchObject({ success: false });
    });
  }
});
