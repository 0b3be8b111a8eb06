import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, LoadError, TimeoutError } from '../../../../shared/model/errors.ts';
import { ManualClock } from '../../../support/clocks.ts';
import { createLocustDriver, validateSwarm } from '../../../../electron/load/locust-driver.ts';
import { startLocustSimulator, type LocustSimulator } from '../../../../electron/sandbox/locust-sim.ts';
import { startLoopbackServer, type LoopbackServer } from '../../../../electron/sandbox/http-kit.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function sim(clock: ManualClock, workers = 1): Promise<LocustSimulator> {
  const s = await startLocustSimulator({ clock, workers });
  closers.push(() => s.close());
  return s;
}
async function server(handler: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const s = await startLoopbackServer(handler);
  closers.push(() => s.close());
  return s;
}
const statsGets = (s: LocustSimulator) => s.log.entries.filter((e) => e.path === '/stats/requests').length;

describe('validateSwarm', () => {
  it('accepts integers ≥ 0, finite rates > 0 and http(s) hosts', () => {
    expect(() => validateSwarm(0, 0.5, undefined)).not.toThrow();
    expect(() => validateSwarm(1200, 50, 'https://shop.loadtest.internal')).not.toThrow();
  });
  it.each([
    [-1, 1, undefined, /user count must be an integer ≥ 0, got -1/],
    [2.5, 1, undefined, /user count must be an integer ≥ 0, got 2.5/],
    [Number.NaN, 1, undefined, /user count must be an integer/],
    [2_000_000, 1, undefined, /above the limit of 1000000/],
    [5, 0, undefined, /spawn rate must be a finite number > 0 \(users per second\), got 0/],
    [5, Number.NaN, undefined, /spawn rate must be a finite number > 0/],
    [5, Number.POSITIVE_INFINITY, undefined, /spawn rate must be a finite number > 0/],
    [5, 1, 'shop.internal', /host must be an http\(s\) URL/],
    [5, 1, 'http://a/<script>', /host must be an http\(s\) URL/],
  ])('refuses users=%s rate=%s host=%s', (users, rate, host, message) => {
    expect(() => validateSwarm(users, rate, host)).toThrow(message);
  });
});

describe('createLocustDriver against the simulator', () => {
  it('swarms, reads normalised stats, and says when the rate window has settled', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const s = await sim(clock);
    const d = createLocustDriver({ url: s.url, clock });
    await d.swarm(20, 10, 'http://127.0.0.1:9');
    // 2 s of spawning, seen by the master at the next 3 s worker report
    await clock.advance(6000);
    let st = await d.stats();
    expect(st.state).toBe('running');
    expect(st.userCount).toBe(20);
    expect(st.targetUsers).toBe(20);
    expect(st.ratesSettled).toBe(false);
    expect(s.state().host).toBe('http://127.0.0.1:9');
    // the ramp took 2 s: the window surely covers only 20 users from t+2+17 s
    await clock.advance(11_000);
    expect((await d.stats()).ratesSettled).toBe(false);
    await clock.advance(3000);
    st = await d.stats();
    expect(st.ratesSettled).toBe(true);
    expect(st.requests.get('POST /orders')!.currentRps).toBeGreaterThan(0);
    expect(st.fetchedAt).toBe(clock.now());
    expect(d.lastFreshStatsAt).toBe(clock.now());
  });

  it('does not poll faster than Locust caches (2 s of clock time)', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const s = await sim(clock);
    const d = createLocustDriver({ url: s.url, clock });
    const first = await d.stats();
    await clock.advance(1500);
    const second = await d.stats();
    expect(second.fresh).toBe(false);
    expect(second.fetchedAt).toBe(first.fetchedAt);
    expect(statsGets(s)).toBe(1);
    await clock.advance(600);
    expect((await d.stats()).fresh).toBe(true);
    expect(statsGets(s)).toBe(2);
  });

  it('reports frozen rates after stop as 0 until /stats/reset clears them', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const s = await sim(clock);
    const d = createLocustDriver({ url: s.url, clock });
    await d.swarm(30, 30);
    await clock.advance(20_000);
    expect((await d.stats()).aggregated.currentRps).toBeGreaterThan(0);
    await d.stop();
    await clock.advance(30_000);
    const st = await d.stats();
    expect(st.state).toBe('stopped');
    expect(st.ratesFrozen).toBe(true);
    expect(st.aggregated.currentRps).toBe(0);
    const raw = d.lastRaw as { stats: { current_rps: number }[] };
    expect(raw.stats.at(-1)!.current_rps).toBeGreaterThan(0);
    await d.resetStats();
    await clock.advance(2100);
    await d.stats();
    expect((d.lastRaw as { stats: { current_rps: number }[] }).stats.at(-1)!.current_rps).toBe(0);
  });

  it('refuses to swarm a master without workers', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const s = await sim(clock, 0);
    const d = createLocustDriver({ url: s.url, clock });
    expect((await d.stats()).noWorkers).toBe(true);
    await expect(d.swarm(5, 1)).rejects.toThrow(/has no workers connected: a swarm of 5 users would do nothing/);
    expect(s.log.entries.some((e) => e.path === '/swarm')).toBe(false);
  });

  it('sends nothing when a value is bad', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const d = createLocustDriver({ url: 'http://127.0.0.1:9', clock, fetch: () => (calls++, Promise.reject(new Error('no'))) });
    await expect(d.swarm(3, 0)).rejects.toBeInstanceOf(LoadError);
    expect(calls).toBe(0);
  });

  it('refuses a bad master URL up front', () => {
    const clock = new ManualClock(0);
    expect(() => createLocustDriver({ url: 'locust:8089', clock })).toThrow(/must be http\(s\)|must be an http\(s\) URL/);
    expect(() => createLocustDriver({ url: 'http://u:p@127.0.0.1:1', clock })).toThrow(/must not carry credentials/);
  });
});

