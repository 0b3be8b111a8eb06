import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../support/clocks.ts';
import { runLoadTest } from '../../electron/core/run/conductor.ts';
import { silentLogger, type Logger } from '../../electron/base/logger.ts';
import type { WebhookPayload } from '../../electron/core/run/notifier.ts';
import { makeSpec, makeWorld } from '../unit/core/lifecycle-fakes.ts';

/** A real HTTP server on 127.0.0.1 receives the run's webhook notifications. */

let dataDir: string;
let server: Server;
let url: string;
let received: { payload: WebhookPayload; contentType: string | undefined }[];
let status = 200;

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-webhook-'));
  received = [];
  status = 200;
  server = createServer(async (req, res) => {
    received.push({ payload: JSON.parse(await body(req)) as WebhookPayload, contentType: req.headers['content-type'] });
    res.writeHead(status).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/conductor`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await rm(dataDir, { recursive: true, force: true });
});

describe('webhook notifications', () => {
  it('phase changes, a guard breach, the abort steps and the verdict arrive in order as JSON', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    w.kpi.errorRate = () => (w.locust.users > 60 ? 0.3 : 0);
    const r = await runLoadTest(makeSpec((s) => void (s.spec.notify = { webhook: { url } })), { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger: silentLogger, dataDir });
    expect(r.verdict.status).toBe('failed');
    const kinds = received.map((x) => x.payload.kind);
    expect(received.every((x) => x.contentType === 'application/json')).toBe(true);
    expect(received.every((x) => x.payload.runId === r.status.runId && x.payload.specName === 'unit-rehearsal')).toBe(true);
    const phases = received.filter((x) => x.payload.event.type === 'phase').map((x) => (x.payload.event as { phase: string }).phase);
    expect(phases).toEqual(['validate', 'snapshot', 'deploy', 'scale', 'ramp', 'ramp', 'restore', 'cleanup', 'verdict']); // ramp: running, then failed
    const guard = received.find((x) => x.payload.kind === 'guard')!.payload.event;
    expect(guard).toMatchObject({ type: 'guard', guard: { guard: 'maxErrorRate', state: 'breached' } });
    expect(received.filter((x) => x.payload.kind === 'abort').map((x) => (x.payload.event as { step: string }).step)).toEqual(['stopping-load', 'restoring', 'cleaning-up', 'done']);
    expect(kinds.at(-1)).toBe('verdict');
    expect(received.at(-1)!.payload.event).toMatchObject({ type: 'verdict', verdict: { status: 'failed' } });
    expect(kinds.indexOf('guard')).toBeLessThan(kinds.indexOf('abort'));
  });

  it('only the chosen kinds are sent', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    await runLoadTest(makeSpec((s) => void (s.spec.notify = { webhook: { url, events: ['verdict'] } })), { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger: silentLogger, dataDir });
    expect(received.map((x) => x.payload.kind)).toEqual(['verdict']);
  });

  it('a failing or unreachable webhook is logged and never fails the run', async () => {
    status = 500;
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const r = await runLoadTest(makeSpec((s) => void (s.spec.notify = { webhook: { url, events: ['verdict'] } })), { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger, dataDir });
    expect(r.verdict.status).toBe('passed');
    expect(warnings.some((m) => /webhook .* failed: HTTP 500/.test(m))).toBe(true);

    await new Promise((res) => server.close(res));
    const w2 = makeWorld(clock);
    const r2 = await runLoadTest(makeSpec((s) => void (s.spec.notify = { webhook: { url, events: ['verdict'] } })), { clock, substrates: w2.substrates, locust: w2.locust, kpi: w2.kpi, logger, dataDir });
    expect(r2.verdict.status).toBe('passed');
    expect(warnings.filter((m) => /webhook/.test(m))).toHaveLength(2);
    server = createServer(); // for afterEach
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  });
});
