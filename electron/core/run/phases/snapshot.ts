import { workersUnitOf } from '../../rules/units.ts';
import type { AppState } from '../../../../shared/model/app-state.ts';
import { SubstrateError } from '../../../../shared/model/errors.ts';
import type { ParityReport } from '../../../../shared/model/parity.ts';
import { computeParity } from '../../rules/parity.ts';
import type { AppUnit } from '../../rules/units.ts';
import type { RunContext } from '../run-context.ts';
import type { Snapshot } from '../journal.ts';
import { errorMessage, readSide } from './common.ts';
import { skipReason } from '../../../../shared/spec/run-plan.ts';
import type { Validated } from './validate.ts';

/** Both sides as they were before the first write, and the apps the run works on. */
export interface Snapshotted {
  /** every in-scope application */
  units: AppUnit[];
  /** the ones the run deploys, scales and restores (the others were skipped) */
  active: AppUnit[];
  /** app → the test side's state before the run (null: missing in test) */
  test: ReadonlyMap<string, AppState | null>;
  /** app → production's state at snapshot time */
  production: ReadonlyMap<string, AppState | null>;
  parityBefore: ParityReport | null;
  /** the Locust workers' Deployment or ECS service (spec.load.locust.workers) when it is there to scale; its state is in `test` */
  workers: AppUnit | null;
}

/**
 * snapshot: read the test environment's pre-test state (images, replicas, resources, HPA bounds,
 * task definition ARNs, desired counts) and production's current state of every in-scope app,
 * and persist the test side to the journal BEFORE any write. Apps missing in test are skipped
 * (flagged, never created); apps missing in production are skipped unless an override gives
 * their version and scaling is not asked for.
 */
export async function snapshotPhase(ctx: RunContext, { units }: Validated): Promise<Snapshotted> {
  const { spec, deps } = ctx;
  const signal = ctx.work.signal;
  const needProduction = spec.spec.deploy.productionVersions || spec.spec.scale.matchProduction;
  const workersUnit = workersUnitOf(spec);
  const [test, production] = await Promise.all([
    readSide(deps.substrates, 'test', workersUnit ? [...units, workersUnit] : units, signal),
    needProduction ? readSide(deps.substrates, 'production', units, signal) : Promise.resolve(new Map<string, null>()),
  ]);

  const active: AppUnit[] = [];
  for (const u of units) {
    const skip = skipReason({
      inTest: !!test.get(u.name),
      inProduction: !needProduction || !!production.get(u.name),
      hasOverride: spec.spec.deploy.overrides[u.name] !== undefined,
      productionVersions: spec.spec.deploy.productionVersions,
      matchProduction: spec.spec.scale.matchProduction,
    });
    if (skip) {
      ctx.setApp(u.name, 'snapshot', 'skipped', undefined, skip.reason);
      ctx.flag(`${u.name} is missing in ${skip.where === 'test' ? 'the test environment' : 'production'} and was skipped`);
      continue;
    }
    active.push(u);
    ctx.setApp(u.name, 'snapshot', 'ready');
  }
  let workers: AppUnit | null = null;
  if (workersUnit) {
    if (test.get(workersUnit.name)) workers = workersUnit;
    else ctx.flag('the Locust workers (spec.load.locust.workers) are missing in the test environment: their count is left as it is');
  }
  if (active.length === 0) {
    throw new SubstrateError('no application can be tested: every one is missing in test or in production', { substrate: units[0]?.substrate ?? 'kubernetes', target: 'test' });
  }

  const snap: Snapshot = {
    version: 1,
    runId: ctx.runId,
    specName: spec.metadata.name,
    spec,
    startedAt: ctx.status.startedAt,
    takenAt: new Date().toISOString(),
    testEnvironment: ctx.status.testEnvironment,
    test: Object.fromEntries(test),
  };
  await ctx.journal.writeSnapshot(snap);

  let parityBefore: ParityReport | null = null;
  try {
    parityBefore = computeParity(spec, production, test);
    ctx.parity('before', parityBefore);
  } catch (err) {
    ctx.log('warn', `parity before the run could not be computed: ${errorMessage(err)}`);
  }
  return { units, active, test, production, parityBefore, workers };
}
