import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { canonicalEndpoint, canonicalHost } from '../../shared/net/address.ts';

/**
 * Where a URL really goes: its host resolved through DNS (all addresses), each address in the
 * canonical form of shared/net/address.ts (loopback spellings as 'loopback'), with its port.
 * Two endpoints are the same place when their ports match and they share an address.
 */
export interface ResolvedEndpoint {
  /** canonical addresses, sorted */
  addresses: string[];
  port: string;
}

export type Resolve = (host: string) => Promise<string[]>;

const systemResolve: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export async function resolveEndpoint(url: string, opts: { resolve?: Resolve; timeoutMs?: number } = {}): Promise<ResolvedEndpoint | null> {
  const e = canonicalEndpoint(url);
  if (!e) return null;
  const host = new URL(url.trim()).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (e.host === 'loopback' || isIP(host)) addresses = [e.host];
  else {
    const resolve = opts.resolve ?? systemResolve;
    const timeout = opts.timeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        resolve(host),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`resolving ${host} took longer than ${timeout} ms`)), timeout))),
      ]);
    } finally {
      clearTimeout(timer);
    }
    addresses = addresses.map(canonicalHost);
    if (!addresses.length) addresses = [e.host];
  }
  return { addresses: [...new Set(addresses)].sort(), port: e.port };
}

export function sameResolvedEndpoint(a: ResolvedEndpoint, b: ResolvedEndpoint): boolean {
  return a.port === b.port && a.addresses.some((x) => b.addresses.includes(x));
}
