/**
 * Response-time bookkeeping the way Locust does it: times are rounded (exact below 100 ms, to
 * 10 ms below 1 s, to 100 ms above) into a histogram, and percentiles are read from it.
 */
export type Histogram = Map<number, number>;

export function roundResponseTime(ms: number): number {
  if (ms < 100) return Math.round(ms);
  if (ms < 1000) return Math.round(ms / 10) * 10;
  return Math.round(ms / 100) * 100;
}

export function addToHistogram(h: Histogram, ms: number, count: number): void {
  if (count <= 0) return;
  const k = roundResponseTime(ms);
  h.set(k, (h.get(k) ?? 0) + count);
}

/** Locust's calculate_response_time_percentile over a histogram of `total` requests */
export function histogramPercentile(h: Histogram, total: number, percent: number): number {
  if (total <= 0 || h.size === 0) return 0;
  const wanted = Math.floor(total * percent);
  let processed = 0;
  const keys = [...h.keys()].sort((a, b) => b - a);
  for (const rt of keys) {
    processed += h.get(rt) ?? 0;
    if (total - processed <= wanted) return rt;
  }
  return keys.at(-1) ?? 0;
}

/** inverse of the standard normal CDF (Acklam's approximation, |error| < 1.2e-9) */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q0 = Math.min(1 - 1e-12, Math.max(1e-12, p));
  if (q0 < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(q0));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (q0 > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - q0));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = q0 - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** the response time at quantile q of a log-normal with the given median and 99th percentile */
export function logNormalAt(q: number, p50: number, p99: number): number {
  const median = Math.max(1, p50);
  const sigma = Math.max(0.01, Math.log(Math.max(p99, median * 1.01) / median) / 2.3263);
  return median * Math.exp(sigma * normalQuantile(q));
}
