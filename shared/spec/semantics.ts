import { sameEcsTarget } from '../net/address.ts';
import { parseDuration } from './duration.ts';
import { renderValue, type FieldIssue } from './zod-issues.ts';

/**
 * Checks that need more than one field: unique names, every app reachable in both environments,
 * overrides and caps that name apps in scope, the test environment not being production, timing.
 * They run on the document as written (before defaults), defensively, so they are reported together
 * with the schema's problems: a field the schema already rejects is simply skipped here.
 */

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const rec = (v: unknown): Rec | undefined => (isRec(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const has = (r: Rec | undefined, key: string): boolean => r !== undefined && r[key] !== undefined && r[key] !== null;

const H24 = 24 * 3_600_000;

function durationOf(v: unknown, fallback?: number): number | undefined {
  if (v === undefined) return fallback;
  return typeof v === 'string' ? (parseDuration(v) ?? undefined) : undefined;
}

interface AppInfo {
  index: number;
  name: string;
  on: 'kubernetes' | 'ecs' | undefined;
  containers: string[] | undefined;
}

export function checkSemantics(input: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const root = rec(input);
  const spec = rec(root?.spec);
  if (!spec) return issues;
  const sandbox = has(spec, 'sandbox');
  const production = rec(spec.production);
  const test = rec(spec.test);

  // applications: unique names, exactly one substrate
  const apps: AppInfo[] = [];
  const seen = new Map<string, number>();
  const list = Array.isArray(spec.applications) ? spec.applications : [];
  list.forEach((raw, index) => {
    const app = rec(raw);
    if (!app) return;
    const name = str(app.name);
    const k8s = rec(app.kubernetes);
    const ecs = rec(app.ecs);
    const onK8s = has(app, 'kubernetes');
    const onEcs = has(app, 'ecs');
    if (onK8s && onEcs) {
      issues.push({ path: ['spec', 'applications', index, 'ecs'], message: `application ${name ? `"${name}" ` : ''}names both kubernetes and ecs`, expected: 'exactly one of kubernetes or ecs', found: 'both' });
    } else if (!onK8s && !onEcs) {
      issues.push({ path: ['spec', 'applications', index], message: `application ${name ? `"${name}" ` : ''}says neither where it runs`, expected: 'exactly one of kubernetes (namespace, deployment) or ecs (service)', found: 'neither' });
    }
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined) {
        issues.push({ path: ['spec', 'applications', index, 'name'], message: `duplicate application name (also spec.applications[${first}])`, expected: 'a name used by one application only', found: JSON.stringify(name) });
      } else {
        seen.set(name, index);
      }
      const containersRaw = (onK8s ? k8s : onEcs ? ecs : undefined)?.containers;
      const containers = Array.isArray(containersRaw) && containersRaw.every((c) => typeof c === 'string') ? (containersRaw as string[]) : undefined;
      apps.push({ index, name, on: onK8s && !onEcs ? 'kubernetes' : onEcs && !onK8s ? 'ecs' : undefined, containers });
    }
  });
  const byName = new Map<string, AppInfo>();
  for (const app of apps) if (!byName.has(app.name)) byName.set(app.name, app);

  // environments
  const needs = { kubernetes: apps.filter((a) => a.on === 'kubernetes'), ecs: apps.filter((a) => a.on === 'ecs') };
  if (sandbox) {
    for (const side of ['production', 'test'] as const) {
      if (has(spec, side)) {
        issues.push({ path: ['spec', side], message: `spec.sandbox provides production and test; a separate ${side} environment cannot be combined with it`, expected: `either spec.sandbox or spec.production and spec.test`, found: 'both' });
      }
    }
  } else {
    for (const substrate of ['kubernetes', 'ecs'] as const) {
      const users = needs[substrate];
      if (users.length === 0) continue;
      const who = users.slice(0, 3).map((a) => `"${a.name}"`).join(', ') + (users.length > 3 ? ` and ${users.length - 3} more` : '');
      for (const [side, env] of [['production', production], ['test', test]] as const) {
        if (!has(env, substrate)) {
          issues.push({
            path: env ? ['spec', side, substrate] : ['spec', side],
            message: `${who} run${users.length === 1 ? 's' : ''} on ${substrate === 'kubernetes' ? 'Kubernetes' : 'ECS'}, so the ${side} environment needs ${substrate === 'kubernetes' ? 'a kubernetes context' : 'an ecs cluster'}`,
            expected: substrate === 'kubernetes' ? `spec.${side}.kubernetes.context (or spec.sandbox)` : `spec.${side}.ecs with region and cluster (or spec.sandbox)`,
            found: 'nothing',
          });
        }
      }
    }
    const load = rec(spec.load);
    const locust = rec(load?.locust);
    if (load && !has(locust, 'url')) {
      issues.push({ path: locust ? ['spec', 'load', 'locust', 'url'] : ['spec', 'load', 'locust'], message: 'the Locust master URL is required (only the sandbox provides its own)', expected: 'an http:// or https:// URL such as http://locust-master:8089', found: 'nothing' });
    }
  }

  // the test environment must not be production
  const pk = rec(production?.kubernetes);
  const tk = rec(test?.kubernetes);
  if (str(pk?.context) !== undefined && str(pk?.context) === str(tk?.context) && str(pk?.kubeconfig) === str(tk?.kubeconfig)) {
    issues.push({
      path: ['spec', 'test', 'kubernetes', 'context'],
      message: 'the test environment is production: same kubeconfig context' + (pk?.kubeconfig ? ' and kubeconfig file' : ''),
      expected: 'a context (or kubeconfig) different from spec.production.kubernetes',
      found: JSON.stringify(tk?.context),
    });
  }
  const pe = rec(production?.ecs);
  const te = rec(test?.ecs);
  const ecsTarget = (e: Rec | undefined) => (str(e?.cluster) !== undefined && str(e?.region) !== undefined ? { cluster: str(e?.cluster)!, region: str(e?.region)!, endpoint: str(e?.endpoint) } : undefined);
  const [pet, tet] = [ecsTarget(pe), ecsTarget(te)];
  // compared by what they reach (shared/net/address.ts): a cluster ARN counts by its name, loopback spellings are one place
  if (pet && tet && sameEcsTarget(pet, tet)) {
    issues.push({
      path: ['spec', 'test', 'ecs', 'cluster'],
      message: 'the test environment is production: same ECS region and cluster',
      expected: 'a cluster (or region/endpoint) different from spec.production.ecs',
      found: `${JSON.stringify(te?.cluster)} in ${String(te?.region)}`,
    });
  }

  // deploy overrides and scale caps name apps in scope
  const inScope = [...byName.keys()].join(', ') || 'none';
  const overrides = rec(rec(spec.deploy)?.overrides);
  for (const [appName, raw] of Object.entries(overrides ?? {})) {
    const app = byName.get(appName);
    if (!app) {
      issues.push({ path: ['spec', 'deploy', 'overrides', appName], message: 'an override for an application that is not in scope', expected: `one of the applications ${inScope}`, found: JSON.stringify(appName), at: 'key' });
      continue;
    }
    const override = rec(raw);
    if (!override) continue;
    const hasImage = has(override, 'image');
    const perContainer = rec(override.containers);
    if (hasImage === has(override, 'containers')) {
      issues.push({ path: ['spec', 'deploy', 'overrides', appName], message: hasImage ? 'gives both image and containers' : 'gives no image', expected: 'exactly one of image (every container) or containers (per-container images)', found: renderValue(override) });
    }
    if (perContainer && app.containers) {
      for (const container of Object.keys(perContainer)) {
        if (!app.containers.includes(container)) {
          issues.push({ path: ['spec', 'deploy', 'overrides', appName, 'containers', container], message: `container is not among application "${appName}"'s containers`, expected: `one of ${app.containers.join(', ')}`, found: JSON.stringify(container), at: 'key' });
        }
      }
    }
  }
  const caps = rec(rec(spec.scale)?.caps);
  for (const [appName, raw] of Object.entries(caps ?? {})) {
    const app = byName.get(appName);
    if (!app) {
      issues.push({ path: ['spec', 'scale', 'caps', appName], message: 'a scale cap for an application that is not in scope', expected: `one of the applications ${inScope}`, found: JSON.stringify(appName), at: 'key' });
      continue;
    }
    const cap = rec(raw);
    if (cap && app.on === 'ecs') {
      for (const field of ['maxReplicas', 'maxCpu', 'maxMemory']) {
        if (has(cap, field)) issues.push({ path: ['spec', 'scale', 'caps', appName, field], message: `is a Kubernetes cap but "${appName}" runs on ECS`, expected: 'maxDesiredCount for an ECS service', found: field, at: 'key' });
      }
    } else if (cap && app.on === 'kubernetes' && has(cap, 'maxDesiredCount')) {
      issues.push({ path: ['spec', 'scale', 'caps', appName, 'maxDesiredCount'], message: `is an ECS cap but "${appName}" runs on Kubernetes`, expected: 'maxReplicas, maxCpu or maxMemory for a Kubernetes deployment', found: 'maxDesiredCount', at: 'key' });
    }
  }

  // load: KPI source and timing
  const load = rec(spec.load);
  const kpi = rec(load?.kpi);
  if (kpi && has(kpi, 'locustRequest') === has(kpi, 'prometheus')) {
    issues.push({ path: ['spec', 'load', 'kpi'], message: has(kpi, 'locustRequest') ? 'names two KPI sources' : 'names no KPI source', expected: 'exactly one of locustRequest (e.g. "POST /orders") or prometheus (url, query)', found: renderValue(kpi) });
  }
  if (load) {
    const rampUp = durationOf(load.rampUp);
    const plateau = durationOf(load.plateau);
    const interval = durationOf(load.controlInterval, 60_000);
    if (rampUp !== undefined && plateau !== undefined && rampUp <= H24 && plateau <= H24 && rampUp + plateau > H24) {
      issues.push({ path: ['spec', 'load', 'plateau'], message: 'ramp-up plus plateau last longer than 24h', expected: 'rampUp + plateau of at most 24h', found: `${String(load.rampUp)} + ${String(load.plateau)}` });
    }
    if (rampUp !== undefined && interval !== undefined && rampUp >= 1000 && interval >= 1000 && interval > rampUp) {
      issues.push({ path: ['spec', 'load', has(load, 'controlInterval') ? 'controlInterval' : 'rampUp'], message: 'the control interval is longer than the ramp-up, so the controller could not act during the ramp', expected: `a controlInterval of at most the rampUp (${String(load.rampUp)})`, found: has(load, 'controlInterval') ? String(load.controlInterval) : `the default controlInterval 60s` });
    }
  }

  // cleanup hooks: exactly one action each
  const hooks = Array.isArray(spec.cleanup) ? spec.cleanup : [];
  hooks.forEach((raw, index) => {
    const hook = rec(raw);
    if (hook && has(hook, 'http') === has(hook, 'kubernetesJob')) {
      issues.push({ path: ['spec', 'cleanup', index], message: has(hook, 'http') ? 'a cleanup hook with two actions' : 'a cleanup hook with no action', expected: 'exactly one of http or kubernetesJob', found: renderValue(hook) });
    }
  });

  // notify routes: each owner a route names owns an application (a typo would route nowhere)
  const owners = new Set(list.flatMap((raw) => (Array.isArray(rec(raw)?.owners) ? (rec(raw)!.owners as unknown[]).filter((o): o is string => typeof o === 'string') : [])));
  const routes = Array.isArray(rec(spec.notify)?.routes) ? (rec(spec.notify)!.routes as unknown[]) : [];
  routes.forEach((raw, index) => {
    const named = rec(raw)?.owners;
    if (!Array.isArray(named)) return;
    named.forEach((o, i) => {
      if (typeof o === 'string' && !owners.has(o)) {
        issues.push({ path: ['spec', 'notify', 'routes', index, 'owners', i], message: 'no application is owned by this team', expected: owners.size ? `one of the owners ${[...owners].join(', ')} (spec.applications[].owners)` : 'a team named in spec.applications[].owners', found: JSON.stringify(o) });
      }
    });
  });

  return issues;
}
