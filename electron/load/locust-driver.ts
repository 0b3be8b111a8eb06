import { AbortedError, LoadError, TimeoutError } from '../../shared/model/errors.ts';
import type { Clock } from '../base/clock.ts';
import { silentLogger, type Logger } from '../base/logger.ts';
import { parseLocustStats, type ParsedLocustStats } from './locust-stats.ts';
import type { LocustDriver } from './types.ts';

export { parseLocustStats, detectLocustShape, requestKey, type LocustShape, type ParsedLocustStats } from './locust-stats.ts';

/**
 * A client of a Locust master's web API (`POST /swarm`, `GET /stats/requests`, `GET /stop`,
 * `GET /stats/reset`) that knows the engine's habits:
 *
 * - every value is validated before it is sent (Locust answers 500 on a bad form value and
 *   crashes a greenlet on `spawn_rate=0`);
 * - a master with no workers accepts a swarm and does nothing: the driver refuses to swarm it;
 * - a stop right after a swarm can make a worker quit: the driver leaves 2 s between them;
 * - `/stats/requests` is cached by Locust for 2 s: the driver polls no faster (clock time) and
 *   says when its numbers were last fetched;
 * - `current_rps` is a ~10 s window that lags a change by 12–17 s and freezes after `/stop` until
 *   `/stats/reset`: the driver reports rates of 0 when nothing runs (`ratesFrozen`) and says
 *   when the window covers only the current user count (`ratesSettled`);
 * - `/stop` and `/stats/reset` are GETs on 2.12 and POST-only on current versions (405 to a GET):
 *   the driver sends what the master's answers say it is and switches once on a 405;
 * - a path prefix (`--web-base-path`) is part of the URL; credentials an ingress wants (a header
 *   or HTTP basic, also 2.12's `--web-auth`) come in `auth`, already resolved from their
 *   reference, and never appear in a message or a log; a master behind Locust's own login page
 *   (`--web-login`, a browser session) is refused with one clear error.
 */

/** Locust's own cache of `/stats/requests` (seconds in Locust, ms here) */
export const LOCUST_STATS_CACHE_MS = 2_000;
/**
 * `current_rps` averages the seconds [L-12, L-2) where L is the last request time the master
 * knows; L trails now by up to one worker report (3 s) plus Locust's cache (2 s). So the window
 * holds only the current user count 17 s after that count was reached.
 */
export const LOCUST_RATE_WINDOW_LAG_MS = 12_000 + 3_000 + LOCUST_STATS_CACHE_MS;

/**
 * A `/stop` this soon after a `/swarm` waits out the rest: a worker that gets the stop before it
 * has begun the spawn it was just sent (the first swarm after a stop) reports stopped, then
 * completes the spawn; the master, which dropped it on the stop, asks it to quit ("Got
 * spawning_complete message from unknown worker"), and the worker process exits. Measured on this
 * machine: a stop sent right after a swarm lost the worker within two tries of ten, on 2.12 and 2.47
 * alike; a stop 1 s after it lost none of ten.
 */
export const STOP_AFTER_SWARM_MS = 2_000;

export interface DriverStats extends ParsedLocustStats {
  /** clock time this answer was asked of the master (what its counters are as of) */
  fetchedAt: number;
  /** false when served from the driver's cache (younger than `minPollIntervalMs`) */
  fresh: boolean;
  /** nothing runs but Locust still shows the last window's rates: rates here are reported as 0 */
  ratesFrozen: boolean;
  /** the user count has been at the last swarm's target for a whole rate window */
  ratesSettled: boolean;
  /** user count of the last swarm sent through this driver (null before any) */
  targetUsers: number | null;
}

