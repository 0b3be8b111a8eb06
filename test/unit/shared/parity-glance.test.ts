import { describe, expect, it } from 'vitest';
import { describeDifference, imageVersion, parityByApp, ratioWords, worstDifferenceWords } from '../../../shared/model/parity-glance.ts';
import type { ParityReport, ParityRow } from '../../../shared/model/parity.ts';

const r = (app: string, field: string, production: string | number | null, test: string | number | null, status: ParityRow['status'] = production === test ? 'in-parity' : 'drift'): ParityRow => ({
  app,
  substrate: 'kubernetes',
  field,
  production,
  test,
  status,
});

const REPORT: ParityReport = {
  specName: 's',
  takenAt: '',
  summary: { apps: 4, inParity: 1, drift: 2, missing: 1, unreachable: 0 },
  rows: [
    r('cart', 'image[cart]', 'reg/cart:2.0.0', 'reg/cart:2.0.0'),
    r('cart', 'requests.cpu[cart]', '500m', '250m'),
    r('cart', 'replicas', 4, 2),
    r('checkout', 'image[checkout-api]', 'reg/checkout-api:1.4.2', 'reg/checkout-api:1.3.0'),
    r('checkout', 'requests.cpu[checkout-api]', '1', '500m'),
    r('checkout', 'replicas', 6, 2),
    r('checkout', 'hpa.minReplicas', 2, 1),
    r('checkout', 'hpa.maxReplicas', 10, 4),
    r('catalog', 'replicas', 3, 3),
    r('ledger', '(app)', 'payments/ledger', null, 'missing-in-test'),
  ],
};

describe('parity at a glance', () => {
  it('one entry per app, worst first: missing, then an image drift, then the largest ratio, in parity last', () => {
    const apps = parityByApp(REPORT);
    expect(apps.map((a) => [a.app, a.status, a.drift])).toEqual([
      ['ledger', 'missing-in-test', 1],
      ['checkout', 'drift', 5],
      ['cart', 'drift', 2],
      ['catalog', 'in-parity', 0],
    ]);
  });

  it('says the worst differences in words, production → test', () => {
    const [, checkout, cart, catalog] = parityByApp(REPORT);
    expect(worstDifferenceWords(checkout!)).toBe('image 1.4.2 → 1.3.0, replicas 6 → 2 (+3 more)');
    expect(worstDifferenceWords(cart!)).toBe('replicas 4 → 2, cpu request ½ of production');
    expect(worstDifferenceWords(catalog!)).toBe('as production');
    expect(checkout!.autoscaling).toBe('HPA 2–10 (test 1–4)');
    expect(cart!.autoscaling).toBeNull();
    expect(checkout!.manager).toBeNull();
  });

  it('names the container only when the app has several', () => {
    expect(describeDifference(r('a', 'limits.memory[api]', '1Gi', '256Mi'), true).words).toBe('memory limit (api) ¼ of production');
    expect(describeDifference(r('a', 'limits.memory[api]', '1Gi', '2Gi'), false).words).toBe('memory limit 2× production');
    expect(describeDifference(r('a', 'limits.cpu[api]', '1', null), false).words).toBe('cpu limit 1 → unset');
  });

  it('reads ratios and image versions the way people say them', () => {
    expect(ratioWords(0.5)).toBe('½ of production');
    expect(ratioWords(0.4)).toBe('40 % of production');
    expect(ratioWords(3)).toBe('3× production');
    expect(ratioWords(1.5)).toBe('150 % of production');
    expect(imageVersion('registry.example:5000/checkout-api:feature-x')).toBe('feature-x');
    expect(imageVersion('registry.example:5000/checkout-api')).toBe('latest');
  });

  it('names ECS autoscaling bounds and a GitOps manager where the report has them', () => {
    const [pay] = parityByApp({
      ...REPORT,
      rows: [
        { ...r('pay', 'autoscaling.minCapacity', 4, 1), substrate: 'ecs' },
        { ...r('pay', 'autoscaling.maxCapacity', 12, 3), substrate: 'ecs' },
        { ...r('pay', 'manager', 'argocd', 'argocd'), substrate: 'ecs' },
      ],
    });
    expect(pay!.autoscaling).toBe('autoscaling 4–12 (test 1–3)');
    expect(pay!.manager).toBe('argocd');
    expect(worstDifferenceWords(pay!)).toBe('autoscaling min 4 → 1, autoscaling max 12 → 3');
  });
});
