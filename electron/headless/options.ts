import { UsageError } from '../../shared/model/errors.ts';

/** Option parsers shared by the CLI's commands: one rule per option, one message. */

/**
 * --host of `conductor serve`: an address that binds to loopback only. Not shared/net's
 * isLoopbackHost (which asks whether an address reaches this machine, 0.0.0.0 included): binding
 * to 0.0.0.0 listens on every interface.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** --time-scale: simulated seconds per real second, 0.1–10000 */
export function parseTimeScale(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.1 || n > 10_000) throw new UsageError(`--time-scale: expected a number between 0.1 and 10000, found "${raw}"`);
  return n;
}
