/**
 * Seeded randomness for the simulations (the sandbox's Locust and the controller benchmark's
 * plants): a small PRNG and the counts a process of independent requests gives — whole numbers,
 * as Locust counts them. The same seed gives the same numbers.
 */

/** mulberry32: a small seeded PRNG in [0, 1) */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** a standard normal variate (Box–Muller) */
export function gaussian(rand: () => number): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** a Poisson count of mean λ (exact for small λ, the normal approximation above 50) */
export function poisson(lambda: number, rand: () => number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rand)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (let i = 0; i < 1000; i++) {
    p *= rand();
    if (p <= l) break;
    k++;
  }
  return k;
}

/** a binomial count of n trials with probability p (the normal approximation for large n) */
export function binomial(n: number, p: number, rand: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n > 50) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gaussian(rand))));
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}
