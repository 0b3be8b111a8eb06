/**
 * Network addresses compared the one way every check in the project uses (validation, the
 * guards, the writers, the HTTP server's loopback test): by what they reach, not how they are
 * spelled. Pure (WHATWG URL only) — DNS resolution is electron/base/address.ts.
 *
 * Canonical hosts: lowercase, no brackets, no trailing dot; numeric and shorthand IPv4
 * (2130706433, 0x7f.1, 127.1 — the URL parser normalises them); IPv4-mapped IPv6 (::ffff:7f00:1)
 * as its IPv4; every loopback spelling — 127.0.0.0/8, ::1, localhost and *.localhost, and the
 * unspecified 0.0.0.0 and :: (a connection to them reaches this host) — as `loopback`.
 */

export const LOOPBACK = 'loopback';

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:XXXX:XXXX) as its IPv4, else null. */
function mappedIpv4(host: string): string | null {
  const dotted = /^(?:0{0,4}:){5}ffff:(\d+\.\d+\.\d+\.\d+)$|^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (dotted) return (dotted[1] ?? dotted[2])!;
  const hex = /^(?:(?:0{0,4}:){5}|::)ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(host);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

function isLoopbackIpv6(host: string): boolean {
  // ::1 and :: in any zero-padded spelling
  if (!/^[0:]*:[0:]*1?$/.test(host)) return false;
  const groups = host.split(':').filter((g) => g !== '');
  return groups.every((g, i) => /^0+$/.test(g) || (i === groups.length - 1 && /^0*1$/.test(g)));
}

/** A host (from a URL or typed by a user) in canonical form; loopback spellings become 'loopback'. */
export function canonicalHost(raw: string): string {
  let host = raw.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host.includes('%')) host = host.slice(0, host.indexOf('%')); // an IPv6 zone
  if (!host.includes(':')) {
    // let the URL parser normalise numeric, hex, octal and shorthand IPv4
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      return host;
    }
  }
  const v4 = host.includes(':') ? mappedIpv4(host) : host;
  if (v4 && /^\d+\.\d+\.\d+\.\d+$/.test(v4)) {
    if (v4.startsWith('127.') || v4 === '0.0.0.0') return LOOPBACK;
    return v4;
  }
  if (host.includes(':')) return isLoopbackIpv6(host) ? LOOPBACK : host;
  if (host === 'localhost' || host.endsWith('.localhost')) return LOOPBACK;
  return host;
}

export function isLoopbackHost(raw: string): boolean {
  return canonicalHost(raw) === LOOPBACK;
}

export interface CanonicalEndpoint {
  scheme: string;
  host: string;
  port: string;
  /** without trailing slashes ('' for the root) */
  path: string;
}

/** A URL in canonical form (default ports made explicit), or null when it is not a URL. */
export function canonicalEndpoint(url: string): CanonicalEndpoint | null {
  let u: SharedUrl;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  return { scheme: u.protocol, host: canonicalHost(u.hostname), port: u.port || DEFAULT_PORTS[u.protocol] || '', path: u.pathname.replace(/\/+$/, '') };
}

/** One string per place a URL reaches (scheme, canonical host, port, path), for comparing spellings. */
export function endpointKey(url: string): string {
  const e = canonicalEndpoint(url);
  if (!e) return url.trim().toLowerCase().replace(/\/+$/, '');
  return `${e.scheme}//${e.host}:${e.port}${e.path}`;
}

/** Do two URLs reach the same server by their spelling alone (no DNS)? */
export function sameEndpoint(a: string, b: string): boolean {
  return endpointKey(a) === endpointKey(b);
}

/** An ECS cluster given by name or ARN: its name, and the region and account when an ARN says them. */
export function parseEcsCluster(cluster: string): { name: string; region?: string; account?: string } {
  const arn = /^arn:aws[a-z-]*:ecs:([^:]*):([^:]*):cluster\/(.+)$/.exec(cluster.trim());
  if (!arn) return { name: cluster.trim() };
  return { name: arn[3]!, ...(arn[1] ? { region: arn[1] } : {}), ...(arn[2] ? { account: arn[2] } : {}) };
}

/**
 * The ECS endpoint a target really talks to, as a key: '' for AWS's own regional endpoint (no
 * endpoint given, or `https://ecs.<region>.amazonaws.com`), else the endpoint's key.
 */
export function ecsEndpointKey(endpoint: string | undefined, region: string): string {
  if (!endpoint) return '';
  const e = canonicalEndpoint(endpoint);
  if (e && e.scheme === 'https:' && e.host === `ecs.${region.trim().toLowerCase()}.amazonaws.com` && e.port === '443' && e.path === '') return '';
  return endpointKey(endpoint);
}

/** Does this ECS target (region, cluster name or ARN, endpoint) name the same cluster as that one, by spelling? */
export function sameEcsTarget(a: { region: string; cluster: string; endpoint?: string | undefined }, b: { region: string; cluster: string; endpoint?: string | undefined }): boolean {
  const x = parseEcsCluster(a.cluster);
  const y = parseEcsCluster(b.cluster);
  const rx = (x.region ?? a.region).trim().toLowerCase();
  const ry = (y.region ?? b.region).trim().toLowerCase();
  if (x.account && y.account && x.account !== y.account) return false;
  return x.name === y.name && rx === ry && ecsEndpointKey(a.endpoint, rx) === ecsEndpointKey(b.endpoint, ry);
}
