import { suspendedText, type AppState, type EcsAppState, type K8sAppState } from '../../../shared/model/app-state.ts';
import { describeManager } from '../../../shared/model/gitops.ts';
import type { ParityReport, ParityRow, ParityStatus } from '../../../shared/model/parity.ts';
import { sameQuantity } from '../../../shared/model/quantity.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import type { EcsAppRef, K8sAppRef, Substrates } from '../../substrates/types.ts';
import { ecsRef, k8sRef } from './units.ts';
import { errorMessage } from '../../../shared/model/errors.ts';

/**
 * The prod-vs-test parity diff: per application and field, production and test side by side.
 * Reading only: production and test are read in parallel, in bulk, and nothing is written.
 */

type Value = string | number | null;
type Side = ReadonlyMap<string, AppState | null>;
/** app name → why it could not be read */
type Unreachable = Map<string, string>;

/** Read both sides and diff them. A substrate that cannot be read yields `unreachable` rows, not an exception. */
export async function readParity(spec: LoadTest, substrates: Substrates, signal?: AbortSignal): Promise<ParityReport> {
  const apps = spec.spec.applications;
  const k8sRefs = apps.map(k8sRef).filter((r): r is K8sAppRef => r !== null);
  const ecsRefs = apps.map(ecsRef).filter((r): r is EcsAppRef => r !== null);
  const production = new Map<string, AppState | null>();
  const test = new Map<string, AppState | null>();
  const unreachable: { production: Unreachable; test: Unreachable } = { production: new Map(), test: new Map() };

  const read = async <R extends { app: string }>(
    side: 'production' | 'test',
    refs: R[],
    reader: { readApps(refs: R[], signal?: AbortSignal): Promise<Map<string, AppState | null>> } | undefined,
    what: string,
  ) => {
    if (refs.length === 0) return;
    if (!reader) {
      for (const r of refs) unreachable[side].set(r.app, `no ${what} configured for ${side}`);
      return;
    }
    try {
      const states = await reader.readApps(refs, signal);
      for (const r of refs) (side === 'production' ? production : test).set(r.app, states.get(r.app) ?? null);
    } catch (err) {
      const message = errorMessage(err);
      for (const r of refs) unreachable[side].set(r.app, message);
    }
  };

  await Promise.all([
    read('production', k8sRefs, substrates.production.kubernetes, 'Kubernetes'),
    read('test', k8sRefs, substrates.test.kubernetes, 'Kubernetes'),
    read('production', ecsRefs, substrates.production.ecs, 'ECS'),
    read('test', ecsRefs, substrates.test.ecs, 'ECS'),
  ]);
  return computeParity(spec, production, test, unreachable);
}

export function computeParity(
  spec: LoadTest,
  production: Side,
  test: Side,
  unreachable: { production: Unreachable; test: Unreachable } = { production: new Map(), test: new Map() },
  now: Date = new Date(),
): ParityReport {
  const rows: ParityRow[] = [];
  const summary = { apps: 0, inParity: 0, drift: 0, missing: 0, unreachable: 0 };
  for (const app of spec.spec.applications) {
    summary.apps += 1;
    const substrate = app.kubernetes ? 'kubernetes' : 'ecs';
    const why = unreachable.production.get(app.name) ?? unreachable.test.get(app.name);
    if (why !== undefined) {
      const side = unreachable.production.has(app.name) ? 'production' : 'test';
      rows.push({ app: app.name, substrate, field: '(app)', production: null, test: null, status: 'unreachable', reason: `${side}: ${why}` });
      summary.unreachable += 1;
      continue;
    }
    const p = production.get(app.name) ?? null;
    const t = test.get(app.name) ?? null;
    if (!p || !t) {
      const status: ParityStatus = !t ? 'missing-in-test' : 'missing-in-production';
      rows.push({ app: app.name, substrate, field: '(app)', production: p ? describe(p) : null, test: t ? describe(t) : null, status });
      summary.missing += 1;
      continue;
    }
    const appRows = p.kind === 'kubernetes' && t.kind === 'kubernetes' ? diffK8s(app.name, p, t) : p.kind === 'ecs' && t.kind === 'ecs' ? diffEcs(app.name, p, t) : [];
    rows.push(...appRows);
    if (appRows.some((r) => r.status === 'drift')) summary.drift += 1;
    else summary.inParity += 1;
  }
  return { specName: spec.metadata.name, takenAt: now.toISOString(), rows, summary };
}

function describe(s: AppState): string {
  return s.kind === 'kubernetes' ? `${s.namespace}/${s.deployment}` : `${s.cluster}/${s.service}`;
}

