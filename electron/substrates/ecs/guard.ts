import { ProductionWriteRefused } from '../../../shared/model/errors.ts';
import { sameEcsTarget } from '../../../shared/net/address.ts';
import { sameIdentity, type EcsTarget, type EnvironmentIdentity } from '../types.ts';

/**
 * The ECS writers' last line of "production is read-only", checked before every write:
 * - by spelling: same cluster (a cluster ARN counts by its name, region and account), same region
 *   and same endpoint after normalisation (shared/net/address.ts: no endpoint and AWS's regional
 *   endpoint are one place; every loopback spelling is one place). Profiles are not compared: two
 *   profiles can reach the same account, so a differing profile does not make a target safe;
 * - by identity: the clusterArn this writer's cluster has (DescribeClusters, read once) at its
 *   resolved endpoint, against production's.
 */
export interface ProductionEcsTarget extends EcsTarget {
  /** production's identity, asked of production's ECS endpoint (read once, on the first write) */
  identity?: () => Promise<EnvironmentIdentity>;
}

export function sameEcsCluster(a: EcsTarget, b: EcsTarget): boolean {
  return sameEcsTarget(a, b);
}

function refused(target: EcsTarget, action: string, why = 'is production'): ProductionWriteRefused {
  return new ProductionWriteRefused(`refusing to ${action}: ECS cluster ${target.cluster} in ${target.region}${target.endpoint ? ` at ${target.endpoint}` : ''} ${why}, which is read-only`, {
    substrate: 'ecs',
    region: target.region,
    cluster: target.cluster,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    action,
  });
}

/** Throws ProductionWriteRefused when `target` is one of `production` by spelling. */
export function assertEcsWritable(target: EcsTarget, production: readonly EcsTarget[], action: string): void {
  if (production.some((p) => sameEcsCluster(target, p))) throw refused(target, action);
}

/** The guard a writer calls before each write: spelling at once, identity once per writer (cached). */
export function ecsProductionGuard(target: EcsTarget, production: readonly ProductionEcsTarget[], ownIdentity: () => Promise<EnvironmentIdentity>) {
  let verdict: Promise<boolean> | null = null;
  const identityCheck = (): Promise<boolean> => {
    verdict ??= (async () => {
      const sources = production.filter((p) => p.identity);
      if (!sources.length) return false;
      const [mine, ...theirs] = await Promise.all([ownIdentity(), ...sources.map((p) => p.identity!())]);
      return theirs.some((t) => sameIdentity(mine!, t));
    })().catch((err: unknown) => {
      verdict = null;
      throw err;
    });
    return verdict;
  };
  return async (action: string): Promise<void> => {
    assertEcsWritable(target, production, action);
    if (await identityCheck()) throw refused(target, action, "is production's cluster (same cluster ARN at the same endpoint)");
  };
}
