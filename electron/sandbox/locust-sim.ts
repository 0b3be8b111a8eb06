import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../base/clock.ts';
import { readBody, RequestLog, sendJson, startLoopbackServer } from './http-kit.ts';
import { LocustSimEngine, type SimSnapshot } from './locust-sim/engine.ts';
import { ShopModel } from './shop-model.ts';

export type { SimSnapshot, SimRunState } from './locust-sim/engine.ts';

/**
 * A Locust-compatible master web API on 127.0.0.1, driven by the sandbox shop model on the
 * sandbox clock. Same endpoints and the same JSON as Locust 2.12 (Debian's): `POST /swarm`
 * (form), `GET /stats/requests` (cached 2 s, `current_rps` over [last-12 s, last-2 s) that lags and
 * freezes after `/stop` until `/stats/reset`), `GET /stop`, `GET /stats/reset`, `GET /`.
 * Unparseable or missing form values answer HTTP 500 like Locust; `spawn_rate` 0/inf/nan or a
 * negative `user_count` are answered with success and leave the master stuck in "spawning" (what
 * Locust 2.12 does when its swarm greenlet crashes); with `workers: 0` swarms are accepted and do
 * nothing, like a real master without workers.
 */
export interface LocustSimulatorOptions {
  clock: Clock;
  shop?: ShopModel;
  /** 0 = ephemeral */
  port?: number;
  /** connected workers (default 1) */
  workers?: number;
  /** the order request as Locust names it (default "POST /orders") */
  requestName?: 'POST /orders' | (string & {});
  /** clock ms Locust caches /stats/requests (default 2000) */
  statsCacheMs?: number;
}

export interface LocustSimulator {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** simulation truth (users now, orders placed) — what a real shop's own counters would say */
  state(): SimSnapshot;
  setShop(model: ShopModel): void;
  readonly log: RequestLog;
  /** messages the master would log (e.g. a crashed swarm greenlet) */
  readonly messages: string[];
}

/** Python's int(): optional sign, digits with single underscores, surrounding whitespace */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
/** Python's float(): decimal or exponent forms, inf/infinity/nan */
const PY_FLOAT = /^\s*[+-]?(?:(?=\.?\d)(?:\d+(?:_\d+)*)?(?:\.(?:\d+(?:_\d+)*)?)?(?:[eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;

function pyFloat(s: string): number {
  const t = s.trim().toLowerCase().replace(/_/g, '');
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  return Number(t);
}

/** Flask's jsonify sorts object keys; so do we */
function sortedKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const INTERNAL_ERROR_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';

export async function startLocustSimulator(options: LocustSimulatorOptions): Promise<LocustSimulator> {
  const clock = options.clock;
  const engine = new LocustSimEngine({
    clock,
    shop: options.shop ?? new ShopModel(),
    workers: options.workers ?? 1,
    requestName: options.requestName ?? 'POST /orders',
  });
  const cacheMs = options.statsCacheMs ?? 2000;
  const log = new RequestLog(10_000);
  const messages: string[] = [];
  const note = (m: string) => {
    messages.push(m);
    if (messages.length > 1000) messages.shift();
  };
  let cache: { at: number; body: string } | null = null;

  const fail500 = (res: ServerResponse, why: string) => {
    note(`swarm refused: ${why}`);
    res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
    res.end(INTERNAL_ERROR_PAGE);
    return 500;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/') {
      const s = engine.snapshot();
      const html = `<!doctype html><html><head><title>Locust (sandbox simulator)</title></head><body><h1>Locust — sandbox simulator</h1><p>state: ${s.state}, users: ${s.reportedUsers}, workers: ${s.workers}</p></body></html>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return 200;
    }
    if (method === 'GET' && path === '/stats/requests') {
      const now = clock.now();
      // Locust memoizes this view for 2 s (its cache, not ours to bypass)
      if (!cache || now - cache.at > cacheMs) cache = { at: now, body: JSON.stringify(engine.statsJson(), sortedKeys) };
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(cache.body) });
      res.end(cache.body);
      return 200;
    }
    if (method === 'POST' && path === '/swarm') {
      const form = new URLSearchParams(await readBody(req, 64 * 1024));
      const userRaw = form.get('user_count');
      const rateRaw = form.get('spawn_rate');
      if (userRaw === null) return fail500(res, 'user_count missing');
      if (rateRaw === null) return fail500(res, 'spawn_rate missing');
      if (!PY_INT.test(userRaw)) return fail500(res, `invalid literal for int(): ${JSON.stringify(userRaw)}`);
      if (!PY_FLOAT.test(rateRaw)) return fail500(res, `could not convert string to float: ${JSON.stringify(rateRaw)}`);
      const users = Number(userRaw.trim().replace(/_/g, ''));
      const spawnRate = pyFloat(rateRaw);
      const host = form.get('host') ?? undefined;
      if (!(spawnRate > 0) || !Number.isFinite(spawnRate) || users < 0) {
        // Locust 2.12 answers success, its swarm greenlet dies (ZeroDivisionError, OverflowError)
        // and the master sits in "spawning"
        note(`Unhandled exception in greenlet: MasterRunner.start(${users}, ${rateRaw})`);
        engine.jam(host);
      } else if (!engine.swarm(users, spawnRate, host)) {
        note("You can't start a distributed test before at least one worker processes has connected");
      }
      sendJson(res, 200, { success: true, message: 'Swarming started', host: engine.host });
      return 200;
    }
    if (method === 'GET' && path === '/stop') {
      engine.stop();
      sendJson(res, 200, { success: true, message: 'Test stopped' });
      return 200;
    }
    if (method === 'GET' && path === '/stats/reset') {
      engine.resetStats();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('ok');
      return 200;
    }
    if (method === 'GET' && path === '/exceptions') {
      sendJson(res, 200, { exceptions: [] });
      return 200;
    }
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>404 Not Found</title><h1>Not Found</h1>');
    return 404;
  }

  const server = await startLoopbackServer(async (req, res) => {
    const status = await handle(req, res);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    log.add({ t: clock.now(), method: req.method ?? 'GET', path, status, mutating: req.method === 'POST' || path === '/stop' || path === '/stats/reset' });
  }, options.port ?? 0);

  return {
    url: server.url,
    port: server.port,
    close: () => server.close(),
    state: () => engine.snapshot(),
    setShop(model) {
      engine.catchUp();
      engine.shop = model;
    },
    log,
    messages,
  };
}
