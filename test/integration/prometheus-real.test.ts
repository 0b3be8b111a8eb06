import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError } from '../../shared/model/errors.ts';
import { ScaledClock } from '../../electron/base/clock.ts';
import { createPrometheusKpi } from '../../electron/load/kpi/prometheus-kpi.ts';
import { startShopServer, type ShopServer } from '../fixtures/shop/server.ts';
import { freePort, PROMETHEUS_TEMPLATE, startProc, waitFor, type Proc } from '../fixtures/shop/processes.ts';
import { tool } from '../support/tools.ts';

/**
 * The Prometheus KPI against a real Prometheus (Debian's 2.42) scraping the fixture shop every
 * second on loopback, while the test places orders at a steady ~8 orders/s.
 *
 * Tolerance: `sum(rate(orders_created_total[5s])) * 60` must agree with the shop's own counter
 * over the last 5 s within ±20 % (rate() over 1 s scrapes extrapolates to the window edges).
 */
const TOLERANCE = 0.2;
const ORDERS_PER_SECOND = 8;
const clock = new ScaledClock(1);

let dir: string;
let shop: ShopServer;
let prom: Proc | undefined;
let promUrl: string;
let generator: ReturnType<typeof setInterval> | undefined;
let generatorStop: ReturnType<typeof setTimeout> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conductor-prom-'));
  shop = await startShopServer();
  const config = readFileSync(PROMETHEUS_TEMPLATE, 'utf8').replaceAll('${SHOP_TARGET}', `127.0.0.1:${shop.port}`);
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prom = startProc(
    'prometheus',
    tool('prometheus'),
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=warn'],
    { cwd: dir },
  );
  await waitFor('Prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`)).ok, 20_000, 200, () => prom!.output());
  // a steady stream of real orders on loopback, bounded to 40 s
  generator = setInterval(() => {
    void fetch(`${shop.url}/orders`, { method: 'POST', body: '{}' }).catch(() => undefined);
  }, 1000 / ORDERS_PER_SECOND);
  generatorStop = setTimeout(() => clearInterval(generator), 40_000);
});

afterAll(async () => {
  clearInterval(generator);
  clearTimeout(generatorStop);
  await prom?.kill();
  await shop?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('real Prometheus as the KPI source', () => {
  it('an instant query of the order rate agrees with the shop counter (±20 %)', async () => {
    const kpi = createPrometheusKpi({ url: promUrl, query: 'sum(rate(orders_created_total[5s])) * 60', clock });
    // wait until Prometheus has scraped the counter for a whole window
    const sample = await waitFor(
      'a full 5 s window of scraped orders',
      async () => {
        const s = await kpi.sample();
        const up = await createPrometheusKpi({ url: promUrl, query: 'count_over_time(orders_created_total[10s])', clock }).sample();
        return s.opm !== null && (up.opm ?? 0) >= 7 ? s : null;
      },
      25_000,
      500,
      () => prom!.output(),
    );
    const truth = (shop.orderTimes().filter((t) => t > Date.now() - 5000).length / 5000) * 60_000;
    console.info(`prometheus KPI ${sample.opm!.toFixed(1)} vs shop ${truth.toFixed(1)} orders/min (${(((sample.opm! - truth) / truth) * 100).toFixed(1)} %)`);
    expect(sample.source).toBe('prometheus');
    expect(sample.series).toBe(1);
    expect(truth).toBeGreaterThan(ORDERS_PER_SECOND * 60 * 0.5);
    expect(Math.abs(sample.opm! - truth) / truth, `Prometheus ${sample.opm} vs shop ${truth.toFixed(1)} orders/min`).toBeLessThanOrEqual(TOLERANCE);
    // without a Locust driver the guard signals are neutral
    expect(sample.errorRate).toBe(0);
    expect(sample.p99Ms).toBeNull();
  }, 40_000);

  it('an empty result is "not measurable" (null), not zero', async () => {
    const kpi = createPrometheusKpi({ url: promUrl, query: 'sum(rate(no_such_metric_total[1m])) * 60', clock });
    const s = await kpi.sample();
    expect(s.opm).toBeNull();
    expect(s.series).toBe(0);
    expect(s.note).toMatch(/no series/);
  });

  it('a query Prometheus rejects is a LoadError that quotes Prometheus', async () => {
    const bad = createPrometheusKpi({ url: promUrl, query: 'sum(rate(orders_created_total[1m]) * 60', clock });
    const err = await bad.sample().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).message).toMatch(/Prometheus rejected the KPI query .*bad_data/);
    const matrix = createPrometheusKpi({ url: promUrl, query: 'orders_created_total[1m]', clock });
    const err2 = await matrix.sample().catch((e: unknown) => e);
    expect((err2 as LoadError).message).toMatch(/gives a matrix; expected an instant vector or scalar/);
  });
});
