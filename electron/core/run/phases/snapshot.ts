import { SubstrateError } from '../../../../shared/model/errors.ts';
import type { RunContext } from '../run-context.ts';
import { computeParity } from '../../rules/parity.ts';
import type { Snapshot } from '../journal.ts';
import { errorMessage, readSide } from './common.ts';
import { skipReason } from '../../../../shared/spec/run-plan.ts';

/**
 * snapshot: read the test environment's pre-test state (images, replicas, resources, HPA bounds,
 * task definition ARNs, desired counts) and production's current state of every in-scope app,
 * and persist the test side to the journal BEFORE any write. Apps missing in test are skipped
 * (flagged, never created); apps missing in production are skipped unless an override gives
 * their version and scaling is not asked for.
 */
export async function snapshotPhase(ctx: RunContext): Promise<void> {
  const { spec, deps } = ctx;
  const signal = ctx.work.signal;
  const needProduction = spec.spec.deploy.productionVersions || spec.spec.scale.matchProduction;
  const [test, production] = await Promise.all([
    readSide(deps.substrates, 'test', ctx.units, signal),
    needProduction ? readSide(deps.substrates, 'production', ctx.units, signal) : Promise.resolve(new Map<string, null>()),
  ]);
  ctx.snapshot = test;
  ctx.production = production;

  for (const u of ctx.units) {
    const skip = skipReason({
      inTest: !!test.get(u.name),
      inProduction: !needProduction || !!production.get(u.name),
      hasOverride: spec.spec.deploy.overrides[u.name] !== undefined,
      productionVersions: spec.spec.deploy.productionVersions,
      matchProduction: spec.spec.scale.matchProduction,
    });
    if (skip) {
      ctx.skipped.add(u.name);
      ctx.setApp(u.name, 'snapshot', 'skipped', undefined, skip.reason);
      ctx.flag(`${u.name} is missing in ${skip.where === 'test' ? 'the test environment' : 'production'} and was skipped`);
      continue;
    }
    ctx.setApp(u.name, 'snapshot', 'ready');
  }
  if (ctx.skipped.size === ctx.units.length) {
    throw new SubstrateError('no application can be tested: every one is missing in test or in production', { substrate: ctx.units[0]?.substrate ?? 'kubernetes', target: 'test' });
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

  try {
    ctx.parityBefore = computeParity(spec, production, test);
    ctx.emit({ type: 'parity', runId: ctx.runId, when: 'before', report: ctx.parityBefore });
  } catch (err) {
    ctx.log('warn', `parity before the run could not be computed: ${errorMessage(err)}`);
  }
}
