import pLimit from 'p-limit';
import type { AppState, RolloutStatus } from '../../../../shared/model/app-state.ts';
import { SubstrateError } from '../../../../shared/model/errors.ts';
import type { EcsAppRef, K8sAppRef, Substrates } from '../../../substrates/types.ts';
import type { AppUnit } from '../../rules/units.ts';

/** Helpers shared by the phases: in-scope units, bulk reads of one side, waiting for an app to be ready. */

/** Read every unit on one side in bulk (one call per substrate). Missing apps map to null. */
export async function readSide(substrates: Substrates, side: 'production' | 'test', units: AppUnit[], signal?: AbortSignal): Promise<Map<string, AppState | null>> {
  const out = new Map<string, AppState | null>();
  const k8sRefs = units.filter((u) => u.k8s).map((u) => u.k8s as K8sAppRef);
  const ecsRefs = units.filter((u) => u.ecs).map((u) => u.ecs as EcsAppRef);
  const k8s = substrates[side].kubernetes;
  const ecs = substrates[side].ecs;
  const [k, e] = await Promise.all([
    k8sRefs.length ? requireReader(k8s, 'kubernetes', side).readApps(k8sRefs, signal) : Promise.resolve(new Map<string, AppState | null>()),
    ecsRefs.length ? requireReader(ecs, 'ecs', side).readApps(ecsRefs, signal) : Promise.resolve(new Map<string, AppState | null>()),
  ]);
  for (const u of units) out.set(u.name, (u.substrate === 'kubernetes' ? k.get(u.name) : e.get(u.name)) ?? null);
  return out;
}

function requireReader<T>(reader: T | undefined, substrate: 'kubernetes' | 'ecs', side: string): T {
  if (!reader) throw new SubstrateError(`no ${substrate === 'kubernetes' ? 'Kubernetes' : 'ECS'} ${side} environment is configured, but the spec has ${substrate} applications`, { substrate, target: side });
  return reader;
}

export function rolloutDetail(s: RolloutStatus): string {
  return `${s.updated}/${s.desired} updated, ${s.ready}/${s.desired} ready, ${s.available}/${s.desired} available`;
}

/** Wait until the unit's rollout (Kubernetes) or deployment (ECS) is complete. */
export async function waitReady(
  substrates: Substrates,
  unit: AppUnit,
  opts: { timeoutMs: number; signal: AbortSignal; onDetail: (detail: string) => void },
): Promise<AppState> {
  if (unit.substrate === 'kubernetes') {
    return substrates.test.kubernetes!.waitForRollout(unit.k8s!, {
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      onProgress: (s) => opts.onDetail(rolloutDetail(s)),
    });
  }
  return substrates.test.ecs!.waitForSteady(unit.ecs!, {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    onProgress: (s) => opts.onDetail(`${s.running}/${s.desired} running, ${s.pending} pending`),
  });
}

export { errorMessage } from '../../../../shared/model/errors.ts';

/** Run `fn` over items with at most `limit` at once; never rejects — returns each item's error (or null). */
export async function forEachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<(unknown | null)[]> {
  const run = pLimit(Math.max(1, limit));
  return Promise.all(
    items.map((item) =>
      run(async () => {
        try {
          await fn(item);
          return null;
        } catch (err) {
          return err ?? new Error('failed');
        }
      }),
    ),
  );
}
