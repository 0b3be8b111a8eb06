import { LoadError, ProductionWriteRefused, SpecError } from '../../../../shared/model/errors.ts';
import type { RunContext } from '../run-context.ts';
import { errorMessage, unitsOf } from './common.ts';

/**
 * validate: the spec is already schema-valid; here the run checks what it will talk to, without
 * writing anything: each app has exactly one substrate and that substrate is configured on both
 * sides, test never resolves to production, and Locust answers with enough workers.
 */
export async function validatePhase(ctx: RunContext): Promise<void> {
  const { spec, deps } = ctx;
  const issues: { path: string; message: string }[] = [];
  spec.spec.applications.forEach((app, i) => {
    if (!!app.kubernetes === !!app.ecs) issues.push({ path: `spec.applications.${i}`, message: `application ${app.name} must have exactly one of kubernetes or ecs` });
  });
  if (issues.length) throw new SpecError(issues);
  ctx.units = unitsOf(spec.spec.applications);

  const needProduction = spec.spec.deploy.productionVersions || spec.spec.scale.matchProduction;
  for (const u of ctx.units) {
    const test = deps.substrates.test[u.substrate];
    const prod = deps.substrates.production[u.substrate];
    const label = u.substrate === 'kubernetes' ? 'Kubernetes' : 'ECS';
    if (!test) issues.push({ path: 'spec.test', message: `application ${u.name} is on ${label}, but no ${label} test environment is configured` });
    if (!prod && needProduction) issues.push({ path: 'spec.production', message: `application ${u.name} is on ${label}, but no ${label} production environment is configured` });
  }
  if (issues.length) throw new SpecError(issues);

  // the runtime guard: the test side must not be production (the adapters refuse too)
  const pk = deps.substrates.production.kubernetes?.target;
  const tk = deps.substrates.test.kubernetes?.target;
  if (pk && tk && pk.server.replace(/\/+$/, '') === tk.server.replace(/\/+$/, '')) {
    throw new ProductionWriteRefused(`the test Kubernetes context "${tk.context}" points at production's API server ${pk.server}; refusing to run`, { production: pk, test: tk });
  }
  const pe = deps.substrates.production.ecs?.target;
  const te = deps.substrates.test.ecs?.target;
  if (pe && te && pe.region === te.region && pe.cluster === te.cluster && (pe.endpoint ?? '') === (te.endpoint ?? '')) {
    throw new ProductionWriteRefused(`the test ECS cluster ${te.cluster} (${te.region}) is production's; refusing to run`, { production: pe, test: te });
  }

  let stats;
  try {
    stats = await deps.locust.stats(ctx.work.signal);
  } catch (err) {
    if (ctx.work.signal.aborted) throw err;
    throw new LoadError(`the Locust master at ${spec.spec.load.locust.url} does not answer: ${errorMessage(err)}`);
  }
  ctx.locustWorkers = stats.workerCount;
  const min = spec.spec.load.locust.minWorkers;
  if (stats.workerCount !== null && stats.workerCount < min) {
    throw new LoadError(`the Locust master has ${stats.workerCount} worker(s), the spec requires at least ${min} (spec.load.locust.minWorkers)`);
  }
  for (const u of ctx.units) ctx.setApp(u.name, 'validate', 'ready');
}