describe('createLocustDriver errors, timeouts and retries (loopback servers)', () => {
  it('times out a master that does not answer, with a TimeoutError naming the request', async () => {
    const s = await server(() => new Promise<void>(() => {}));
    const d = createLocustDriver({ url: s.url, clock: new ManualClock(0), timeoutMs: 150, retries: 1, retryDelayMs: 10 });
    const err = await d.refreshStats().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/did not answer GET \/stats\/requests within 150 ms/);
  });

  it('retries 5xx on GETs a bounded number of times', async () => {
    let n = 0;
    const s = await server((_req, res) => {
      n++;
      if (n <= 2) {
        res.writeHead(503);
        res.end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ stats: [], state: 'ready', user_count: 0, workers: [{ id: 'w' }] }));
    });
    const d = createLocustDriver({ url: s.url, clock: new ManualClock(0), retries: 2, retryDelayMs: 5 });
    expect((await d.refreshStats()).state).toBe('ready');
    expect(n).toBe(3);
    n = -10; // always failing from here on
    const d2 = createLocustDriver({ url: s.url, clock: new ManualClock(0), retries: 2, retryDelayMs: 5 });
    const before = n;
    await expect(d2.refreshStats()).rejects.toThrow(/answered HTTP 503 to GET \/stats\/requests: busy/);
    expect(n - before).toBe(3);
  });

  it('does not retry a swarm the master rejects (HTTP 500), and says so', async () => {
    let swarms = 0;
    const s = await server((req, res) => {
      if (req.url === '/swarm') {
        swarms++;
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<h1>Internal Server Error</h1>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ stats: [], state: 'ready', user_count: 0, workers: [{ id: 'w' }] }));
    });
    const d = createLocustDriver({ url: s.url, clock: new ManualClock(0), retryDelayMs: 5 });
    await expect(d.swarm(1, 1)).rejects.toThrow(/answered HTTP 500 to POST \/swarm: Internal Server Error/);
    expect(swarms).toBe(1);
  });

  it('names an unreachable master, a non-Locust URL, and an aborted call', async () => {
    const clock = new ManualClock(0);
    const gone = await server(() => undefined);
    const url = gone.url;
    await gone.close();
    await expect(createLocustDriver({ url, clock, retries: 0 }).refreshStats()).rejects.toThrow(/cannot reach the Locust master at http:\/\/127\.0\.0\.1:\d+ \(GET \/stats\/requests\): ECONNREFUSED/);
    const html = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    await expect(createLocustDriver({ url: html.url, clock }).refreshStats()).rejects.toThrow(/is not JSON; is the URL a Locust master web UI/);
    const missing = await server((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    await expect(createLocustDriver({ url: missing.url, clock }).refreshStats()).rejects.toThrow(/has no \/stats\/requests \(HTTP 404\)/);
    const ac = new AbortController();
    ac.abort();
    await expect(createLocustDriver({ url: html.url, clock }).refreshStats(ac.signal)).rejects.toBeInstanceOf(AbortedError);
  });

  it('sends the swarm form the way Locust expects it', async () => {
    let body = '';
    let type = '';
    const s = await server(async (req, res) => {
      if (req.url === '/swarm') {
        type = String(req.headers['content-type']);
        for await (const c of req) body += String(c);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"success": true, "message": "Swarming started", "host": ""}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ stats: [], state: 'ready', user_count: 0, workers: [{ id: 'w' }] }));
    });
    await createLocustDriver({ url: s.url, clock: new ManualClock(0) }).swarm(42, 1 / 3, 'https://shop.example');
    expect(type).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ user_count: '42', spawn_rate: '0.333333', host: 'https://shop.example' });
  });
});
