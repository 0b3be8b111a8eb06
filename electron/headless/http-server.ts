import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CHANNELS, HTTP_EVENTS_PATH, HTTP_TRIGGER_PATH, httpPathFor, createDispatch, type Channel, type Result } from '../../shared/contract/index.ts';
import { toErrorDto, type ErrorCode, type ErrorDto, errorMessage } from '../../shared/model/errors.ts';
import type { RunEvent } from '../../shared/model/run.ts';
import type { ConductorService } from '../core/service/service-types.ts';
import { UsageError } from './exit-codes.ts';
import { isLoopbackHost } from './options.ts';
import { COCKPIT_CSP } from '../base/csp.ts';
import { contentTypeOf } from '../base/content-types.ts';

/**
 * The HTTP transport of the ConductorApi (`conductor serve`): POST /api/<domain>/<action> with a
 * JSON body, answered by the dispatch IPC uses too (createDispatch in shared/contract) as Result<T> JSON,
 * the status code following the error's code; GET /api/events streams RunEvents as server-sent
 * events; everything else serves the built renderer. Loopback by default; a bearer token is required
 * when bound anywhere else. Host and Origin are checked so a DNS-rebinding page cannot reach it.
 */
export interface HttpServerOptions {
  service: ConductorService;
  /** default 127.0.0.1 */
  host?: string;
  /** 0 or absent: an ephemeral port */
  port?: number;
  /** bearer token; required when host is not loopback */
  token?: string;
  /** the built renderer; default out/renderer (relative to the working directory) */
  staticDir?: string;
  /** request body cap in bytes; default 4 MiB */
  maxBodyBytes?: number;
  /** SSE heartbeat interval; default 15 s */
  heartbeatMs?: number;
  /** most concurrent event streams; default 32 */
  maxEventClients?: number;
  /** change event (POST /api/triggers/event) body cap in bytes; default 1 MiB */
  maxEventBytes?: number;
}

