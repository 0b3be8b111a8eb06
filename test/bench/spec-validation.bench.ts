/**
 * Validating a 1 MiB spec with many keys (issue 9): goal ≤ 1 s, linear in the input, and — for a
 * server — no long stretch without the event loop turning. Prints, per document shape, the median
 * wall and CPU time of `validateSpecText` at ¼, ½ and the whole of the 1 MiB limit (the ratio
 * shows linearity), then the longest event-loop block while `validateSpecTextAsync` validates the
 * 1 MiB document cooperatively (a 1 ms interval timer measures the gaps).
 *   npm run bench -- spec-validation [--quick]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SPEC_LIMITS, validateSpecText, validateSpecTextAsync } from '../../shared/spec/validate.ts';
import { manyKeySpec, type ManyKeyShape } from '../unit/shared/spec/many-keys.ts';

const ROUNDS = process.argv.includes('--quick') ? 3 : 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(text: string): { wallMs: number; cpuMs: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    validateSpecText(text);
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

async function longestBlock(text: string): Promise<{ blockMs: number; totalMs: number }> {
  const blocks: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    await validateSpecTextAsync(text, { pause: () => new Promise((r) => setImmediate(r)) });
    totals.push(performance.now() - t0);
    h.disable();
    blocks.push(h.max / 1e6);
  }
  return { blockMs: median(blocks), totalMs: median(totals) };
}

const shapes: ManyKeyShape[] = ['labels', 'unknown-fields', 'json'];
console.log(`validateSpecText, median of ${ROUNDS} (wall / CPU ms); goal: 1 MiB in ≤ 1000 ms, linear`);
for (const shape of shapes) {
  const sizes = [SPEC_LIMITS.maxBytes / 4, SPEC_LIMITS.maxBytes / 2, SPEC_LIMITS.maxBytes - 1024];
  const rows = sizes.map((bytes) => {
    const spec = manyKeySpec(shape, bytes);
    return { ...spec, ...measure(spec.text) };
  });
  const full = rows.at(-1)!;
  const perKey = rows.map((r) => (r.cpuMs / r.keys) * 1000);
  console.log(
    `  ${shape.padEnd(15)} ` +
      rows.map((r) => `${(r.text.length / 1024).toFixed(0)} KiB ${r.keys} keys: ${r.wallMs.toFixed(0)} / ${r.cpuMs.toFixed(0)} ms`).join(';  ') +
      `  | CPU µs per key ${perKey.map((x) => x.toFixed(1)).join(' → ')}` +
      `  | 1 MiB ≤ 1000 ms: ${full.wallMs <= 1000 ? 'PASS' : 'FAIL'}`,
  );
}

console.log('\nvalidateSpecTextAsync (the server and the desktop app), 1 MiB, longest event-loop block / whole validation:');
for (const shape of shapes) {
  const { text } = manyKeySpec(shape, SPEC_LIMITS.maxBytes - 1024);
  const { blockMs, totalMs } = await longestBlock(text);
  console.log(`  ${shape.padEnd(15)} longest block ${blockMs.toFixed(0)} ms of ${totalMs.toFixed(0)} ms`);
}
