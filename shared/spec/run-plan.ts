import type { ParityReport } from '../model/parity.ts';
import type { LoadPlan } from '../model/run.ts';
import type { LoadTest } from './schema.ts';

/**
 * What a spec will do when it runs, in the terms the cockpit's confirmation, the run status and
 * the report show: the planned load, the version overrides, and which apps are skipped (the one
 * rule, used by the snapshot phase and by the confirmation's forecast).
 */

/**
 * An override as the spec gives it: `container` null for an app-wide image (the run resolves which
 * container gets it: shared/model/override.ts), else the container named.
 */
export interface SpecOverride {
  app: string;
  container: string | null;
  image: string;
}

/** spec.deploy.overrides as a list: one entry per app-wide image, or per named container. */
export function overridesOf(spec: LoadTest): SpecOverride[] {
  const out: SpecOverride[] = [];
  for (const app of spec.spec.applications) {
    const o = spec.spec.deploy.overrides[app.name];
    if (!o) continue;
    if (o.image) out.push({ app: app.name, container: null, image: o.image });
    for (const [container, image] of Object.entries(o.containers ?? {})) out.push({ app: app.name, container, image });
  }
  return out;
}

export function loadPlanOf(spec: LoadTest): LoadPlan {
  const l = spec.spec.load;
  return { targetOpm: l.targetOrdersPerMinute, rampUpMs: l.rampUp, plateauMs: l.plateau, controlIntervalMs: l.controlInterval };
}

/** The facts of a spec that decide what a run does, as the cockpit gets them with a validation. */
export interface RunPlan {
  load: LoadPlan;
  overrides: SpecOverride[];
  apps: string[];
  productionVersions: boolean;
  matchProduction: boolean;
}

export function runPlanOf(spec: LoadTest): RunPlan {
  return {
    load: loadPlanOf(spec),
    overrides: overridesOf(spec),
    apps: spec.spec.applications.map((a) => a.name),
    productionVersions: spec.spec.deploy.productionVersions,
    matchProduction: spec.spec.scale.matchProduction,
  };
}

export interface SkipInput {
  inTest: boolean;
  inProduction: boolean;
  hasOverride: boolean;
  productionVersions: boolean;
  matchProduction: boolean;
}

/**
 * Why an app is skipped for the whole run, or null when it runs: the conductor never creates an
 * app missing in test, and copies nothing from production for an app production lacks (unless an
 * override gives its version and its scale is not asked for).
 */
export function skipReason(i: SkipInput): { where: 'test' | 'production'; reason: string } | null {
  if (!i.inTest) return { where: 'test', reason: 'missing in test: the conductor does not create applications' };
  const needProduction = i.productionVersions || i.matchProduction;
  if (needProduction && !i.inProduction && !(i.hasOverride && !i.matchProduction)) return { where: 'production', reason: 'missing in production: nothing to copy' };
  return null;
}

/** The apps a run of `plan` would skip, forecast from a parity report (apps it could not read are not forecast). */
export function forecastSkips(plan: RunPlan, parity: ParityReport): { app: string; reason: string }[] {
  const out: { app: string; reason: string }[] = [];
  for (const app of plan.apps) {
    const rows = parity.rows.filter((r) => r.app === app);
    if (rows.length === 0 || rows.some((r) => r.status === 'unreachable')) continue;
    const r = skipReason({
      inTest: !rows.some((x) => x.status === 'missing-in-test'),
      inProduction: !rows.some((x) => x.status === 'missing-in-production'),
      hasOverride: plan.overrides.some((o) => o.app === app),
      productionVersions: plan.productionVersions,
      matchProduction: plan.matchProduction,
    });
    if (r) out.push({ app, reason: r.reason });
  }
  return out;
}
