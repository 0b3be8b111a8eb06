import { LoadError, SpecError } from '../../../../shared/model/errors.ts';
import { assertTestIsNotProduction } from '../../rules/test-identity.ts';
import { unitsOf, type AppUnit } from '../../rules/units.ts';
import type { RunContext } from '../run-context.ts';
import { unresolvableSecrets } from '../../../base/secret-resolver.ts';
import { secretRefsOf } from '../../../../shared/spec/spec-secrets.ts';
import { errorMessage } from './common.ts';

/** how long (s, one poll a second) validation waits for the spec's minimum of Locust workers to connect */
const WORKER_WAIT_POLLS = 15;

/** What validate establishes for the phases after it. */
export interface Validated {
  /** every in-scope application, on its substrate */
  units: AppUnit[];
  /** workers the Locust master reported (null: unknown) */
  locustWorkers: number | null;
}

/**
 * validate: the spec is already schema-valid; here the run checks what it will talk to, without
 * writing anything: each app's substrate is configured on both sides, every secret reference can
 * be read, test is not production (by
 * the servers' identity: electron/core/rules/test-identity.ts), and Locust answers with enough
 * workers.
 */
export async function validatePhase(ctx: RunContext): Promise<Validated> {
  const { spec, deps } = ctx;
  const issues: { path: string; message: string }[] = [];
  spec.spec.applications.forEach((app, i) => {
    if (!!app.kubernetes === !!app.ecs) issues.push({ path: `spec.applications.${i}`, message: `application ${app.name} must have exactly one of kubernetes or ecs` });
  });
  if (issues.length) throw new SpecError(issues);
  const units = unitsOf(spec.spec.applications);

  const needProduction = spec.spec.deploy.productionVersions || spec.spec.scale.matchProduction;
  for (const u of units) {
    const test = deps.substrates.test[u.substrate];
    const prod = deps.substrates.production[u.substrate];
    const label = u.substrate === 'kubernetes' ? 'Kubernetes' : 'ECS';
    if (!test) issues.push({ path: 'spec.test', message: `application ${u.name} is on ${label}, but no ${label} test environment is configured` });
    if (!prod && needProduction) issues.push({ path: 'spec.production', message: `application ${u.name} is on ${label}, but no ${label} production environment is configured` });
  }
  if (issues.length) throw new SpecError(issues);
  // every secret the run will need can be read now (its value is dropped; read again when used)
  const secrets = await unresolvableSecrets(secretRefsOf(spec));
  if (secrets.length) throw new SpecError(secrets);

  // asked of the servers (launchRun asked before taking the lock; a run started another way is checked here)
  await assertTestIsNotProduction(deps.substrates, ctx.work.signal);

  let stats;
  try {
    stats = await deps.locust.stats(ctx.work.signal);
  } catch (err) {
    if (ctx.work.signal.aborted) throw err;
    throw new LoadError(`the Locust master at ${spec.spec.load.locust.url} does not answer: ${errorMessage(err)}`);
  }
  const min = spec.spec.load.locust.minWorkers;
  // a worker the last run stopped leaves the master's list and comes back ready a moment later
  // (Locust drops it on client_stopped, adds it again on client_ready): a run that starts right
  // after another (the queue) gives workers a bounded while to connect before it fails
  for (let i = 0; i < WORKER_WAIT_POLLS && stats.workerCount !== null && stats.workerCount < min; i++) {
    await deps.clock.sleep(1000, ctx.work.signal);
    stats = await deps.locust.stats(ctx.work.signal).catch((err: unknown) => {
      if (ctx.work.signal.aborted) throw err;
      return stats!;
    });
  }
  if (stats.workerCount !== null && stats.workerCount < min) {
    throw new LoadError(`the Locust master has ${stats.workerCount} worker(s), the spec requires at least ${min} (spec.load.locust.minWorkers)`);
  }
  warnOfShortGuardReadings(ctx);
  for (const u of units) ctx.setApp(u.name, 'validate', 'ready');
  return { units, locustWorkers: stats.workerCount };
}

/** below this control interval one reading is short enough to cross the error guard on its own noise */
const SHORT_INTERVAL_MS = 60_000;

/**
 * The error guard judges each interval's reading alone; with less grace than two of them, one
 * noisy short reading past `maxErrorRate` ends the run where the controller holds a knee near the
 * guard (at 15 s, 18 of 20 benchmark seeds with a capacity below the target; with a 30 s grace,
 * none: docs/controller.md). Said once, in the run's log, before any write.
 */
function warnOfShortGuardReadings(ctx: RunContext): void {
  const interval = ctx.spec.spec.load.controlInterval;
  const { maxErrorRate, gracePeriod } = ctx.spec.spec.guards;
  if (interval >= SHORT_INTERVAL_MS || maxErrorRate >= 1 || gracePeriod >= 2 * interval) return;
  ctx.log(
    'warn',
    `the error guard judges each ${interval / 1000} s reading alone (spec.load.controlInterval) with ${gracePeriod / 1000} s of grace: one noisy reading past maxErrorRate can end the run where a knee would be reported — set spec.guards.gracePeriod to ${(2 * interval) / 1000}s or more`,
  );
}
