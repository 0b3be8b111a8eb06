/**
 * The sandbox shop: how a checkout system answers load. Orders per user fall and latency rises
 * as the load approaches capacity; beyond capacity, requests fail. Used by the Locust simulator
 * and by the controller benchmark's plants. Pure and deterministic (noise comes from a seeded RNG
 * passed in by the caller, if any).
 */
export interface ShopModelOptions {
  /** orders per minute the shop can sustain at most */
  capacityOpm: number;
  /** orders per minute one user places when the shop is idle */
  opmPerUserIdle: number;
  /** median latency when idle (ms) */
  baseLatencyMs: number;
  /** other (non-order) requests per order, e.g. browse and cart calls */
  requestsPerOrder?: number;
}

export interface ShopRates {
  ordersPerMinute: number;
  /** all requests per second, orders included */
  requestsPerSecond: number;
  /** failed requests / all requests */
  errorRate: number;
  p50Ms: number;
  p99Ms: number;
}

export const DEFAULT_SHOP: ShopModelOptions = { capacityOpm: 3000, opmPerUserIdle: 6, baseLatencyMs: 40, requestsPerOrder: 4 };

export class ShopModel {
  constructor(readonly options: ShopModelOptions = DEFAULT_SHOP) {}

  /** steady-state rates with `users` concurrent users */
  rates(users: number): ShopRates {
    const { capacityOpm, opmPerUserIdle, baseLatencyMs } = this.options;
    const perOrder = this.options.requestsPerOrder ?? 4;
    const u = Math.max(0, users);
    const offered = u * opmPerUserIdle;
    // smooth saturation: throughput approaches capacity asymptotically (orders per user fall)
    const served = offered <= 0 ? 0 : capacityOpm * (1 - Math.exp(-offered / capacityOpm));
    const utilisation = Math.min(0.999, served / capacityOpm);
    const latencyFactor = 1 / (1 - utilisation);
    // errors once the offered load is beyond capacity
    const overload = Math.max(0, offered / capacityOpm - 1);
    const errorRate = Math.min(0.9, overload * 0.08);
    const ordersPerMinute = served * (1 - errorRate);
    return {
      ordersPerMinute,
      requestsPerSecond: (served * (perOrder + 1)) / 60,
      errorRate,
      p50Ms: baseLatencyMs * latencyFactor,
      p99Ms: baseLatencyMs * 3 * latencyFactor,
    };
  }
}
