import { describe, expect, it } from 'vitest';
import { secretRefsOf } from '../../../../shared/spec/spec-secrets.ts';
import { validateSpecText } from '../../../../shared/spec/validate.ts';
import { describeSecretRef, isSecretRef, isSensitiveHeader, secretRefSchema, urlCredentials } from '../../../../shared/spec/secret-ref.ts';

describe('secret references', () => {
  it('accepts { env } and { file } and nothing else', () => {
    expect(secretRefSchema.parse({ env: 'CLEANUP_TOKEN' })).toEqual({ env: 'CLEANUP_TOKEN' });
    expect(secretRefSchema.parse({ file: '/run/secrets/token' })).toEqual({ file: '/run/secrets/token' });
    expect(secretRefSchema.parse({ file: '~/.config/hook' })).toEqual({ file: '~/.config/hook' });
    for (const bad of [{}, { env: 'A', file: '/x' }, { env: '1BAD' }, { env: 'A B' }, { file: 'relative/path' }, { file: '/a\u001b[2J' }, { value: 'x' }]) {
      expect(secretRefSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(isSecretRef({ env: 'X' })).toBe(true);
    expect(isSecretRef({ env: 'X', extra: 1 })).toBe(false);
    expect(isSecretRef('X')).toBe(false);
    expect(describeSecretRef({ env: 'X' })).toBe('the environment variable X');
    expect(describeSecretRef({ file: '/f' })).toBe('the file /f');
  });

  it('knows the headers that carry credentials', () => {
    for (const h of ['Authorization', 'proxy-authorization', 'Cookie', 'X-Api-Key', 'X-Auth-Token', 'Ocp-Apim-Subscription-Key', 'X-Hub-Signature', 'X-Session-Id']) expect(isSensitiveHeader(h), h).toBe(true);
    for (const h of ['Content-Type', 'Accept', 'X-Request-Id', 'User-Agent', 'X-Test-Run']) expect(isSensitiveHeader(h), h).toBe(false);
  });

  it('finds credentials in URLs: user:password@ and token-like query parameters', () => {
    expect(urlCredentials('https://user:pw@hooks.example/x')).toMatch(/user name or password/);
    expect(urlCredentials('https://hooks.example/x?token=abc')).toBe('the query parameter "token"');
    expect(urlCredentials('https://hooks.example/x?a=1&api_key=abc')).toBe('the query parameter "api_key"');
    expect(urlCredentials('https://blob.example/x?sv=1&sig=abc')).toBe('the query parameter "sig"');
    expect(urlCredentials('https://s3.example/x?X-Amz-Signature=abc')).toBe('the query parameter "X-Amz-Signature"');
    expect(urlCredentials('https://hooks.example/x?Pass%77ord=abc')).toBe('the query parameter "Password"');
    expect(urlCredentials('https://hooks.example/test-orders?run=1&dryRun=true')).toBeNull();
    expect(urlCredentials('http://127.0.0.1:8089')).toBeNull();
  });
});

describe('secretRefsOf: the fields that may hold a reference', () => {
  it('lists the cleanup and webhook references with their paths, and nothing that only looks like one (a label named env)', () => {
    const result = validateSpecText(`apiVersion: conductor/v1
kind: LoadTest
metadata: { name: refs, labels: { env: prod } }
spec:
  sandbox: {}
  applications: [{ name: a, kubernetes: { namespace: shop, deployment: d } }]
  load: { locust: {}, kpi: { locustRequest: POST /orders }, targetOrdersPerMinute: 600, rampUp: 2m, plateau: 2m }
  cleanup:
    - http: { url: { env: CLEANUP_URL }, headers: { Authorization: { file: /run/secrets/auth }, X-Kind: test }, body: "{}" }
  notify: { webhook: { url: "https://hooks.example/x", headers: { X-Api-Key: { env: HOOK_KEY } } } }
`);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(secretRefsOf(result.spec)).toEqual([
      { path: 'spec.cleanup[0].http.url', ref: { env: 'CLEANUP_URL' } },
      { path: 'spec.cleanup[0].http.headers.Authorization', ref: { file: '/run/secrets/auth' } },
      { path: 'spec.notify.webhook.headers.X-Api-Key', ref: { env: 'HOOK_KEY' } },
    ]);
  });
});
