import { ProductionWriteRefused } from '../../../shared/model/errors.ts';
import type { EcsTarget } from '../types.ts';

/**
 * The runtime half of "production is read-only": a write is refused when its target resolves to
 * a production cluster — same region, same cluster name (a cluster ARN counts by its name and
 * region) and same endpoint (no endpoint and the regional AWS endpoint are the same place;
 * localhost and 127.0.0.1 are the same place). Profiles are not compared: two profiles can reach
 * the same account, so a differing profile does not make a target safe.
 */

interface ResolvedTarget {
  region: string;
  cluster: string;
  endpoint: string;
}

function normaliseEndpoint(endpoint: string | undefined, region: string): string {
  if (!endpoint) return '';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint.trim().toLowerCase();
  }
  let host = url.hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') host = '127.0.0.1';
  if (host === `ecs.${region}.amazonaws.com` && url.protocol === 'https:') return '';
  return `${url.protocol}//${host}${url.port ? ':' + url.port : ''}${url.pathname.replace(/\/+$/, '')}`;
}

export function resolveEcsTarget(t: EcsTarget): ResolvedTarget {
  const arn = /^arn:aws[a-z-]*:ecs:([^:]*):[^:]*:cluster\/(.+)$/.exec(t.cluster.trim());
  const region = (arn?.[1] || t.region).trim().toLowerCase();
  const cluster = arn ? arn[2]! : t.cluster.trim();
  return { region, cluster, endpoint: normaliseEndpoint(t.endpoint, region) };
}

export function sameEcsCluster(a: EcsTarget, b: EcsTarget): boolean {
  const x = resolveEcsTarget(a);
  const y = resolveEcsTarget(b);
  return x.region === y.region && x.cluster === y.cluster && x.endpoint === y.endpoint;
}

/** Throws ProductionWriteRefused when `target` is one of `production`. */
export function assertEcsWritable(target: EcsTarget, production: readonly EcsTarget[], action: string): void {
  const hit = production.find((p) => sameEcsCluster(target, p));
  if (!hit) return;
  throw new ProductionWriteRefused(`refusing to ${action}: ECS cluster ${target.cluster} in ${target.region}${target.endpoint ? ` at ${target.endpoint}` : ''} is production, which is read-only`, {
    substrate: 'ecs',
    region: target.region,
    cluster: target.cluster,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    action,
  });
}
