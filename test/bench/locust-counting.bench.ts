/**
 * Counting noise of real Locust (each installed version, a master with two workers) placing
 * orders on the loopback shop at ~1,400 orders/min with shoppers as teams write them (random
 * think time, a random mix of browsing and ordering): how far a KPI read once from Locust is
 * from the orders the shop created over the same span, and from the steady rate.
 *
 *   npm run bench -- locust-counting [--quick]
 *
 * Per version it reads `/stats/requests` every 2 s for a few minutes at a fixed user count and
 * prints, as relative standard deviations of the steady mean:
 * - window: Locust's 10 s `current_rps` of POST /orders × 60 (the old KPI);
 * - counters over 10 s and over 60 s: Δ(num_requests − num_failures) / Δt between two reads;
 * - the shop's own count over the same 10 s / 60 s spans (the orders really placed);
 * - Poisson: 1/√(expected count), for reference;
 * and the counters' error against the shop over the same span (the reads' timing: worker reports).
 * Then the plants' counting model (plants.ts LocustCounting) at the same rate, with the dispersion
 * measured here (the shop's 60 s counts against Poisson), read the same way — its figures should
 * be those of the real master.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShopServer } from '../fixtures/shop/server.ts';
import { SHOP_FIXTURE_DIR, startLocust, waitFor } from '../fixtures/shop/processes.ts';
import { locustVersions, requireLocust } from '../fixtures/shop/locust-versions.ts';
import { LocustCounting } from './plants.ts';

const quick = process.argv.includes('--quick');
const MEASURE_S = quick ? 120 : 300;
const USERS = 93;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Read {
  at: number;
  ok: number;
  currentOk: number;
}

const rel = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean: m, pct: (sd / m) * 100 };
};

/** the plants' counting model at `opm`, read every 2 s like the real master above: the same figures (median over seeds) */
function modelFigures(opm: number, dispersion: number, seconds: number, seed: number) {
  const figs: { win: number; c10: number; c60: number; e10: number; e60: number }[] = [];
  for (let k = 0; k < 9; k++) {
    const m = new LocustCounting({ seed: seed * 1000 + k, dispersion, requestsPerOrder: 3 });
    const reads: { at: number; ok: number; currentOk: number }[] = [];
    for (let t = 0; t < 20 + seconds + 2; t++) {
      m.count(USERS, { opm, p99Ms: 50, errorRate: 0 });
      if (t >= 20 && (t - 20) % 2 === 0) {
        const a = m.answer(t + 1);
        const o = a.stats.requests.get('POST /orders')!;
        reads.push({ at: t + 1, ok: o.numRequests - o.numFailures, currentOk: a.currentOk });
      }
    }
    const spans = (every: number) => {
      const out: { kpi: number; shop: number }[] = [];
      for (let i = 0; i + every < reads.length; i++) {
        const a = reads[i]!;
        const b = reads[i + every]!;
        const dt = b.at - a.at;
        out.push({ kpi: ((b.ok - a.ok) / dt) * 60, shop: (m.placed(Math.round(a.at - 1.5), Math.round(b.at - 1.5)) / dt) * 60 });
      }
      return out;
    };
    const s10 = spans(5);
    const s60 = spans(30);
    const rms = (xs: { kpi: number; shop: number }[]) => Math.sqrt(xs.reduce((a, x) => a + ((x.kpi - x.shop) / x.shop) ** 2, 0) / xs.length) * 100;
    figs.push({ win: rel(reads.filter((_, i) => i % 5 === 0).map((r) => r.currentOk)).pct, c10: rel(s10.map((x) => x.kpi)).pct, c60: rel(s60.map((x) => x.kpi)).pct, e10: rms(s10), e60: rms(s60) });
  }
  const med = (pick: (f: (typeof figs)[number]) => number) => figs.map(pick).sort((a, b) => a - b)[4]!;
  return { win: med((f) => f.win), c10: med((f) => f.c10), c60: med((f) => f.c60), e10: med((f) => f.e10), e60: med((f) => f.e60) };
}

