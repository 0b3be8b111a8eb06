import { ProductionWriteRefused } from '../../../shared/model/errors.ts';
import { endpointKey } from '../../../shared/net/address.ts';
import type { EnvironmentIdentity, K8sTarget } from '../types.ts';

/**
 * The writers' last line of "production is read-only", checked before every write:
 * - by spelling: the target's API server, compared after normalisation (shared/net/address.ts:
 *   loopback ranges, IPv4-mapped IPv6, numeric IPv4, case, default ports, trailing dots and
 *   slashes), and namespace against each production target (one without namespaces protects the
 *   whole server);
 * - by identity: the cluster this writer reaches (its kube-system UID, read once) against
 *   production's, so a production server under any other name or address is refused too.
 */
export interface ProductionK8sTarget {
  /** API server URL */
  server: string;
  context?: string;
  /** namespaces production reads; omitted = every namespace on that server */
  namespaces?: string[];
  /** production's identity, asked of production's API server (read once, on the first write) */
  identity?: () => Promise<EnvironmentIdentity>;
}

export function assertNotProduction(target: K8sTarget, namespace: string, production: ProductionK8sTarget[], what: string): void {
  const server = endpointKey(target.server);
  for (const p of production) {
    if (endpointKey(p.server) !== server) continue;
    if (p.namespaces && !p.namespaces.includes(namespace)) continue;
    throw refused(target, namespace, what, p.context);
  }
}

function refused(target: K8sTarget, namespace: string, what: string, productionContext?: string): ProductionWriteRefused {
  return new ProductionWriteRefused(
    `refusing to ${what}: namespace "${namespace}" on ${target.server} (context ${target.context}) is production${productionContext ? ` (context ${productionContext})` : ''}; production is never written to`,
    { substrate: 'kubernetes', context: target.context, server: target.server, namespace, ...(productionContext ? { productionContext } : {}) },
  );
}

/** The guard a writer calls before each write: spelling at once, identity once per writer (cached). */
export function productionGuard(target: K8sTarget, production: ProductionK8sTarget[], ownIdentity: () => Promise<EnvironmentIdentity>) {
  let verdict: Promise<string | null> | null = null;
  const identityCheck = (): Promise<string | null> => {
    verdict ??= (async () => {
      const sources = production.filter((p) => p.identity);
      if (!sources.length) return null;
      const [mine, ...theirs] = await Promise.all([ownIdentity(), ...sources.map((p) => p.identity!())]);
      const hit = theirs.findIndex((t) => t.substrate === 'kubernetes' && mine!.substrate === 'kubernetes' && t.uid === mine!.uid);
      return hit >= 0 ? (sources[hit]!.context ?? sources[hit]!.server) : null;
    })().catch((err: unknown) => {
      verdict = null; // a failed read is retried on the next write (and this write fails)
      throw err;
    });
    return verdict;
  };
  return async (namespace: string, what: string): Promise<void> => {
    assertNotProduction(target, namespace, production, what);
    const production_ = await identityCheck();
    if (production_ !== null) throw refused(target, namespace, `${what} (this cluster is production's: same kube-system UID)`, production_);
  };
}
