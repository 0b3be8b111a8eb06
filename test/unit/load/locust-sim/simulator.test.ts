import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock, type Clock } from '../../../../electron/base/clock.ts';
import { ManualClock } from '../../../support/clocks.ts';
import { startLocustSimulator, type LocustSimulator } from '../../../../electron/sandbox/locust-sim.ts';
import { ShopModel } from '../../../../electron/sandbox/shop-model.ts';

// Tests for electron/sandbox/locust-sim.ts (kept under test/unit/load/ with the other Locust tests).

let sim: LocustSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(clock: Clock, opts: { workers?: number; shop?: ShopModel } = {}) {
  sim = await startLocustSimulator({ clock, ...opts });
  return sim;
}
const swarm = (s: LocustSimulator, form: Record<string, string>) =>
  fetch(`${s.url}/swarm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

interface Entry { method: string | null; name: string; current_rps: number; current_fail_per_sec: number; num_requests: number }
interface Body { state: string; user_count: number; total_rps: number; stats: Entry[]; workers: { user_count: number }[]; errors: unknown[] }
const stats = async (s: LocustSimulator) => (await (await fetch(`${s.url}/stats/requests`)).json()) as Body;
const orders = (b: Body) => b.stats.find((e) => e.name === '/orders');

describe('Locust simulator: the Locust 2.12 web API', () => {
  it('answers the 2.12 JSON shape: sorted keys, per-request entries, Aggregated last, workers', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const s = await start(clock, { workers: 2 });
    expect((await swarm(s, { user_count: '9', spawn_rate: '9' })).status).toBe(200);
    await clock.advance(9000);
    const text = await (await fetch(`${s.url}/stats/requests`)).text();
    const body = JSON.parse(text) as Body & Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['current_response_time_percentile_50', 'current_response_time_percentile_95', 'errors', 'fail_ratio', 'state', 'stats', 'total_rps', 'user_count', 'workers']);
    expect(body.stats.map((e) => `${e.method} ${e.name}`)).toEqual(['POST /cart', 'POST /orders', 'GET /products', 'null Aggregated']);
    expect(Object.keys(body.stats[0]!)).toEqual(['avg_content_length', 'avg_response_time', 'current_fail_per_sec', 'current_rps', 'max_response_time', 'median_response_time', 'method', 'min_response_time', 'name', 'ninetieth_response_time', 'ninety_ninth_response_time', 'num_failures', 'num_requests', 'safe_name']);
    expect(body.user_count).toBe(9);
    expect(body.workers.map((w) => w.user_count)).toEqual([5, 4]);
    expect(body.total_rps).toBe(body.stats.at(-1)!.current_rps);
  });

  it('serves / and 404s unknown paths; /stats/reset answers "ok"', async () => {
    const s = await start(new ManualClock(0));
    const home = await fetch(s.url + '/');
    expect(home.status).toBe(200);
    expect(await home.text()).toMatch(/Locust/);
    expect((await fetch(s.url + '/nope')).status).toBe(404);
    expect(await (await fetch(s.url + '/stats/reset')).text()).toBe('ok');
  });

  it('answers HTTP 500 to bad or missing form values, like Locust', async () => {
    const s = await start(new ManualClock(0));
    const forms: Record<string, string>[] = [{ spawn_rate: '1' }, { user_count: '5' }, { user_count: 'five', spawn_rate: '1' }, { user_count: '1.5', spawn_rate: '1' }, { user_count: '5', spawn_rate: 'fast' }];
    for (const form of forms) expect((await swarm(s, form)).status, JSON.stringify(form)).toBe(500);
    expect(s.state().targetUsers).toBe(0);
  });

  it.each([
    ['0', '5'],
    ['inf', '5'],
    ['1', '-3'],
  ])('spawn_rate=%s user_count=%s is "accepted" and leaves the master stuck in spawning (as Locust 2.12 does)', async (rate, users) => {
    const clock = new ManualClock(0);
    const s = await start(clock);
    const r = await swarm(s, { user_count: users, spawn_rate: rate });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ success: true });
    await clock.advance(10_000);
    expect(s.state()).toMatchObject({ state: 'spawning', users: 0 });
    expect(s.messages.join('\n')).toMatch(/Unhandled exception in greenlet/);
    // a valid swarm gets it going again
    await swarm(s, { user_count: '4', spawn_rate: '4' });
    await clock.advance(6000);
    expect(s.state()).toMatchObject({ state: 'running', users: 4 });
  });

  it('a master without workers accepts a swarm and runs nothing', async () => {
    const clock = new ManualClock(0);
    const s = await start(clock, { workers: 0 });
    expect((await swarm(s, { user_count: '5', spawn_rate: '5' })).status).toBe(200);
    await clock.advance(10_000);
    const b = await stats(s);
    expect(b.workers).toEqual([]);
    expect(b.user_count).toBe(0);
    expect(b.state).toBe('ready');
  });

  it('caches /stats/requests for 2 s of clock time', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const s = await start(clock);
    await swarm(s, { user_count: '10', spawn_rate: '10' });
    await clock.advance(15_000);
    const a = await (await fetch(`${s.url}/stats/requests`)).text();
    await clock.advance(1900);
    expect(await (await fetch(`${s.url}/stats/requests`)).text()).toBe(a);
    await clock.advance(3200);
    expect(await (await fetch(`${s.url}/stats/requests`)).text()).not.toBe(a);
  });
});

describe('Locust simulator: the current_rps window', () => {
  it('lags a retarget by about 12 s, then matches the shop model', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const shop = new ShopModel({ capacityOpm: 100_000, opmPerUserIdle: 6, baseLatencyMs: 40, requestsPerOrder: 4 });
    const s = await start(clock, { shop });
    await swarm(s, { user_count: '10', spawn_rate: '100' });
    await clock.advance(30_000);
    const low = orders(await stats(s))!.current_rps;
    expect(low * 60).toBeCloseTo(shop.rates(10).ordersPerMinute, 0);
    await swarm(s, { user_count: '40', spawn_rate: '100' });
    await clock.advance(6000);
    const early = orders(await stats(s))!.current_rps;
    expect(early).toBeGreaterThan(low);
    expect(early * 60).toBeLessThan(shop.rates(40).ordersPerMinute * 0.75);
    await clock.advance(15_000);
    expect(orders(await stats(s))!.current_rps * 60).toBeCloseTo(shop.rates(40).ordersPerMinute, 0);
  });

  it('freezes after /stop until /stats/reset', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const s = await start(clock);
    await swarm(s, { user_count: '20', spawn_rate: '20' });
    await clock.advance(30_000);
    const running = orders(await stats(s))!.current_rps;
    expect(running).toBeGreaterThan(0);
    const placed = s.state().totalOrders;
    await fetch(`${s.url}/stop`);
    await clock.advance(60_000);
    const after = await stats(s);
    expect(after.state).toBe('stopped');
    expect(after.user_count).toBe(0);
    expect(orders(after)!.current_rps).toBeGreaterThan(0);
    expect(s.state().totalOrders - placed).toBeLessThanOrEqual(running * 3 + 1); // at most the last report interval
    const stillPlaced = s.state().totalOrders;
    await clock.advance(30_000);
    expect(s.state().totalOrders).toBe(stillPlaced);
    await fetch(`${s.url}/stats/reset`);
    await clock.advance(2100);
    const reset = await stats(s);
    expect(orders(reset)!.current_rps).toBe(0);
    expect(orders(reset)!.num_requests).toBe(0);
  });

  it('reports failures and errors once the shop is past capacity, and follows setShop', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const s = await start(clock, { shop: new ShopModel({ capacityOpm: 100_000, opmPerUserIdle: 6, baseLatencyMs: 40 }) });
    await swarm(s, { user_count: '200', spawn_rate: '200' });
    await clock.advance(20_000);
    expect(orders(await stats(s))!.current_fail_per_sec).toBe(0);
    s.setShop(new ShopModel({ capacityOpm: 300, opmPerUserIdle: 6, baseLatencyMs: 40 }));
    await clock.advance(20_000);
    const b = await stats(s);
    expect(orders(b)!.current_fail_per_sec).toBeGreaterThan(0);
    expect(b.errors.length).toBeGreaterThan(0);
    expect(b.errors[0]).toMatchObject({ method: expect.any(String), name: expect.any(String), error: expect.stringMatching(/503/), occurrences: expect.any(Number) });
  });
});

describe('Locust simulator on a ScaledClock', () => {
  it('runs faster than real time: a minute of load is simulated in a fraction of a second', async () => {
    const clock = new ScaledClock(300);
    const s = await start(clock);
    const t0 = clock.now();
    await swarm(s, { user_count: '30', spawn_rate: '1' });
    await clock.sleep(60_000); // 0.2 s real
    const st = s.state();
    expect(st.simulatedUntil - t0).toBeGreaterThanOrEqual(54_000);
    expect(st.users).toBeGreaterThanOrEqual(27); // spawned at 1 user/s of simulated time
    expect(st.totalOrders).toBeGreaterThan(0);
  });
});
