/**
 * Cockpit benchmarks in Chromium (Debian's, through playwright-core):
 *  1. chart update cost (the chart store's append and decimation, then both charts redrawn) for long runs at one sample per 5 s — 2 h (1,440 points) and 24 h
 *     (17,280 points) — in the 6 series a Locust KPI gives (target, setpoint, actual OPM and users
 *     on the OPM chart; p99 and the error rate on the latency chart), with the ramp/plateau spans
 *     and a dozen marks drawn: the median cost of appending one sample and redrawing both charts
 *     (goal ≤ 16 ms, one frame). Also with p50 and p95 filled (8 series), for KPI sources that have them;
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

const SAMPLE_MS = 5000;
const SIZES = [1440, 17_280];

const ENTRY = `
import { opmChartConfig, latencyChartConfig, createChart, updateChart } from './chart-config.ts';
import { chartData, appendSample } from '../../stores/chart.ts';
const runs = [];
function make(n, withPercentiles) {
  const id = runs.length;
  const box = (h) => {
    const d = document.createElement('div');
    d.style.cssText = 'position:relative;width:1280px;height:' + h + 'px';
    const c = document.createElement('canvas');
    d.appendChild(c);
    document.body.appendChild(d);
    return c;
  };
  const data = chartData();
  const series = data.drawn;
  const colors = { grid: 'rgba(0,0,0,0.1)', text: '#555' };
  const minutes = (24 * 3600) / 60;
  const frame = {
    xMax: minutes,
    marks: {
      spans: [{ kind: 'ramp', from: 3, to: 123 }, { kind: 'plateau', from: 123, to: minutes }],
      marks: Array.from({ length: 12 }, (_, i) => ({ kind: i % 3 ? 'phase' : 'breach', x: i * 100 + 3, label: i % 3 ? 'ramp' : 'p99 breached' })),
      now: null,
      textColor: '#555',
    },
  };
  const run = { data, series, withPercentiles, i: 0, charts: [createChart(box(300), opmChartConfig(series, colors, frame)), createChart(box(160), latencyChartConfig(series, colors, frame))] };
  runs.push(run);
  for (; run.i < n; ) add(run);
  step(id);
  return id;
}
function add(run) {
  const i = run.i++;
  const ramp = Math.min(1, i / 1440);
  appendSample(run.data, {
    t: i * ${SAMPLE_MS},
    phase: 'plateau',
    targetOpm: 7200,
    setpointOpm: 7200 * ramp,
    actualOpm: 7200 * ramp * (0.95 + 0.1 * Math.random()),
    users: 2000 * ramp,
    spawnRate: 10,
    errorRate: Math.random() / 100,
    p99Ms: 200 + 100 * Math.random(),
    ...(run.withPercentiles ? { p50Ms: 40 + 10 * Math.random(), p95Ms: 120 + 50 * Math.random() } : {}),
  });
}
function step(id) {
  const run = runs[id];
  const s = run.series;
  const t0 = performance.now();
  add(run);
  updateChart(run.charts[0], [s.target, s.setpoint, s.actual, s.users]);
  updateChart(run.charts[1], [s.p50Ms, s.p95Ms, s.p99Ms, s.errorRatePct]);
  return performance.now() - t0;
}
window.__bench = { make, step };
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (v: number) => `${v.toFixed(2)} ms`;

export interface ChartCost {
  points: number;
  series: 6 | 8;
  median: number;
  p95: number;
}

/** Four runs on one page (2 h and 24 h, 6 and 8 series), stepped in turn so that a busy machine weighs on all alike. */
export async function chartUpdateCost(quick = false): Promise<ChartCost[]> {
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
    await page.setContent('<!doctype html><body></body>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const configs = [6, 8].flatMap((series) => SIZES.map((points) => ({ points, series: series as 6 | 8 })));
    const ids = await page.evaluate((cs) => cs.map((c) => (window as unknown as { __bench: { make(n: number, p: boolean): number } }).__bench.make(c.points, c.series === 8)), configs);
    const steps = quick ? 50 : 200;
    const times = await page.evaluate(
      ([runIds, k]) => {
        const w = window as unknown as { __bench: { step(id: number): number } };
        const t: number[][] = runIds.map(() => []);
        for (let i = 0; i < k; i++) runIds.forEach((id, j) => t[j]!.push(w.__bench.step(id)));
        return t;
      },
      [ids, steps] as const,
    );
    return configs.map((c, j) => ({ ...c, median: median(times[j]!), p95: pct(times[j]!, 0.95) }));
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
  const costs = await chartUpdateCost(quick);
  console.log('chart update at one sample / 5 s: append one sample, redraw both charts (spans and 12 marks drawn); goal ≤ 16 ms');
  const base = costs.find((c) => c.points === 1440 && c.series === 6)!;
  for (const c of costs) {
    const run = c.points === 1440 ? '2 h' : '24 h';
    const ratio = c === base ? 'reference' : `×${(c.median / base.median).toFixed(2)} the 2 h / 6-series cost`;
    console.log(`  ${run} run, ${c.points.toLocaleString('en-US')} points × ${c.series} series: median ${ms(c.median)} (p95 ${ms(c.p95)}, ${ratio})  goal ≤ 16 ms: ${c.median <= 16 ? 'met' : 'NOT met'}`);
  }
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