export interface HttpLocustDriver extends LocustDriver {
  readonly url: string;
  stats(signal?: AbortSignal): Promise<DriverStats>;
  /** bypass the driver's cache (Locust's own 2 s cache still applies) */
  refreshStats(signal?: AbortSignal): Promise<DriverStats>;
  /** the raw JSON of the last fresh `/stats/requests` (for diagnostics and shape tests) */
  readonly lastRaw: unknown;
  /** clock time of the last fresh `/stats/requests`, null before the first */
  readonly lastFreshStatsAt: number | null;
  /** poll (at the cache interval) until at least `count` workers are connected */
  waitForWorkers(count: number, timeoutMs: number, signal?: AbortSignal): Promise<DriverStats>;
}

export interface LocustDriverOptions {
  /** the master's web UI, e.g. http://127.0.0.1:8089 */
  url: string;
  fetch?: typeof fetch;
  clock: Clock;
  /** per request, real milliseconds (default 10 000) */
  timeoutMs?: number;
  logger?: Logger;
  /** extra attempts after a network error, timeout or 5xx on idempotent GETs (default 2) */
  retries?: number;
  /** first retry delay in real ms, doubled each time (default 250) */
  retryDelayMs?: number;
  /** do not fetch /stats/requests more often than this (clock ms; default 2000, Locust's cache) */
  minPollIntervalMs?: number;
  /** how long after reaching a user count the rate window reflects only it (default 17 s) */
  rateWindowLagMs?: number;
  /** refuse to swarm a master that reports an empty `workers` list (default true) */
  requireWorkers?: boolean;
  /** upper bound on the user count a swarm may ask for (default 1 000 000) */
  maxUsers?: number;
  /** credentials for the master (resolved from the spec's references; never logged) */
  auth?: LocustAuth;
}

/** what a master (or the ingress in front of it) wants: a header, or HTTP basic (2.12's --web-auth too) */
export type LocustAuth = { header: { name: string; value: string } } | { basic: { username: string; password: string } };

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function authHeaders(auth: LocustAuth | undefined): Record<string, string> {
  if (!auth) return {};
  if ('header' in auth) {
    if (!HEADER_NAME.test(auth.header.name)) throw new LoadError('Locust auth: the header name is not a valid HTTP header name', { field: 'auth.header.name' });
    if (/[\r\n\0]/.test(auth.header.value)) throw new LoadError('Locust auth: the header value contains a line break or NUL', { field: 'auth.header.value' });
    return { [auth.header.name.toLowerCase()]: auth.header.value };
  }
  if (auth.basic.username.includes(':')) throw new LoadError('Locust auth: a basic-auth username cannot contain ":"', { field: 'auth.basic.username' });
  return { authorization: 'Basic ' + Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64') };
}

/** Locust's own login page (--web-login) or its auth error text, answered where JSON was asked for */
function isLoginPage(finalUrl: string, text: string): boolean {
  let path = '';
  try {
    path = new URL(finalUrl).pathname;
  } catch {
    path = '';
  }
  return /\/login\/?$/.test(path) || text.includes('window.authArgs') || text.startsWith('Locust auth exception');
}

const sleepReal = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('Locust request aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError('Locust request aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function validateSwarm(users: unknown, spawnRate: unknown, host: unknown, maxUsers = 1_000_000): void {
  if (typeof users !== 'number' || !Number.isSafeInteger(users) || users < 0)
    throw new LoadError(`Locust swarm: user count must be an integer ≥ 0, got ${String(users)}`, { field: 'users', value: String(users) });
  if (users > maxUsers)
    throw new LoadError(`Locust swarm: user count ${users} is above the limit of ${maxUsers}`, { field: 'users', value: users, maxUsers });
  if (typeof spawnRate !== 'number' || !Number.isFinite(spawnRate) || spawnRate <= 0)
    throw new LoadError(`Locust swarm: spawn rate must be a finite number > 0 (users per second), got ${String(spawnRate)}`, {
      field: 'spawnRate',
      value: String(spawnRate),
    });
  if (host !== undefined) {
    let ok = false;
    if (typeof host === 'string' && !/[<>\s]/.test(host)) {
      try {
        const u = new URL(host);
        ok = u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        ok = false;
      }
    }
    if (!ok) throw new LoadError(`Locust swarm: host must be an http(s) URL, got ${JSON.stringify(host)}`, { field: 'host', value: String(host) });
  }
}

/** form value for Locust: integers plain, rates without exponent notation */
const formNumber = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''));

