/**
 * Lifecycle benchmark (issue 5) on the sandbox with the 200-app topology (150 deployments in 10
 * namespaces, 50 ECS services) and 50 ms injected latency on every Kubernetes and ECS request:
 *
 * 1. snapshot + deploy + scale wall time, as a ratio of one simulated rollout (the same
 *    lifecycle on the slowest single Kubernetes app and the slowest single ECS app). Goal ≤ 1.2×.
 * 2. abort latency, aborting at the first ramp sample: abort → Locust stopped (goal ≤ 1 s) and
 *    abort → every restore write issued (goal ≤ 3 s).
 *
 *   npm run bench -- lifecycle        (or: node bin/run-ts.js test/bench/lifecycle.bench.ts)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun } from '../../electron/core/run/conductor.ts';
import { openEnvironment } from '../../electron/core/service/environment.ts';
import { silentLogger } from '../../electron/base/logger.ts';
import { readSide } from '../../electron/core/run/phases/common.ts';
import { unitsOf } from '../../electron/core/rules/units.ts';
import { diffApp, mergeDesired, planApp } from '../../electron/core/rules/plan.ts';
import type { EcsWriter, KubernetesWriter, Substrates } from '../../electron/substrates/types.ts';
import { startSandbox } from '../../electron/sandbox/index.ts';
import type { LoadTest } from '../../shared/spec/schema.ts';
import { bigSandboxOptions, bigSpec } from './topology-200.ts';

const LATENCY_MS = 50;
const TIME_SCALE = 10;

interface Measured {
  apps: number;
  /** real ms from run start to the end of the scale phase */
  forwardMs: number;
  /** real ms from abort to Locust stopped */
  stopMs: number | null;
  /** real ms from abort to the last restore write issued */
  restoreIssuedMs: number | null;
  restoreWrites: number;
  productionMutating: number;
  verdict: string;
}

function instrument(substrates: Substrates, onWrite: () => void): Substrates {
  const k = substrates.test.kubernetes!;
  const e = substrates.test.ecs!;
  const kw: KubernetesWriter = {
    target: k.target,
    identity: (signal) => k.identity(signal),
    readLease: (ns, name, signal) => k.readLease(ns, name, signal),
    writeLease: (ns, name, lease, rv, signal) => k.writeLease(ns, name, lease, rv, signal),
    readApps: (refs, signal) => k.readApps(refs, signal),
    apply: (ref, desired, signal) => (onWrite(), k.apply(ref, desired, signal)),
    waitForRollout: (ref, opts) => k.waitForRollout(ref, opts),
  };
  const ew: EcsWriter = {
    target: e.target,
    identity: (signal) => e.identity(signal),
    readApps: (refs, signal) => e.readApps(refs, signal),
    apply: (ref, desired, signal) => (onWrite(), e.apply(ref, desired, signal)),
    waitForSteady: (ref, opts) => e.waitForSteady(ref, opts),
  };
  return { production: substrates.production, test: { kubernetes: kw, ecs: ew } };
}

