import { afterEach, describe, expect, it } from 'vitest';
import { LoadError, TimeoutError } from '../../../../shared/model/errors.ts';
import { ManualClock } from '../../../support/clocks.ts';
import { createLocustDriver } from '../../../../electron/load/locust-driver.ts';
import { createPrometheusKpi, parsePrometheusInstant } from '../../../../electron/load/kpi/prometheus-kpi.ts';
import { readBody, sendJson, startLoopbackServer, type LoopbackServer } from '../../../../electron/sandbox/http-kit.ts';
import { startLocustSimulator, type LocustSimulator } from '../../../../electron/sandbox/locust-sim.ts';

const Q = 'sum(rate(orders_created_total[1m])) * 60';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe('parsePrometheusInstant', () => {
  it('reads vectors (summed over series), scalars, empty results and NaN', () => {
    expect(parsePrometheusInstant({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '3600'] }] } }, Q)).toEqual({ value: 3600, series: 1 });
    expect(parsePrometheusInstant({ status: 'success', data: { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [1, '10'] }, { metric: { pod: 'b' }, value: [1, '5.5'] }] } }, Q)).toEqual({ value: 15.5, series: 2 });
    expect(parsePrometheusInstant({ status: 'success', data: { resultType: 'scalar', result: [1, '42'] } }, Q)).toEqual({ value: 42, series: 1 });
    expect(parsePrometheusInstant({ status: 'success', data: { resultType: 'vector', result: [] } }, Q)).toEqual({ value: null, series: 0 });
    expect(parsePrometheusInstant({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] } }, Q)).toEqual({ value: null, series: 1 });
  });
  it('turns Prometheus errors and wrong result types into LoadErrors that say what was expected', () => {
    expect(() => parsePrometheusInstant({ status: 'error', errorType: 'bad_data', error: 'parse error' }, Q)).toThrow(/rejected the KPI query .*: bad_data: parse error/);
    expect(() => parsePrometheusInstant({ status: 'success', data: { resultType: 'matrix', result: [] } }, Q)).toThrow(/gives a matrix; expected an instant vector or scalar/);
    expect(() => parsePrometheusInstant('nope', Q)).toThrow(LoadError);
  });
});

async function fakePrometheus(answer: (query: string) => { status: number; body: unknown } | 'hang'): Promise<LoopbackServer & { seen: URLSearchParams[] }> {
  const seen: URLSearchParams[] = [];
  const s = await startLoopbackServer(async (req, res) => {
    const form = new URLSearchParams(await readBody(req));
    seen.push(form);
    const a = answer(form.get('query') ?? '');
    if (a === 'hang') return new Promise<void>(() => {});
    sendJson(res, a.status, a.body);
  });
  closers.push(() => s.close());
  return Object.assign(s, { seen });
}

describe('createPrometheusKpi over HTTP', () => {
  it('posts the query at the clock time and returns OPM, with guards from the Locust driver when given', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const sim: LocustSimulator = await startLocustSimulator({ clock });
    closers.push(() => sim.close());
    const driver = createLocustDriver({ url: sim.url, clock });
    await driver.swarm(40, 40);
    await clock.advance(20_000);
    const prom = await fakePrometheus(() => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '1234.5'] }] } } }));
    const kpi = createPrometheusKpi({ url: prom.url, query: Q, clock, driver });
    const s = await kpi.sample();
    expect(s).toMatchObject({ opm: 1234.5, users: 40, source: 'prometheus', series: 1, t: clock.now() });
    expect(s.p99Ms).toBeGreaterThan(0);
    expect(prom.seen[0]!.get('query')).toBe(Q);
    expect(prom.seen[0]!.get('time')).toBe(String(clock.now() / 1000) + '.000');
  });

  it('explains 400 bad_data, non-JSON answers, timeouts and bad settings', async () => {
    const clock = new ManualClock(0);
    const prom = await fakePrometheus((q) => (q === 'hang' ? 'hang' : { status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' } }));
    await expect(createPrometheusKpi({ url: prom.url, query: 'sum(', clock }).sample()).rejects.toThrow(/Prometheus rejected the KPI query "sum\(": bad_data: 1:5: parse error/);
    await expect(createPrometheusKpi({ url: prom.url, query: 'hang', clock, timeoutMs: 100 }).sample()).rejects.toBeInstanceOf(TimeoutError);
    const html = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html></html>');
    });
    closers.push(() => html.close());
    await expect(createPrometheusKpi({ url: html.url, query: Q, clock }).sample()).rejects.toThrow(/non-JSON .*is the URL a Prometheus server/);
    expect(() => createPrometheusKpi({ url: 'prometheus:9090', query: Q, clock })).toThrow(/Prometheus URL must be an http\(s\) URL/);
    expect(() => createPrometheusKpi({ url: 'http://127.0.0.1:9090', query: '  ', clock })).toThrow(/query is empty/);
  });
});