const dir = mkdtempSync(join(tmpdir(), 'conductor-counting-'));
const rows: string[] = [];
try {
  for (const v of locustVersions()) {
    const bin = requireLocust(v);
    const shop = await startShopServer();
    const c = await startLocust(dir, 2, { bin, locustfile: join(SHOP_FIXTURE_DIR, 'locustfile_realistic.py') });
    try {
      const get = async () => (await (await fetch(c.url + '/stats/requests')).json()) as { stats: { name: string; num_requests: number; num_failures: number; current_rps: number; current_fail_per_sec: number }[]; workers?: unknown[]; user_count: number };
      await waitFor('two workers', async () => ((await get()).workers ?? []).length === 2, 30_000, 500, () => c.master.output());
      await fetch(c.url + '/swarm', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user_count: String(USERS), spawn_rate: '50', host: shop.url }).toString() });
      await waitFor('the users', async () => (await get()).user_count === USERS, 30_000, 500);
      await sleep(20_000);
      const reads: Read[] = [];
      const t0 = Date.now();
      for (let i = 0; i < MEASURE_S / 2 + 1; i++) {
        const next = t0 + i * 2000;
        await sleep(Math.max(0, next - Date.now()));
        const s = await get();
        const o = s.stats.find((e) => e.name === '/orders');
        if (o) reads.push({ at: Date.now(), ok: o.num_requests - o.num_failures, currentOk: (o.current_rps - o.current_fail_per_sec) * 60 });
      }
      const lagMs = 1500;
      const spans = (everyReads: number) => {
        const out: { kpi: number; shop: number; placed: number }[] = [];
        for (let i = 0; i + everyReads < reads.length; i++) {
          const a = reads[i]!;
          const b = reads[i + everyReads]!;
          const dt = b.at - a.at;
          const kpi = ((b.ok - a.ok) / dt) * 60_000;
          const placed = shop.ordersBetween(a.at - lagMs, b.at - lagMs);
          out.push({ kpi, shop: (placed / dt) * 60_000, placed });
        }
        return out;
      };
      const s10 = spans(5);
      const s60 = spans(30);
      const win = rel(reads.filter((_, i) => i % 5 === 0).map((r) => r.currentOk));
      const c10 = rel(s10.map((x) => x.kpi));
      const c60 = rel(s60.map((x) => x.kpi));
      const shop10 = rel(s10.map((x) => x.shop));
      const shop60 = rel(s60.map((x) => x.shop));
      const err10 = Math.sqrt(s10.reduce((a, x) => a + ((x.kpi - x.shop) / x.shop) ** 2, 0) / s10.length) * 100;
      const err60 = Math.sqrt(s60.reduce((a, x) => a + ((x.kpi - x.shop) / x.shop) ** 2, 0) / s60.length) * 100;
      const poisson = (seconds: number) => 100 / Math.sqrt((c60.mean / 60) * seconds);
      const dispersion = (shop60.pct / poisson(60)) ** 2;
      const model = modelFigures(c60.mean, dispersion, MEASURE_S, v.label === '2.12' ? 1 : 2);
      rows.push(
        `Locust ${v.label}, ${USERS} users, ${Math.round(c60.mean)} orders/min, ${MEASURE_S} s:\n` +
          `  10 s: window (current_rps) ${win.pct.toFixed(2)} %   counters ${c10.pct.toFixed(2)} %   shop ${shop10.pct.toFixed(2)} %   Poisson ${poisson(10).toFixed(2)} %   counters vs shop (rms) ${err10.toFixed(2)} %\n` +
          `  60 s: counters ${c60.pct.toFixed(2)} %   shop ${shop60.pct.toFixed(2)} %   Poisson ${poisson(60).toFixed(2)} %   counters vs shop (rms) ${err60.toFixed(2)} %\n` +
          `  dispersion of the shop's counts (variance / Poisson's): ${dispersion.toFixed(2)}\n` +
          `  the plants' model at that dispersion (median of 9 seeds): 10 s window ${model.win.toFixed(2)} %, counters ${model.c10.toFixed(2)} %, vs shop ${model.e10.toFixed(2)} %; ` +
          `60 s counters ${model.c60.toFixed(2)} %, vs shop ${model.e60.toFixed(2)} %`,
      );
      console.log(rows.at(-1));
    } finally {
      await c.stop();
      await shop.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('\ncounting noise (relative standard deviation of a reading at a steady user count):\n' + rows.join('\n'));
