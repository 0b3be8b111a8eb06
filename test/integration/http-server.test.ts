import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpServer, tokenMatches, type HttpServerHandle } from '../../electron/headless/http-server.ts';
import { COCKPIT_CSP } from '../../electron/base/csp.ts';
import { CHANNELS, HTTP_EVENTS_PATH, HTTP_TRIGGER_PATH, httpPathFor } from '../../shared/contract/index.ts';
import type { RunEvent } from '../../shared/model/run.ts';
import { createStandInService, STAND_IN_PARITY, type StandInService } from '../unit/main/stand-in-service.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

let dir: string;
let service: StandInService;
let server: HttpServerHandle | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-http-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Conductor</title>');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, '..', 'conductor-http-secret.txt'), 'outside').catch(() => undefined);
  service = createStandInService();
});

afterEach(async () => {
  await server?.close();
  server = null;
  await rm(dir, { recursive: true, force: true });
  await rm(join(dir, '..', 'conductor-http-secret.txt'), { force: true });
});

describe('HTTP transport', () => {
  it('serves every channel as POST /api/<domain>/<action> with a Result', async () => {
    server = await startHttpServer({ service, staticDir: dir });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await post(server.url, httpPathFor(CHANNELS.parityRead), { text: 'apiVersion: conductor/v1' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, value: STAND_IN_PARITY });
    expect(service.calls).toEqual([{ channel: 'parity:read', request: { text: 'apiVersion: conductor/v1' } }]);
    for (const channel of Object.values(CHANNELS)) {
      const r = await raw(server.url + httpPathFor(channel), { method: 'GET' });
      expect(r.status, channel).toBe(405);
    }
  });

  it('rejects bad input with 400 USAGE naming the field, and never calls the service', async () => {
    server = await startHttpServer({ service, staticDir: dir });
    const res = await post(server.url, '/api/run/abort', { runId: '../../etc/passwd' });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('USAGE');
    expect(body.error.message).toContain('runId');
    expect(body.error.details.issues[0].path).toBe('runId');
    const extra = await post(server.url, '/api/env/list', { evil: true });
    expect(extra.status).toBe(400);
    const notJson = await raw(server.url + '/api/env/list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.message).toMatch(/not valid JSON/);
    const wrongType = await raw(server.url + '/api/env/list', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(wrongType.status).toBe(415);
    const unknown = await post(server.url, '/api/env/destroy', {});
    expect(unknown.status).toBe(404);
    expect(service.calls).toEqual([]);
  });

  it('caps the request body', async () => {
    server = await startHttpServer({ service, staticDir: dir, maxBodyBytes: 1024 });
    const res = await post(server.url, '/api/spec/validate', { text: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('USAGE');
  });

  it('the change-event endpoint refuses a wrong method, content type or size before its intake sees anything; a CloudEvent is taken', async () => {
    const received: string[] = [];
    const triggers = {
      receive: async (r: { body: Buffer }) => {
        received.push(r.body.toString('utf8'));
        return { status: 202, body: { ok: true as const, value: { queued: [] } } };
      },
      describeAuth: () => 'test',
    };
    server = await startHttpServer({ service: { ...service, triggers } as never, staticDir: dir, maxEventBytes: 1024 });
    const get = await raw(server.url + HTTP_TRIGGER_PATH);
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    const text = await raw(server.url + HTTP_TRIGGER_PATH, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(text.status).toBe(415);
    expect(JSON.parse(text.body).error.message).toBe('expected Content-Type: application/json (or application/cloudevents+json)');
    const big = await post(server.url, HTTP_TRIGGER_PATH, { pad: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(received).toEqual([]);
    const cloud = await raw(server.url + HTTP_TRIGGER_PATH, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":"1.0"}' });
    expect(cloud.status).toBe(202);
    expect(received).toEqual(['{"specversion":"1.0"}']);
  });

  it('answers a failing handler with its typed error and no stack', async () => {
    server = await startHttpServer({ service, staticDir: dir });
    const res = await post(server.url, '/api/history/get', { runId: 'missing-run' });
    expect(res.status).toBe(404);
    const body = JSON.parse(res.body);
    expect(body).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no run missing-run', details: { runId: 'missing-run' } } });
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses to start off loopback without a token', async () => {
    await expect(startHttpServer({ service, host: '0.0.0.0', staticDir: dir })).rejects.toThrow(/token/);
    await expect(startHttpServer({ service, host: '192.168.1.10', staticDir: dir, token: '' })).rejects.toThrow(/token/);
  });

  it('requires the bearer token when one is set', async () => {
    const token = 'a-long-enough-test-token-0123456789';
    server = await startHttpServer({ service, staticDir: dir, token });
    const none = await post(server.url, '/api/env/list', {});
    expect(none.status).toBe(401);
    const wrong = await post(server.url, '/api/env/list', {}, { authorization: 'Bearer wrong-token-wrong-token' });
    expect(wrong.status).toBe(401);
    const right = await post(server.url, '/api/env/list', {}, { authorization: `Bearer ${token}` });
    expect(right.status).toBe(200);
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, token + 'x')).toBe(false);
    // the page itself is public; the API is not
    expect((await raw(server.url + '/')).status).toBe(200);
  });

  it('refuses foreign Host and Origin headers (DNS rebinding, cross-site requests)', async () => {
    server = await startHttpServer({ service, staticDir: dir });
    const port = new URL(server.url).port;
    const rebinding = await post(server.url, '/api/env/list', {}, { host: `attacker.example:${port}` });
    expect(rebinding.status).toBe(421);
    const crossSite = await post(server.url, '/api/env/list', {}, { origin: 'http://attacker.example' });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await post(server.url, '/api/env/list', {}, { origin: server.url });
    expect(sameOrigin.status).toBe(200);
    const localhost = await post(server.url, '/api/env/list', {}, { host: `localhost:${port}` });
    expect(localhost.status).toBe(200);
    expect(service.calls).toHaveLength(2);
  });

  it('serves the cockpit with a strict CSP and nothing outside its directory', async () => {
    server = await startHttpServer({ service, staticDir: dir });
    const index = await raw(server.url + '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['content-security-policy']).toBe(COCKPIT_CSP);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.body).toContain('<title>Conductor</title>');
    const js = await raw(server.url + '/assets/app.js');
    expect(js.headers['content-type']).toMatch(/javascript/);
    const traversal = await raw(server.url + '/%2e%2e/conductor-http-secret.txt');
    expect(traversal.status).toBe(404);
    expect(traversal.body).not.toContain('outside');
    const spaRoute = await raw(server.url + '/history');
    expect(spaRoute.body).toContain('<title>Conductor</title>');
  });

  it('streams run events as server-sent events and unsubscribes on disconnect', async () => {
    server = await startHttpServer({ service, staticDir: dir, heartbeatMs: 50 });
    const controller = new AbortController();
    const res = await fetch(server.url + HTTP_EVENTS_PATH, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    // wait until the stream is subscribed
    for (let i = 0; i < 100 && service.listenerCount() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(service.listenerCount()).toBe(1);
    const event: RunEvent = { type: 'log', runId: 'run-1', level: 'info', message: 'ramp started' };
    service.emit(event);
    let text = '';
    for (let i = 0; i < 50 && !text.includes('ramp started'); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const dataLine = text.split('\n').find((l) => l.startsWith('data: '));
    expect(JSON.parse(dataLine!.slice(6))).toEqual(event);
    for (let i = 0; i < 50 && !text.includes(': heartbeat'); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain(': heartbeat');
    controller.abort();
    for (let i = 0; i < 100 && service.listenerCount() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(service.listenerCount()).toBe(0);
  });

  it('accepts the token as a query parameter on the event stream only', async () => {
    const token = 'a-long-enough-test-token-0123456789';
    server = await startHttpServer({ service, staticDir: dir, token });
    const denied = await fetch(server.url + HTTP_EVENTS_PATH);
    expect(denied.status).toBe(401);
    await denied.body?.cancel();
    const controller = new AbortController();
    const ok = await fetch(`${server.url}${HTTP_EVENTS_PATH}?token=${token}`, { signal: controller.signal });
    expect(ok.status).toBe(200);
    controller.abort();
    const apiWithQuery = await post(server.url, `/api/env/list?token=${token}`, {});
    expect(apiWithQuery.status).toBe(401);
  });
});
