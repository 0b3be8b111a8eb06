import { describe, expect, it } from 'vitest';
import { SPEC_LIMITS, validateSpecText, validateSpecTextAsync } from '../../../../shared/spec/validate.ts';
import { manyKeySpec, type ManyKeyShape } from './many-keys.ts';

/**
 * Validation is linear in the input (the duplicate-key check used to be quadratic: a 1 MB many-key
 * spec took minutes) and, run cooperatively, lets the event loop turn while it works. Timing
 * figures live in test/bench/spec-validation.bench.ts; these tests count work.
 */

/** steps taken by the cooperative validation: one clock reading per step */
async function steps(text: string): Promise<number> {
  let readings = 0;
  await validateSpecTextAsync(text, { pause: async () => undefined, sliceMs: Infinity, now: () => readings++ });
  return readings;
}

function cpuMs(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    validateSpecText(text);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

const SHAPES: ManyKeyShape[] = ['labels', 'unknown-fields', 'json'];

describe('spec validation is linear in the input', () => {
  it.each(SHAPES)('%s: 4× the keys take 4× the steps', async (shape) => {
    const small = manyKeySpec(shape, SPEC_LIMITS.maxBytes / 8);
    const big = manyKeySpec(shape, SPEC_LIMITS.maxBytes / 2);
    const ratio = (await steps(big.text)) / (await steps(small.text));
    const keys = big.keys / small.keys;
    expect(ratio).toBeGreaterThan(keys * 0.8);
    expect(ratio).toBeLessThan(keys * 1.25);
  });

  it('4× the keys cost well under 16× the CPU (quadratic work would cost 16×; linear costs about 4×)', () => {
    const small = manyKeySpec('labels', SPEC_LIMITS.maxBytes / 16);
    const big = manyKeySpec('labels', SPEC_LIMITS.maxBytes / 4);
    cpuMs(small.text); // warm up the parser and the schema
    const ratio = cpuMs(big.text) / cpuMs(small.text);
    expect(ratio, `CPU ratio ${ratio.toFixed(1)} for ${(big.keys / small.keys).toFixed(1)}× the keys`).toBeLessThan(10);
  });

  it('finds a duplicate key at the end of a 1 MiB mapping, with its path and line', () => {
    const { text, keys } = manyKeySpec('labels', SPEC_LIMITS.maxBytes - 1024);
    const withDuplicate = text.replace(`    k${keys - 1}: v\n`, '    k0: again\n');
    const result = validateSpecText(withDuplicate);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ path: 'metadata.labels.k0', message: 'invalid YAML: a key appears twice in the same mapping', found: '"k0" a second time', line: 5 + keys });
  });

  it('describes the first problems and counts the rest (75,000 unknown fields make one readable answer)', () => {
    const { text, keys } = manyKeySpec('unknown-fields', SPEC_LIMITS.maxBytes - 1024);
    const result = validateSpecText(text);
    if (result.ok) throw new Error('expected problems');
    expect(result.issues).toHaveLength(51);
    expect(result.issues.filter((i) => i.message === 'unknown field').length).toBeGreaterThanOrEqual(49);
    expect(result.issues.at(-1)!.found).toBe(`${keys + 1} problems`); // every unknown key, and the missing Locust URL
  });

  it('lets the event loop turn while it validates a 1 MiB spec', async () => {
    const { text } = manyKeySpec('labels', SPEC_LIMITS.maxBytes - 1024);
    let turns = 0;
    let done = false;
    const tick = () => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const result = await validateSpecTextAsync(text, { pause: () => new Promise((r) => setImmediate(r)) });
    done = true;
    expect(result.ok).toBe(false);
    expect(turns).toBeGreaterThan(3);
  });
});
