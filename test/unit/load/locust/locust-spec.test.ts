import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretRefsOf } from '../../../../shared/spec/spec-secrets.ts';
import { SpecError } from '../../../../shared/model/errors.ts';
import { validateSpecText } from '../../../../shared/spec/validate.ts';
import { resolveLocustAuth } from '../../../../electron/load/locust-auth.ts';

/** a spec whose spec.load.locust has these extra fields */
const withLocust = (fields: string) => `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: locust-check }
spec:
  sandbox: {}
  applications: [{ name: shop, kubernetes: { namespace: shop, deployment: shop } }]
  load:
    locust: { url: "http://127.0.0.1:8089/locust", ${fields} }
    kpi: { locustRequest: "POST /orders" }
    targetOrdersPerMinute: 600
    rampUp: 1m
    plateau: 1m
`;
const spec = (auth: string) => withLocust(`auth: ${auth}`);

describe('spec.load.locust.auth: credentials only as references', () => {
  it('takes a header from an environment variable, or basic auth with the password from a file', () => {
    const a = validateSpecText(spec('{ header: { name: X-Ingress-Token, value: { env: LOCUST_TOKEN } } }'));
    expect(a.ok).toBe(true);
    const b = validateSpecText(spec('{ basic: { username: ops, password: { file: /run/secrets/locust } } }'));
    expect(b.ok).toBe(true);
  });

  it('refuses a secret written in clear, naming the field', () => {
    const r = validateSpecText(spec('{ header: { name: X-Ingress-Token, value: "s3cr3t" } }'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).join(' ')).toMatch(/spec\.load\.locust\.auth/);
    // the refusal does not repeat the secret
    expect(JSON.stringify(r.issues)).not.toMatch(/s3cr3t/);
  });

  it('resolves the references where conductor runs; a missing one names the field and the variable or file, never a value', async () => {
    const env = { LOCUST_TOKEN: 'tok-123' };
    expect(await resolveLocustAuth({ header: { name: 'X-Ingress-Token', value: { env: 'LOCUST_TOKEN' } } }, { env })).toEqual({ header: { name: 'X-Ingress-Token', value: 'tok-123' } });
    const dir = mkdtempSync(join(tmpdir(), 'conductor-locust-auth-'));
    try {
      writeFileSync(join(dir, 'locust'), 'pa55\n');
      writeFileSync(join(dir, 'empty'), '\n');
      expect(await resolveLocustAuth({ basic: { username: 'ops', password: { file: join(dir, 'locust') } } }, { env })).toEqual({ basic: { username: 'ops', password: 'pa55' } });
      const missingEnv = await resolveLocustAuth({ header: { name: 'X', value: { env: 'NOT_SET_HERE' } } }, { env }).catch((e: unknown) => e);
      expect(missingEnv).toBeInstanceOf(SpecError);
      expect((missingEnv as SpecError).issues[0]).toMatchObject({ path: 'spec.load.locust.auth.header.value', message: expect.stringMatching(/the environment variable NOT_SET_HERE is not set/) });
      await expect(resolveLocustAuth({ basic: { username: 'ops', password: { file: join(dir, 'nowhere') } } }, { env })).rejects.toThrow(/spec\.load\.locust\.auth\.basic\.password: .*nowhere/);
      await expect(resolveLocustAuth({ basic: { username: 'ops', password: { file: join(dir, 'empty') } } }, { env })).rejects.toThrow(/empty is empty/);
      // a FIFO given as the password file is refused, not waited on
      await expect(resolveLocustAuth({ basic: { username: 'ops', password: { file: '/dev/zero' } } }, { env })).rejects.toThrow(SpecError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a run checks the references before its first write: they are among the spec\'s secret fields', () => {
    const r = validateSpecText(spec('{ basic: { username: ops, password: { env: LOCUST_PASSWORD } } }'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(secretRefsOf(r.spec)).toContainEqual({ path: 'spec.load.locust.auth.basic.password', ref: { env: 'LOCUST_PASSWORD' } });
  });
});

describe('spec.load.locust.workers', () => {
  it('takes the workers Deployment or ECS service, users per worker and the bounds', () => {
    expect(validateSpecText(withLocust('workers: ' + '{ kubernetes: { namespace: loadtest, deployment: locust-worker }, usersPerWorker: 500, min: 2, max: 20 }')).ok).toBe(true);
    expect(validateSpecText(withLocust('workers: ' + '{ ecs: { service: locust-worker }, usersPerWorker: 500, max: 10 }')).ok).toBe(true);
  });

  it('refuses none or both platforms, and max below min, naming the field', () => {
    for (const [text, path, message] of [
      ['{ usersPerWorker: 500, max: 10 }', 'spec.load.locust.workers', /exactly one of kubernetes or ecs/],
      ['{ kubernetes: { namespace: a, deployment: b }, ecs: { service: c }, usersPerWorker: 5, max: 2 }', 'spec.load.locust.workers', /exactly one of kubernetes or ecs/],
      ['{ ecs: { service: c }, usersPerWorker: 5, min: 4, max: 2 }', 'spec.load.locust.workers.max', /is below min/],
      ['{ ecs: { service: c }, max: 2 }', 'spec.load.locust.workers.usersPerWorker', /./],
    ] as const) {
      const r = validateSpecText(withLocust('workers: ' + text));
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect(r.issues.some((i) => i.path === path && message.test(i.message)), JSON.stringify(r.issues)).toBe(true);
    }
  });
});
