import { describe, expect, it } from 'vitest';
import { validateSpecText } from '../../../../shared/spec/validate.ts';

const spec = (workers: string) => `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: workers-check }
spec:
  sandbox: {}
  applications: [{ name: shop, kubernetes: { namespace: shop, deployment: shop } }]
  load:
    locust: { url: "http://127.0.0.1:8089", workers: ${workers} }
    kpi: { locustRequest: "POST /orders" }
    targetOrdersPerMinute: 600
    rampUp: 1m
    plateau: 1m
`;

describe('spec.load.locust.workers', () => {
  it('takes the workers Deployment or ECS service, users per worker and the bounds', () => {
    expect(validateSpecText(spec('{ kubernetes: { namespace: loadtest, deployment: locust-worker }, usersPerWorker: 500, min: 2, max: 20 }')).ok).toBe(true);
    expect(validateSpecText(spec('{ ecs: { service: locust-worker }, usersPerWorker: 500, max: 10 }')).ok).toBe(true);
  });

  it('refuses none or both platforms, and max below min, naming the field', () => {
    for (const [text, path, message] of [
      ['{ usersPerWorker: 500, max: 10 }', 'spec.load.locust.workers', /exactly one of kubernetes or ecs/],
      ['{ kubernetes: { namespace: a, deployment: b }, ecs: { service: c }, usersPerWorker: 5, max: 2 }', 'spec.load.locust.workers', /exactly one of kubernetes or ecs/],
      ['{ ecs: { service: c }, usersPerWorker: 5, min: 4, max: 2 }', 'spec.load.locust.workers.max', /is below min/],
      ['{ ecs: { service: c }, max: 2 }', 'spec.load.locust.workers.usersPerWorker', /./],
    ] as const) {
      const r = validateSpecText(spec(text));
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect(r.issues.some((i) => i.path === path && message.test(i.message)), JSON.stringify(r.issues)).toBe(true);
    }
  });
});
