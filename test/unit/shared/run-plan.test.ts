import { describe, expect, it } from 'vitest';
import { forecastSkips, overridesOf, runPlanOf, skipReason } from '../../../shared/spec/run-plan.ts';
import { validateSpecText } from '../../../shared/spec/validate.ts';
import type { ParityReport, ParityRow } from '../../../shared/model/parity.ts';

const SPEC = `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: peak }
spec:
  sandbox: {}
  applications:
    - { name: checkout, kubernetes: { namespace: shop, deployment: checkout-api } }
    - { name: cart, kubernetes: { namespace: shop, deployment: cart } }
    - { name: ledger, kubernetes: { namespace: payments, deployment: ledger } }
  deploy:
    overrides:
      checkout: { image: registry.example/checkout-api:feature-x }
      cart: { containers: { cart: registry.example/cart:pr-7 } }
  load:
    locust: { url: http://127.0.0.1:18089 }
    kpi: { locustRequest: POST /orders }
    targetOrdersPerMinute: 1200
    rampUp: 10m
    plateau: 20m
    controlInterval: 15s
`;

function spec() {
  const r = validateSpecText(SPEC);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

const row = (app: string, status: ParityRow['status']): ParityRow => ({ app, substrate: 'kubernetes', field: status === 'in-parity' ? 'replicas' : '(app)', production: 1, test: 1, status });
const parity = (rows: ParityRow[]): ParityReport => ({ specName: 'peak', takenAt: '', rows, summary: { apps: 3, inParity: 0, drift: 0, missing: 0, unreachable: 0 } });

describe('run plan', () => {
  it('lists each override: app-wide images with no container, per-container images by name', () => {
    expect(overridesOf(spec())).toEqual([
      { app: 'checkout', container: null, image: 'registry.example/checkout-api:feature-x' },
      { app: 'cart', container: 'cart', image: 'registry.example/cart:pr-7' },
    ]);
  });

  it('carries the planned load in ms and the apps in scope', () => {
    const plan = runPlanOf(spec());
    expect(plan.load).toEqual({ targetOpm: 1200, rampUpMs: 600_000, plateauMs: 1_200_000, controlIntervalMs: 15_000 });
    expect(plan.apps).toEqual(['checkout', 'cart', 'ledger']);
  });

  it('skips an app missing in test always, and one missing in production unless an override gives its version and no scale is copied', () => {
    const base = { inTest: true, inProduction: true, hasOverride: false, productionVersions: true, matchProduction: true };
    expect(skipReason(base)).toBeNull();
    expect(skipReason({ ...base, inTest: false })?.where).toBe('test');
    expect(skipReason({ ...base, inProduction: false })?.where).toBe('production');
    expect(skipReason({ ...base, inProduction: false, hasOverride: true })?.where).toBe('production');
    expect(skipReason({ ...base, inProduction: false, hasOverride: true, matchProduction: false })).toBeNull();
    expect(skipReason({ ...base, inProduction: false, productionVersions: false, matchProduction: false })).toBeNull();
  });

  it('forecasts the skipped apps from a parity report, leaving unreadable apps out', () => {
    const plan = runPlanOf(spec());
    expect(forecastSkips(plan, parity([row('checkout', 'in-parity'), row('cart', 'unreachable'), row('ledger', 'missing-in-test')]))).toEqual([
      { app: 'ledger', reason: 'missing in test: the conductor does not create applications' },
    ]);
  });
});
