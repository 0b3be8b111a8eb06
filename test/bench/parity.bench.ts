/**
 * Parity read of a 200-app topology (150 deployments in 10 namespaces, 50 ECS services) with
 * 50 ms injected latency on every request. Goal (issue 3): ≤ 2 s wall time, ≤ 1 request per app.
 * Prints the median of several reads, cold (first read) and warm.
 */
import { openEnvironment } from '../../electron/core/service/environment.ts';
import { readParity } from '../../electron/core/rules/parity.ts';
import { startSandbox } from '../../electron/sandbox/index.ts';
import { bigSandboxOptions, bigSpec } from './topology-200.ts';

const LATENCY_MS = 50;
const ROUNDS = process.argv.includes('--quick') ? 3 : 7;

const sandbox = await startSandbox(bigSandboxOptions());
for (const s of [sandbox.kubernetes.production, sandbox.kubernetes.test]) s.faults.set({ latencyMs: LATENCY_MS });
sandbox.ecs.faults.set({ latencyMs: LATENCY_MS });
const requests = () => sandbox.kubernetes.production.log.total + sandbox.kubernetes.test.log.total + sandbox.ecs.log.total;

const spec = bigSpec();
const apps = spec.spec.applications.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: { kind: string; ms: number; requests: number }[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    // a fresh environment each round: nothing cached in the adapters ("cold" for the conductor)
    const env = await openEnvironment(spec, { sandbox });
    const before = requests();
    const t0 = performance.now();
    const report = await readParity(spec, env.substrates);
    const ms = performance.now() - t0;
    rows.push({ kind: 'cold', ms, requests: requests() - before });
    if (report.summary.apps !== apps || report.summary.unreachable > 0) throw new Error(`unexpected parity summary ${JSON.stringify(report.summary)}`);
    const before2 = requests();
    const t1 = performance.now();
    await readParity(spec, env.substrates);
    rows.push({ kind: 'warm', ms: performance.now() - t1, requests: requests() - before2 });
    await env.close();
  }
} finally {
  await sandbox.close();
}

for (const kind of ['cold', 'warm']) {
  const r = rows.filter((x) => x.kind === kind);
  const ms = median(r.map((x) => x.ms));
  const req = median(r.map((x) => x.requests));
  const perApp = req / 2 / apps; // production and test are each read once
  console.log(
    `parity read, ${apps} apps, ${LATENCY_MS} ms latency, ${kind}: median ${ms.toFixed(0)} ms over ${r.length} reads; ${req} requests (${perApp.toFixed(2)} per app per side)` +
      `  goal ≤ 2000 ms: ${ms <= 2000 ? 'PASS' : 'FAIL'}, ≤ 1 request/app: ${perApp <= 1 ? 'PASS' : 'FAIL'}`,
  );
}