export interface HttpServerHandle {
  /** e.g. http://127.0.0.1:18787 */
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_MAX_EVENT_BODY = 1024 * 1024;

const PATH_TO_CHANNEL: ReadonlyMap<string, Channel> = new Map(Object.values(CHANNELS).map((c) => [httpPathFor(c), c]));

const STATUS_FOR: Record<ErrorCode, number> = {
  SPEC_INVALID: 400,
  USAGE: 400,
  SUBSTRATE: 502,
  PRODUCTION_WRITE_REFUSED: 403,
  TIMEOUT: 504,
  ABORTED: 409,
  LOAD: 502,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LOCKED: 409,
  FORBIDDEN: 403,
  INTERNAL: 500,
};


/** Constant-time token comparison (hashing first so lengths never leak). */
export function tokenMatches(expected: string, presented: string | null | undefined): boolean {
  if (presented === null || presented === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly dto: ErrorDto,
  ) {
    super(dto.message);
  }
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  const token = opts.token && opts.token.length > 0 ? opts.token : undefined;
  if (!loopback && !token) {
    throw new UsageError(`refusing to serve on ${host} without a token: a bearer token (--token or CONDUCTOR_TOKEN) is required when binding to a non-loopback address`, {
      host,
    });
  }
  if (token && token.length < 16) throw new UsageError('the token must be at least 16 characters long');
  const staticDir = resolve(opts.staticDir ?? 'out/renderer');
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxEventClients = opts.maxEventClients ?? 32;
  const service = opts.service;
  const dispatch = createDispatch(service.handlers);
  const streams = new Set<ServerResponse>();
  let port = opts.port ?? 0;

  const allowedHost = (hostHeader: string | undefined): boolean => {
    if (!hostHeader) return false;
    if (!loopback) return true; // off loopback the token is the gate
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
    if (!m) return false;
    return isLoopbackHost(m[1]!) && (m[2] === undefined || Number(m[2]) === port);
  };

  const allowedOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser cross-origin request (curl, CLI, same-origin GET)
    try {
      const u = new URL(origin);
      return u.protocol === 'http:' && u.host === req.headers.host;
    } catch {
      return false;
    }
  };

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    if (!token) return true;
    const header = req.headers.authorization;
    const bearer = header && /^Bearer\s+(.+)$/i.exec(header)?.[1];
    if (bearer) return tokenMatches(token, bearer.trim());
    // EventSource cannot send headers: the events stream alone accepts ?token=
    if (url.pathname === HTTP_EVENTS_PATH) return tokenMatches(token, url.searchParams.get('token'));
    return false;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendResult(res, 500, { ok: false, error: { code: 'INTERNAL', message: errorMessage(err) } });
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!allowedHost(req.headers.host)) {
      sendResult(res, 421, fail('FORBIDDEN', `unexpected Host header; use http://127.0.0.1:${port}/`));
      return;
    }
    if (!allowedOrigin(req)) {
      sendResult(res, 403, fail('FORBIDDEN', 'cross-origin requests are not allowed'));
      return;
    }
    // change events authenticate themselves (a signature, or the bearer token): ./../core/service/events/intake.ts
    if (url.pathname === HTTP_TRIGGER_PATH) return trigger(req, res, url);
    if (url.pathname === HTTP_EVENTS_PATH || url.pathname.startsWith('/api/')) {
      if (!authorized(req, url)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        sendResult(res, 401, fail('FORBIDDEN', 'a bearer token is required (Authorization: Bearer <token>)'));
        return;
      }
      if (url.pathname === HTTP_EVENTS_PATH) return events(req, res);
      return api(req, res, url.pathname);
    }
    return serveStatic(req, res, url.pathname);
  }

  async function api(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const channel = PATH_TO_CHANNEL.get(pathname);
    if (!channel) {
      sendResult(res, 404, fail('NOT_FOUND', `no such endpoint: ${pathname}; expected one of ${[...PATH_TO_CHANNEL.keys()].join(', ')}`));
      return;
    }
    const bytes = await receivePost(req, res, { path: pathname, types: ['application/json'], maxBytes: maxBody });
    if (!bytes) return;
    const text = bytes.toString('utf8');
    let body: unknown;
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch (err) {
      sendResult(res, 400, fail('USAGE', `the request body is not valid JSON: ${errorMessage(err)}`));
      return;
    }
    const result = await dispatch(channel, body);
    sendResult(res, result.ok ? 200 : (STATUS_FOR[result.error.code] ?? 500), result);
  }

  async function trigger(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const intake = service.triggers;
    if (!intake) {
      sendResult(res, 404, fail('NOT_FOUND', `${HTTP_TRIGGER_PATH}: this host takes no change events`));
      return;
    }
    const body = await receivePost(req, res, { path: HTTP_TRIGGER_PATH, types: ['application/json', 'application/cloudevents+json'], maxBytes: opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BODY });
    if (!body) return;
    const header = req.headers.authorization;
    const bearer = header && /^Bearer\s+(.+)$/i.exec(header)?.[1];
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    try {
      const r = await intake.receive({
        headers,
        body,
        client: req.socket.remoteAddress ?? 'unknown',
        bearer: token !== undefined && typeof bearer === 'string' && tokenMatches(token, bearer.trim()),
        serviceParam: url.searchParams.get('service'),
      });
      if (r.retryAfter !== undefined) res.setHeader('Retry-After', String(r.retryAfter));
      if (r.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      sendResult(res, r.status, r.body);
    } catch (err) {
      const dto = toErrorDto(err);
      sendResult(res, STATUS_FOR[dto.code] ?? 500, { ok: false, error: dto });
    }
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      sendResult(res, 405, fail('USAGE', `${HTTP_EVENTS_PATH} expects GET (text/event-stream)`));
      return;
    }
    if (streams.size >= maxEventClients) {
      sendResult(res, 503, fail('CONFLICT', `too many event streams (at most ${maxEventClients})`));
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    const send = (event: RunEvent) => {
      res.write(`event: run\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const unsubscribe = service.onEvent(send);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();
    const cleanup = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
    res.on('error', cleanup);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      sendText(res, 400, 'bad path');
      return;
    }
    if (decoded.includes('\0')) {
      sendText(res, 400, 'bad path');
      return;
    }
    const rel = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^([/\\])+/, '');
    const file = join(staticDir, rel);
    if (file !== staticDir && !file.startsWith(staticDir + sep)) {
      sendText(res, 404, 'not found');
      return;
    }
    let target = file;
    try {
      const st = await stat(target);
      if (st.isDirectory()) target = join(target, 'index.html');
    } catch {
      // single-page app: unknown paths without an extension get the cockpit
      if (extname(rel) === '') target = join(staticDir, 'index.html');
    }
    let data: Buffer;
    try {
      data = await readFile(target);
    } catch {
      if (target === join(staticDir, 'index.html')) {
        sendText(res, 404, `the cockpit is not built (no ${target}); run \`npm run build\` first`);
      } else sendText(res, 404, 'not found');
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', contentTypeOf(target));
    res.setHeader('Content-Length', data.length);
    res.setHeader('Cache-Control', target.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600');
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((done) => {
        for (const s of streams) s.end();
        streams.clear();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function fail(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', COCKPIT_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendResult(res: ServerResponse, status: number, result: Result<unknown>): void {
  const body = JSON.stringify(result);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text + '\n');
}

/**
 * A POST's body, bounded: the method, the content type and the size are checked first, and each
 * refusal is answered here (405, 415, 413). Null when an answer was sent, or the client went away.
 */
async function receivePost(req: IncomingMessage, res: ServerResponse, want: { path: string; types: string[]; maxBytes: number }): Promise<Buffer | null> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    sendResult(res, 405, fail('USAGE', `${want.path} expects POST with a JSON body`));
    return null;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!want.types.includes(type)) {
    sendResult(res, 415, fail('USAGE', `expected Content-Type: ${want.types[0]}${want.types.length > 1 ? ` (or ${want.types.slice(1).join(', ')})` : ''}`));
    return null;
  }
  try {
    return await readBodyBytes(req, want.maxBytes);
  } catch (err) {
    if (err instanceof HttpFailure) {
      sendResult(res, err.status, { ok: false, error: err.dto });
      req.resume();
    } else {
      // the client went away while sending: nobody is left to answer
      res.destroy();
    }
    return null;
  }
}

function readBodyBytes(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      reject(new HttpFailure(413, { code: 'USAGE', message: `the request body is larger than ${max} bytes` }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > max) {
        failed = true;
        reject(new HttpFailure(413, { code: 'USAGE', message: `the request body is larger than ${max} bytes` }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolveBody(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}
