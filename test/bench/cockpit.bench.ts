/**
 * Cockpit benchmarks in Chromium (Debian's, through playwright-core):
 *  1. chart update cost for a 2-hour run at one sample per 5 s: 1,440 points in each of the OPM
 *     chart's 4 series (target, setpoint, actual, users) plus the health chart's 2 — the median
 *     cost of appending one sample and redrawing both charts (goal ≤ 16 ms, one frame);
 *  2. time to the first parity view: page load → the sandbox's parity table on screen, against
 *     `conductor serve` (goal ≤ 1.5 s).
 * Run: `npm run bench` (all benchmarks) or `node bin/run-ts.js test/bench/cockpit.bench.ts [--quick]`.
 */
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureRendererBuilt, launchChromium, ROOT, startServe } from '../e2e/harness.ts';

const POINTS = 1440;
const SAMPLE_MS = 5000;

const ENTRY = `
import { opmChartConfig, healthChartConfig, createChart, updateChart } from './chart-config.ts';
const series = { target: [], setpoint: [], actual: [], users: [], errorRatePct: [], p99Ms: [] };
function add(i) {
  const x = (i * ${SAMPLE_MS}) / 60000;
  const ramp = Math.min(1, i / 360);
  series.target.push({ x, y: 7200 });
  series.setpoint.push({ x, y: 7200 * ramp });
  series.actual.push({ x, y: 7200 * ramp * (0.95 + 0.1 * Math.random()) });
  series.users.push({ x, y: 2000 * ramp });
  series.errorRatePct.push({ x, y: Math.random() });
  series.p99Ms.push({ x, y: 200 + 100 * Math.random() });
}
const colors = { grid: 'rgba(0,0,0,0.1)', text: '#555' };
const opm = createChart(document.getElementById('opm'), opmChartConfig(series, colors));
const health = createChart(document.getElementById('health'), healthChartConfig(series, colors));
const pick = () => [[series.target, series.setpoint, series.actual, series.users], [series.errorRatePct, series.p99Ms]];
function step(i) {
  add(i);
  const [a, b] = pick();
  const t0 = performance.now();
  updateChart(opm, a);
  updateChart(health, b);
  return performance.now() - t0;
}
window.__bench = { step, count: () => series.actual.length };
`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (v: number) => `${v.toFixed(2)} ms`;

export async function chartUpdateCost(quick = false): Promise<{ growthMedian: number; fullMedian: number; fullP95: number }> {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: join(ROOT, 'renderer', 'src', 'features', 'run'), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    minify: true,
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.setContent('<div style="position:relative;width:1280px;height:300px"><canvas id="opm"></canvas></div><div style="position:relative;width:1280px;height:160px"><canvas id="health"></canvas></div>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    // the run as it happens: 1,440 updates, one per sample
    const growth = await page.evaluate((n) => {
      const w = window as unknown as { __bench: { step(i: number): number } };
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(w.__bench.step(i));
      return out;
    }, POINTS);
    // at 1,440 points: the cost of each further sample
    const extra = quick ? 50 : 200;
    const full = await page.evaluate(
      ([start, n]) => {
        const w = window as unknown as { __bench: { step(i: number): number } };
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push(w.__bench.step(start + i));
        return out;
      },
      [POINTS, extra] as const,
    );
    return { growthMedian: median(growth), fullMedian: median(full), fullP95: pct(full, 0.95) };
  } finally {
    await browser.close();
  }
}

export async function timeToFirstParity(runs = 5): Promise<{ cold: number; warmMedian: number }> {
  ensureRendererBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'conductor-bench-'));
  const serve = await startServe(['--time-scale', '100', '--data-dir', dataDir]);
  const browser = await launchChromium();
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(serve.url + '/');
      await page.getByRole('table', { name: /Parity before the run/ }).waitFor({ timeout: 30_000 });
      times.push(performance.now() - t0);
      await context.close();
    }
  } finally {
    await browser.close();
    await serve.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return { cold: times[0]!, warmMedian: median(times.slice(1)) };
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const quick = argv.includes('--quick');
  const chart = await chartUpdateCost(quick);
  console.log(`chart update, 2 h run at 1 sample / 5 s (${POINTS} points × 4 OPM series + 2 health series, both charts redrawn):`);
  console.log(`  median per update while the run grows 0 → ${POINTS}: ${ms(chart.growthMedian)}`);
  console.log(`  median per update at ${POINTS} points: ${ms(chart.fullMedian)} (p95 ${ms(chart.fullP95)})  goal ≤ 16 ms: ${chart.fullMedian <= 16 ? 'met' : 'NOT met'}`);
  const parity = await timeToFirstParity(quick ? 3 : 5);
  console.log('time to the first parity view (page load → the sandbox parity table on screen):');
  console.log(`  first load (sandbox cold): ${ms(parity.cold)}  goal ≤ 1.5 s: ${parity.cold <= 1500 ? 'met' : 'NOT met'}`);
  console.log(`  median of later loads: ${ms(parity.warmMedian)}  goal ≤ 1.5 s: ${parity.warmMedian <= 1500 ? 'met' : 'NOT met'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