export function createLocustDriver(options: LocustDriverOptions): HttpLocustDriver {
  const base = normaliseUrl(options.url);
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const logger = options.logger ?? silentLogger;
  const retries = Math.max(0, Math.min(10, options.retries ?? 2));
  const retryDelayMs = options.retryDelayMs ?? 250;
  const minPoll = options.minPollIntervalMs ?? LOCUST_STATS_CACHE_MS;
  const requireWorkers = options.requireWorkers ?? true;
  const maxUsers = options.maxUsers ?? 1_000_000;
  const windowLag = options.rateWindowLagMs ?? LOCUST_RATE_WINDOW_LAG_MS;
  const authHeader = authHeaders(options.auth);
  /** how the master takes /stop and /stats/reset: GET (2.12) or POST (current); learnt from a 405 */
  let controlMethod: 'GET' | 'POST' = 'GET';

  let cached: DriverStats | null = null;
  let lastRaw: unknown = undefined;
  let lastFreshAt: number | null = null;
  let targetUsers: number | null = null;
  // when did (or will) the user count reach the last swarm's target? the later of: the last time
  // we saw it elsewhere, the time the ramp needs at the spawn rate, and the last stats reset
  let lastOffTargetAt = 0;
  /** clock time of the last swarm sent (null before any) */
  let lastSwarmAt: number | null = null;
  let expectedReachAt = 0;
  let lastUsers = 0;

  interface Attempt {
    status: number;
    text: string;
    finalUrl: string;
  }

  async function once(method: 'GET' | 'POST', path: string, body: string | undefined, signal?: AbortSignal): Promise<Attempt> {
    if (signal?.aborted) throw new AbortedError(`Locust ${method} ${path} aborted`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await doFetch(base + path, {
        method,
        signal: combined,
        headers: {
          accept: 'application/json, text/plain;q=0.9',
          ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...authHeader,
        },
        ...(body !== undefined ? { body } : {}),
      });
      return { status: res.status, text: await res.text(), finalUrl: res.url || base + path };
    } catch (err) {
      if (signal?.aborted) throw new AbortedError(`Locust ${method} ${path} aborted`);
      if (timeout.aborted)
        throw new TimeoutError(`Locust master at ${base} did not answer ${method} ${path} within ${timeoutMs} ms`, { url: base + path, timeoutMs });
      const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : String(err);
      throw new LoadError(`cannot reach the Locust master at ${base} (${method} ${path}): ${cause}`, { url: base + path, retryable: true });
    }
  }

  async function request(method: 'GET' | 'POST', path: string, body: string | undefined, signal: AbortSignal | undefined, idempotent: boolean): Promise<string> {
    let lastErr: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleepReal(retryDelayMs * 2 ** (attempt - 1), signal);
      let res: Attempt;
      try {
        res = await once(method, path, body, signal);
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        lastErr = err;
        // a POST /swarm that timed out may have been applied; retrying it is still safe (same target)
        logger.debug('locust request failed', { method, path, attempt, error: (err as Error).message });
        continue;
      }
      if (isLoginPage(res.finalUrl, res.text))
        throw new LoadError(
          `Locust master at ${base} answers its login page (--web-login) to ${method} ${path}, not the API: Conductor cannot sign in to Locust's browser login. ` +
            'Run the master without --web-login and protect it at the ingress with a header or basic auth (spec.load.locust.auth).',
          { url: base, reason: 'WEB_LOGIN' },
        );
      if (res.status >= 200 && res.status < 300) return res.text;
      if (res.status === 405 && (path === '/stop' || path === '/stats/reset')) throw new MethodNotAllowed();
      const snippet = res.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
      if (res.status === 401 || res.status === 403)
        throw new LoadError(
          `Locust master at ${base} refused ${method} ${path} (HTTP ${res.status}): ${options.auth ? 'the credentials given were not accepted' : 'it needs credentials (spec.load.locust.auth: a header or basic auth)'}`,
          { status: res.status },
        );
      if (res.status === 404)
        throw new LoadError(`Locust master at ${base} has no ${path} (HTTP 404): is the URL a Locust web UI?`, { status: 404, url: base + path });
      lastErr = new LoadError(`Locust master at ${base} answered HTTP ${res.status} to ${method} ${path}${snippet ? `: ${snippet}` : ''}`, {
        status: res.status,
        url: base + path,
      });
      if (!(idempotent && res.status >= 500)) throw lastErr;
    }
    throw lastErr instanceof Error ? lastErr : new LoadError(String(lastErr));
  }

  /** /stop or /stats/reset with the method this master takes (switching once on a 405) */
  async function control(path: '/stop' | '/stats/reset', signal?: AbortSignal): Promise<void> {
    try {
      await request(controlMethod, path, controlMethod === 'POST' ? '' : undefined, signal, true);
    } catch (err) {
      if (!(err instanceof MethodNotAllowed)) throw err;
      controlMethod = controlMethod === 'GET' ? 'POST' : 'GET';
      logger.debug('locust control method switched', { path, method: controlMethod });
      await request(controlMethod, path, controlMethod === 'POST' ? '' : undefined, signal, true);
    }
  }

  async function fetchStats(signal?: AbortSignal): Promise<DriverStats> {
    // the master answers with what it has when the request arrives: that, not when the answer is
    // back here (a slow answer, or a scaled clock in the sandbox), is when the counters are from
    const sentAt = clock.now();
    const text = await request('GET', '/stats/requests', undefined, signal, true);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new LoadError(`Locust master at ${base}: /stats/requests is not JSON; is the URL a Locust master web UI?`, { url: base });
    }
    const parsed = parseLocustStats(body);
    // current versions take /stop and /stats/reset as POST only
    if (parsed.shape === 'locust-2.x-current') controlMethod = 'POST';
    else if (parsed.shape === 'locust-2.12') controlMethod = 'GET';
    const now = clock.now();
    lastRaw = body;
    lastFreshAt = now;
    const fetchedAt = sentAt;
    // no users: no request is being made, whatever the (lagging or frozen) window still shows
    const idle = parsed.userCount === 0;
    const hasRates = parsed.aggregated.currentRps > 0 || parsed.aggregated.currentFailPerSec > 0;
    const ratesFrozen = idle && hasRates;
    if (ratesFrozen) {
      for (const r of parsed.requests.values()) {
        r.currentRps = 0;
        r.currentFailPerSec = 0;
      }
      parsed.aggregated.currentRps = 0;
      parsed.aggregated.currentFailPerSec = 0;
    }
    lastUsers = parsed.userCount;
    let reachedAt: number | null = null;
    if (targetUsers === null || parsed.userCount === targetUsers) reachedAt = Math.max(lastOffTargetAt, expectedReachAt);
    else lastOffTargetAt = now;
    const ratesSettled = ratesFrozen || (reachedAt !== null && now - reachedAt >= windowLag);
    if (parsed.noWorkers) logger.warn('Locust master has no workers connected', { url: base });
    cached = { ...parsed, fetchedAt, fresh: true, ratesFrozen, ratesSettled, targetUsers };
    return cached;
  }

  const driver: HttpLocustDriver = {
    url: base,
    get lastRaw() {
      return lastRaw;
    },
    get lastFreshStatsAt() {
      return lastFreshAt;
    },

    async swarm(users, spawnRate, host, signal) {
      validateSwarm(users, spawnRate, host, maxUsers);
      if (requireWorkers) {
        const s = cached && clock.now() - cached.fetchedAt < minPoll ? cached : await fetchStats(signal);
        if (s.noWorkers)
          throw new LoadError(`Locust master at ${base} has no workers connected: a swarm of ${users} users would do nothing. Start workers (locust --worker --master-host …) first.`, {
            url: base,
            reason: 'NO_WORKERS',
          });
      }
      const form = new URLSearchParams({ user_count: String(users), spawn_rate: formNumber(spawnRate) });
      if (host !== undefined) form.set('host', host);
      // network errors and timeouts are retried (same target, safe); an HTTP 500 means a bad value: not retried
      // a swarm cut short (an abort mid-request) may still have reached the master
      lastSwarmAt = clock.now();
      const text = await request('POST', '/swarm', form.toString(), signal, false);
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        answer = undefined;
      }
      if (typeof answer === 'object' && answer !== null && (answer as { success?: unknown }).success === false) {
        const message = String((answer as { message?: unknown }).message ?? 'no reason given');
        throw new LoadError(`Locust master at ${base} refused the swarm: ${message}`, { url: base });
      }
      const started = typeof answer === 'object' && answer !== null ? String((answer as { message?: unknown }).message ?? '') : '';
      if (/shape class/i.test(started))
        throw new LoadError(`Locust master at ${base} runs a load shape class ("${started}"): it ignores the user count Conductor sends. Run it without a LoadTestShape.`, { url: base, reason: 'SHAPE_CLASS' });
      logger.info('locust swarm', { users, spawnRate, ...(host ? { host } : {}) });
      lastSwarmAt = clock.now();
      if (targetUsers !== users) {
        const now = clock.now();
        lastOffTargetAt = now;
        expectedReachAt = now + (Math.abs(users - lastUsers) / spawnRate) * 1000;
      }
      targetUsers = users;
      cached = null;
    },

    async stop(signal) {
      const early = lastSwarmAt === null ? 0 : lastSwarmAt + STOP_AFTER_SWARM_MS - clock.now();
      if (early > 0) await clock.sleep(early, signal);
      await control('/stop', signal);
      logger.info('locust stop', { url: base });
      targetUsers = 0;
      lastOffTargetAt = expectedReachAt = clock.now();
      cached = null;
    },

    async resetStats(signal) {
      await control('/stats/reset', signal);
      // the fresh window starts now: rates need a full window again
      lastOffTargetAt = Math.max(lastOffTargetAt, clock.now());
      cached = null;
    },

    async stats(signal) {
      if (cached && clock.now() - cached.fetchedAt < minPoll) return { ...cached, fresh: false };
      return fetchStats(signal);
    },

    refreshStats: fetchStats,

    async waitForWorkers(count, waitMs, signal) {
      const deadline = clock.now() + waitMs;
      for (let i = 0; i < 10_000; i++) {
        const s = await fetchStats(signal);
        if ((s.workerCount ?? 0) >= count) return s;
        if (clock.now() >= deadline) break;
        await clock.sleep(Math.min(500, Math.max(1, deadline - clock.now())), signal);
      }
      throw new TimeoutError(`Locust master at ${base}: fewer than ${count} worker(s) connected after ${waitMs} ms`, { url: base, count });
    },
  };
  return driver;
}

/** a 405 to a control GET/POST: the other method is tried once */
class MethodNotAllowed extends Error {}

function normaliseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LoadError(`Locust master URL must be an http(s) URL, got ${JSON.stringify(url)}`, { field: 'url' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new LoadError(`Locust master URL must be http(s), got ${JSON.stringify(url)}`, { field: 'url' });
  if (u.username || u.password) throw new LoadError('Locust master URL must not carry credentials; pass auth separately', { field: 'url' });
  return u.toString().replace(/\/+$/, '');
}
