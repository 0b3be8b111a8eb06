import { ProductionWriteRefused } from '../../../shared/model/errors.ts';
import type { K8sTarget } from '../types.ts';

/**
 * The runtime half of "production is read-only": a write is refused when its target resolves
 * to the same API server (scheme, host, port, path; loopback names treated as one) and
 * namespace as a production target. A production target without namespaces protects the whole server.
 */
export interface ProductionK8sTarget {
  /** API server URL */
  server: string;
  context?: string;
  /** namespaces production reads; omitted = every namespace on that server */
  namespaces?: string[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

export function normalizeServer(url: string): string {
  try {
    const u = new URL(url);
    const host = LOOPBACK.has(u.hostname.toLowerCase()) ? 'loopback' : u.hostname.toLowerCase();
    const port = u.port || (u.protocol === 'http:' ? '80' : '443');
    return `${u.protocol}//${host}:${port}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.trim().toLowerCase().replace(/\/+$/, '');
  }
}

export function assertNotProduction(target: K8sTarget, namespace: string, production: ProductionK8sTarget[], what: string): void {
  const server = normalizeServer(target.server);
  for (const p of production) {
    if (normalizeServer(p.server) !== server) continue;
    if (p.namespaces && !p.namespaces.includes(namespace)) continue;
    throw new ProductionWriteRefused(
      `refusing to ${what}: namespace "${namespace}" on ${target.server} (context ${target.context}) is production${p.context ? ` (context ${p.context})` : ''}; production is never written to`,
      { substrate: 'kubernetes', context: target.context, server: target.server, namespace, productionContext: p.context },
    );
  }
}