async function measure(spec: LoadTest): Promise<Measured> {
  const sandbox = await startSandbox(bigSandboxOptions(TIME_SCALE));
  for (const s of [sandbox.kubernetes.production, sandbox.kubernetes.test]) s.faults.set({ latencyMs: LATENCY_MS });
  sandbox.ecs.faults.set({ latencyMs: LATENCY_MS });
  const dataDir = await mkdtemp(join(tmpdir(), 'conductor-bench-'));
  const env = await openEnvironment(spec, { sandbox, logger: silentLogger });
  try {
    let abortAt = 0;
    let lastWrite = 0;
    let restoreWrites = 0;
    let stopAt: number | null = null;
    const substrates = instrument(env.substrates, () => {
      if (abortAt) {
        restoreWrites += 1;
        lastWrite = performance.now();
      }
    });
    const locust: typeof env.locust = {
      swarm: (u, r, h, sig) => env.locust.swarm(u, r, h, sig),
      resetStats: (sig) => env.locust.resetStats(sig),
      stats: (sig) => env.locust.stats(sig),
      stop: async (sig) => {
        await env.locust.stop(sig);
        if (abortAt && stopAt === null) stopAt = performance.now();
      },
    };
    const t0 = performance.now();
    let forwardMs = 0;
    const handle = startRun(spec, { clock: env.clock, substrates, locust, kpi: env.kpi, logger: silentLogger, dataDir }, {
      onEvent: (ev) => {
        if (ev.type === 'phase' && ev.phase === 'scale' && ev.state !== 'running') forwardMs = performance.now() - t0;
        if (ev.type === 'sample' && !abortAt) {
          abortAt = performance.now();
          handle.abort('benchmark abort');
        }
      },
    });
    const r = await handle.done;
    return {
      apps: spec.spec.applications.length,
      forwardMs,
      stopMs: stopAt === null ? null : stopAt - abortAt,
      restoreIssuedMs: restoreWrites ? lastWrite - abortAt : null,
      restoreWrites,
      productionMutating: sandbox.productionMutatingRequests(),
      verdict: r.verdict.status,
    };
  } finally {
    await env.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** the slowest single app of each substrate: most production replicas / desired count */
async function slowestSingles(big: LoadTest): Promise<LoadTest[]> {
  const sandbox = await startSandbox(bigSandboxOptions(TIME_SCALE));
  const env = await openEnvironment(big, { sandbox, logger: silentLogger });
  try {
    const units = unitsOf(big.spec.applications);
    const [prod, test] = await Promise.all([readSide(env.substrates, 'production', units), readSide(env.substrates, 'test', units)]);
    // among the apps the run actually changes: the most production replicas / desired count
    const pick = (kind: 'kubernetes' | 'ecs') => {
      let best: string | null = null;
      let n = -1;
      for (const u of units) {
        const p = prod.get(u.name);
        const t = test.get(u.name);
        if (!p || !t || p.kind !== kind) continue;
        const plan = planApp(u.app, big, p, t);
        if (!diffApp(t, mergeDesired(plan.deploy, plan.scale))) continue;
        const count = p.kind === 'kubernetes' ? p.replicas : p.desiredCount;
        if (count > n) [best, n] = [u.name, count];
      }
      return best!;
    };
    return [pick('kubernetes'), pick('ecs')].map((name) => ({ ...big, metadata: { ...big.metadata, name: `bench-single-${name}`.slice(0, 63) }, spec: { ...big.spec, applications: big.spec.applications.filter((a) => a.name === name) } }));
  } finally {
    await env.close();
    await sandbox.close();
  }
}

const big = bigSpec({ rampUp: '5m', plateau: '5m', controlInterval: '15s' });
const singles = await slowestSingles(big);
const single: Measured[] = [];
for (const s of singles) single.push(await measure(s));
const all = await measure(big);
const rollout = Math.max(...single.map((s) => s.forwardMs));
const ratio = all.forwardMs / rollout;

console.log(`lifecycle, ${all.apps} apps, ${LATENCY_MS} ms latency per request, sandbox time scale ${TIME_SCALE}×, deploy.concurrency ${big.spec.deploy.concurrency}`);
for (const s of single) console.log(`  one app (${singlesName(s)}): snapshot+deploy+scale ${s.forwardMs.toFixed(0)} ms`);
console.log(`  ${all.apps} apps: snapshot+deploy+scale ${all.forwardMs.toFixed(0)} ms = ${ratio.toFixed(2)}× one rollout   goal ≤ 1.2×: ${ratio <= 1.2 ? 'PASS' : 'FAIL'}`);
console.log(`  abort → Locust stopped: ${all.stopMs === null ? 'n/a' : all.stopMs.toFixed(0) + ' ms'}   goal ≤ 1000 ms: ${all.stopMs !== null && all.stopMs <= 1000 ? 'PASS' : 'FAIL'}`);
console.log(
  `  abort → all ${all.restoreWrites} restore writes issued: ${all.restoreIssuedMs === null ? 'n/a' : all.restoreIssuedMs.toFixed(0) + ' ms'}   goal ≤ 3000 ms: ${all.restoreIssuedMs !== null && all.restoreIssuedMs <= 3000 ? 'PASS' : 'FAIL'}`,
);
console.log(`  verdict ${all.verdict}; production mutating requests: ${all.productionMutating}`);
if (all.productionMutating !== 0) process.exitCode = 1;

function singlesName(m: Measured): string {
  return m === single[0] ? 'slowest Kubernetes app' : 'slowest ECS app';
}
