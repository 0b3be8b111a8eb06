import { describe, expect, it } from 'vitest';
import { computeParity, parityExitCode } from '../../../electron/core/rules/parity.ts';
import { formatParityMarkdown, formatParityTable } from '../../../shared/model/parity-format.ts';
import type { AppState, K8sAppState, EcsAppState } from '../../../shared/model/app-state.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';

const spec = {
  metadata: { name: 'p' },
  spec: {
    applications: [
      { name: 'checkout', kubernetes: { namespace: 'shop', deployment: 'checkout-api' } },
      { name: 'ledger', kubernetes: { namespace: 'payments', deployment: 'ledger' } },
      { name: 'processor', ecs: { service: 'payment-processor' } },
    ],
  },
} as unknown as LoadTest;

const k8s = (over: Partial<K8sAppState> = {}): K8sAppState => ({
  kind: 'kubernetes',
  namespace: 'shop',
  deployment: 'checkout-api',
  replicas: 6,
  containers: [{ name: 'api', image: 'reg/checkout:2.0', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }],
  hpa: { name: 'checkout', minReplicas: 6, maxReplicas: 20 },
  rollout: { observed: true, desired: 6, updated: 6, ready: 6, available: 6, complete: true },
  ...over,
});
const ecs = (over: Partial<EcsAppState> = {}): EcsAppState => ({
  kind: 'ecs',
  cluster: 'c',
  service: 'payment-processor',
  desiredCount: 4,
  runningCount: 4,
  taskDefinitionArn: 'arn:td:1',
  taskCpu: '1024',
  taskMemory: '2048',
  containers: [{ name: 'app', image: 'reg/proc:1.0', memory: 1024 }],
  steady: true,
  ...over,
});

describe('parity', () => {
  it('compares quantities by value, not spelling', () => {
    const prod = new Map<string, AppState | null>([['checkout', k8s()], ['ledger', k8s()], ['processor', ecs()]]);
    const test = new Map<string, AppState | null>([
      ['checkout', k8s({ containers: [{ name: 'api', image: 'reg/checkout:2.0', resources: { requests: { cpu: '0.5', memory: '1024Mi' }, limits: { cpu: '1000m', memory: '1Gi' } } }] })],
      ['ledger', k8s()],
      ['processor', ecs()],
    ]);
    const report = computeParity(spec, prod, test);
    expect(report.rows.every((r) => r.status === 'in-parity')).toBe(true);
    expect(report.summary).toMatchObject({ apps: 3, inParity: 3, drift: 0 });
    expect(parityExitCode(report)).toBe(0);
  });

  it('flags drift per field, missing apps and unreachable substrates', () => {
    const prod = new Map<string, AppState | null>([['checkout', k8s()], ['ledger', k8s()]]);
    const test = new Map<string, AppState | null>([
      ['checkout', k8s({ replicas: 2, hpa: { name: 'checkout', minReplicas: 1, maxReplicas: 20 }, containers: [{ name: 'api', image: 'reg/checkout:1.9', resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] })],
      ['ledger', null],
    ]);
    const report = computeParity(spec, prod, test, { production: new Map([['processor', 'connect ECONNREFUSED']]), test: new Map() });
    const drift = report.rows.filter((r) => r.status === 'drift').map((r) => `${r.app}.${r.field}`);
    expect(drift).toEqual(['checkout.image[api]', 'checkout.requests.cpu[api]', 'checkout.replicas', 'checkout.hpa.minReplicas']);
    expect(report.rows.find((r) => r.app === 'ledger')?.status).toBe('missing-in-test');
    expect(report.rows.find((r) => r.app === 'processor')).toMatchObject({ status: 'unreachable', reason: 'production: connect ECONNREFUSED' });
    expect(report.summary).toMatchObject({ drift: 1, missing: 1, unreachable: 1, inParity: 0 });
    // an unreadable side makes the audit incomplete: exit 3 (a runtime failure), not 1 (drift)
    expect(parityExitCode(report)).toBe(3);
    expect(parityExitCode(computeParity(spec, prod, test))).toBe(1);
    const table = formatParityTable(report, { driftOnly: true });
    expect(table).toContain('reg/checkout:2.0');
    expect(table).toContain('reg/checkout:1.9');
    expect(table).not.toContain('limits.cpu');
    expect(formatParityMarkdown(report)).toContain('| checkout | replicas | 6 | 2 | **DRIFT** |');
  });
});
