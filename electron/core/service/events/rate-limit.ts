/**
 * A token bucket per client (its address): `burst` events at once, refilled at `perMinute`. The
 * number of clients remembered is bounded (the least recently seen are forgotten).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxClients = 1000,
  ) {}

  /** take one token for this client: null when allowed, else the seconds to wait */
  take(client: string): number | null {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: t };
    this.buckets.delete(client);
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 60_000) * this.perMinute);
    b.at = t;
    this.buckets.set(client, b);
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil(((1 - b.tokens) * 60) / this.perMinute));
  }
}
