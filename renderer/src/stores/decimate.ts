/** a chart point: x in minutes since the run started */
export interface Point {
  x: number;
  y: number;
}

/**
 * A series as the chart draws it: every point while the run is short; past `limit` points, each
 * bucket of samples is drawn as its lowest and highest point (spikes stay visible) and its latest
 * (the line reaches the newest sample), the buckets doubling as the run grows. Appending is amortised O(1) and the chart never gets more than
 * about `limit` points, so a redraw costs the same after 24 hours as after two.
 */
export class DrawnSeries {
  /** what the chart draws (changed in place) */
  readonly points: Point[] = [];
  /** samples per min/max pair once compacting began (0: every sample drawn as is) */
  private perPair = 0;
  /** samples of the bucket being filled, drawn provisionally at the end of `points` */
  private open: Point[] = [];
  private provisional = 0;

  constructor(private readonly limit = 1200) {}

  push(p: Point): void {
    if (this.perPair === 0) {
      this.points.push(p);
      if (this.points.length > this.limit) this.compact();
      return;
    }
    this.points.length -= this.provisional;
    this.open.push(p);
    const pair = withLast(minMax(this.open), p);
    if (this.open.length >= this.perPair) {
      this.points.push(...pair);
      this.open = [];
      this.provisional = 0;
      if (this.points.length > this.limit) this.compact();
    } else {
      this.points.push(...pair);
      this.provisional = pair.length;
    }
  }

  /** halve: every four points become the lowest and the highest of them */
  private compact(): void {
    this.points.length -= this.provisional;
    const out: Point[] = [];
    for (let i = 0; i < this.points.length; i += 4) {
      const chunk = this.points.slice(i, i + 4);
      out.push(...(i + 4 >= this.points.length ? withLast(minMax(chunk), chunk[chunk.length - 1]!) : minMax(chunk)));
    }
    this.points.length = 0;
    this.points.push(...out);
    this.perPair = this.perPair === 0 ? 4 : this.perPair * 2;
    if (this.open.length) {
      const pair = withLast(minMax(this.open), this.open[this.open.length - 1]!);
      this.points.push(...pair);
      this.provisional = pair.length;
    } else this.provisional = 0;
  }
}

/** a bucket ends with its latest sample, so a live line always reaches the newest point */
function withLast(ps: Point[], last: Point): Point[] {
  return ps.includes(last) ? ps : [...ps, last];
}

/** the lowest and the highest point (one point if they are the same), in x order */
function minMax(ps: Point[]): Point[] {
  let lo = ps[0]!;
  let hi = ps[0]!;
  for (const p of ps) {
    if (p.y < lo.y) lo = p;
    if (p.y > hi.y) hi = p;
  }
  if (lo === hi) return [lo];
  return lo.x <= hi.x ? [lo, hi] : [hi, lo];
}