function row(app: string, substrate: ParityRow['substrate'], field: string, production: Value, test: Value, same?: boolean): ParityRow {
  const equal = same ?? production === test;
  return { app, substrate, field, production, test, status: equal ? 'in-parity' : 'drift' };
}

function quantityRow(app: string, field: string, p: string | undefined, t: string | undefined): ParityRow {
  return row(app, 'kubernetes', field, p ?? null, t ?? null, sameQuantity(p, t));
}

function containerNames<T extends { name: string }>(a: T[], b: T[]): string[] {
  return [...new Set([...a.map((c) => c.name), ...b.map((c) => c.name)])];
}

function diffK8s(app: string, p: K8sAppState, t: K8sAppState): ParityRow[] {
  const rows: ParityRow[] = [];
  for (const name of containerNames(p.containers, t.containers)) {
    const pc = p.containers.find((c) => c.name === name);
    const tc = t.containers.find((c) => c.name === name);
    rows.push(row(app, 'kubernetes', `image[${name}]`, pc?.image ?? null, tc?.image ?? null));
    rows.push(quantityRow(app, `requests.cpu[${name}]`, pc?.resources.requests.cpu, tc?.resources.requests.cpu));
    rows.push(quantityRow(app, `requests.memory[${name}]`, pc?.resources.requests.memory, tc?.resources.requests.memory));
    rows.push(quantityRow(app, `limits.cpu[${name}]`, pc?.resources.limits.cpu, tc?.resources.limits.cpu));
    rows.push(quantityRow(app, `limits.memory[${name}]`, pc?.resources.limits.memory, tc?.resources.limits.memory));
  }
  rows.push(row(app, 'kubernetes', 'replicas', p.replicas, t.replicas));
  if (p.hpa || t.hpa) {
    rows.push(row(app, 'kubernetes', 'hpa.minReplicas', p.hpa?.minReplicas ?? null, t.hpa?.minReplicas ?? null));
    rows.push(row(app, 'kubernetes', 'hpa.maxReplicas', p.hpa?.maxReplicas ?? null, t.hpa?.maxReplicas ?? null));
  }
  // who reconciles it (GitOps) on each side: shown, never drift — each environment has its own
  rows.push(row(app, 'kubernetes', 'manager', describeManager(p.manager), describeManager(t.manager), true));
  if (p.paused || t.paused) rows.push(row(app, 'kubernetes', 'paused', p.paused ? 'yes' : 'no', t.paused ? 'yes' : 'no'));
  return rows;
}

function diffEcs(app: string, p: EcsAppState, t: EcsAppState): ParityRow[] {
  const rows: ParityRow[] = [];
  for (const name of containerNames(p.containers, t.containers)) {
    const pc = p.containers.find((c) => c.name === name);
    const tc = t.containers.find((c) => c.name === name);
    rows.push(row(app, 'ecs', `image[${name}]`, pc?.image ?? null, tc?.image ?? null));
    rows.push(row(app, 'ecs', `cpu[${name}]`, pc?.cpu ?? null, tc?.cpu ?? null));
    rows.push(row(app, 'ecs', `memory[${name}]`, pc?.memory ?? null, tc?.memory ?? null));
    rows.push(row(app, 'ecs', `memoryReservation[${name}]`, pc?.memoryReservation ?? null, tc?.memoryReservation ?? null));
  }
  rows.push(row(app, 'ecs', 'desiredCount', p.desiredCount, t.desiredCount));
  rows.push(row(app, 'ecs', 'taskCpu', p.taskCpu ?? null, t.taskCpu ?? null, sameQuantity(p.taskCpu, t.taskCpu)));
  rows.push(row(app, 'ecs', 'taskMemory', p.taskMemory ?? null, t.taskMemory ?? null, sameQuantity(p.taskMemory, t.taskMemory)));
  if (p.autoscaling || t.autoscaling) {
    rows.push(row(app, 'ecs', 'autoscaling.minCapacity', p.autoscaling?.minCapacity ?? null, t.autoscaling?.minCapacity ?? null));
    rows.push(row(app, 'ecs', 'autoscaling.maxCapacity', p.autoscaling?.maxCapacity ?? null, t.autoscaling?.maxCapacity ?? null));
    rows.push(row(app, 'ecs', 'autoscaling.suspended', suspendedText(p.autoscaling), suspendedText(t.autoscaling)));
  }
  return rows;
}

/** exit code of `conductor parity`: 0 all in parity, 1 drift/missing/unreachable */
/** 0 in parity, 1 drift or missing, 3 when a side could not be read (the audit is incomplete, not a drift) */
export function parityExitCode(report: ParityReport): 0 | 1 | 3 {
  if (report.rows.some((r) => r.status === 'unreachable')) return 3;
  return report.rows.every((r) => r.status === 'in-parity') ? 0 : 1;
}
