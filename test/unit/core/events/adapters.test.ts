import { describe, expect, it } from 'vitest';
import { adaptEvent } from '../../../../electron/core/service/events/adapters.ts';
import { githubSignature, githubSignatureValid } from '../../../../electron/core/service/events/auth.ts';
import { RateLimiter } from '../../../../electron/core/service/events/rate-limit.ts';
import { selectSpecs } from '../../../../electron/core/service/events/select.ts';
import { loadSpecText } from '../../../../electron/core/service/spec-loader.ts';
import { readFileSync } from 'node:fs';

const base = readFileSync('examples/sandbox.yaml', 'utf8');
const spec = (name: string, apps: string[], labels?: string) =>
  loadSpecText(
    base
      .replace('name: sandbox-rehearsal', `name: ${name}${labels ? `\n  labels: { conductor.io/services: "${labels}" }` : ''}`)
      .split('\n')
      .filter((l) => !/^\s+- \{ name: /.test(l) || apps.some((a) => l.includes(`name: ${a},`)))
      .join('\n'),
  );

describe('change events', () => {
  it('reads GitHub push and release, GitLab push, Argo CD, CloudEvents and plain JSON into one shape', () => {
    const push = adaptEvent({ headers: { 'x-github-event': 'push', 'x-github-delivery': 'd1' }, body: JSON.stringify({ ref: 'refs/heads/main', after: 'abcdef1234', repository: { name: 'checkout', full_name: 'acme/checkout' }, pusher: { name: 'alice' } }) });
    expect(push).toMatchObject({ kind: 'change', change: { source: 'github', deliveryId: 'github:d1', services: ['checkout'], commit: 'abcdef1234', by: 'alice', summary: 'GitHub push to acme/checkout main (abcdef1) by alice' } });
    const release = adaptEvent({ headers: { 'x-github-event': 'release', 'x-github-delivery': 'd2' }, body: JSON.stringify({ action: 'published', release: { tag_name: 'v1.4.2' }, repository: { name: 'Cart-Service' } }), serviceParam: 'cart' });
    expect(release).toMatchObject({ kind: 'change', change: { services: ['cart'], version: 'v1.4.2' } });
    expect(adaptEvent({ headers: { 'x-github-event': 'ping', 'x-github-delivery': 'd3' }, body: '{}' })).toMatchObject({ kind: 'ignored' });
    const gitlab = adaptEvent({ headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'u1' }, body: JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', checkout_sha: 'fedcba98', user_username: 'bob', project: { name: 'checkout', path: 'checkout', path_with_namespace: 'shop/checkout' } }) });
    expect(gitlab).toMatchObject({ kind: 'change', change: { source: 'gitlab', deliveryId: 'gitlab:u1', services: ['checkout'], commit: 'fedcba98', by: 'bob' } });
    const argo = adaptEvent({ headers: {}, body: JSON.stringify({ app: 'checkout', revision: '0123456789', images: ['r/checkout:2'], phase: 'Succeeded' }) });
    expect(argo).toMatchObject({ kind: 'change', change: { source: 'argocd', services: ['checkout'], version: '0123456789' } });
    const ce = adaptEvent({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ specversion: '1.0', id: 'e1', source: 'ci/pipeline', type: 'dev.cdevents.artifact.published', data: { service: 'checkout', image: 'registry.example/checkout-api:pr-7' } }) });
    expect(ce).toMatchObject({ kind: 'change', change: { source: 'cloudevents', deliveryId: 'cloudevents:ci/pipeline#e1', image: 'registry.example/checkout-api:pr-7' } });
    const plain = adaptEvent({ headers: { 'idempotency-key': 'k1' }, body: JSON.stringify({ scope: 'full' }) });
    expect(plain).toMatchObject({ kind: 'change', change: { scope: 'full', deliveryId: 'k1' } });
  });

  it('an event can name services and images, never a cluster, a context, a URL or credentials', () => {
    for (const body of [{ service: 'checkout', context: 'prod' }, { service: 'checkout', kubeconfig: '/etc/k' }, { service: 'checkout', image: 'http://evil/x' }, { service: 'Checkout!' }, { image: 'r/x:1' }]) {
      expect(() => adaptEvent({ headers: {}, body: JSON.stringify(body) }), JSON.stringify(body)).toThrow(/invalid event/);
    }
    expect(() => adaptEvent({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify({ specversion: '1.0', id: 'x', source: 's', type: 't', data: { service: 'a', cluster: 'prod' } }) })).toThrow(/CloudEvent data/);
    expect(() => adaptEvent({ headers: {}, body: 'not json' })).toThrow(/not valid JSON/);
  });

  it('GitHub signatures: HMAC-SHA256 of the raw body with the shared secret', () => {
    const body = Buffer.from('{"a":1}');
    expect(githubSignatureValid('s3cret', body, githubSignature('s3cret', body))).toBe(true);
    expect(githubSignatureValid('s3cret', Buffer.from('{"a":2}'), githubSignature('s3cret', body))).toBe(false);
    expect(githubSignatureValid('other', body, githubSignature('s3cret', body))).toBe(false);
    expect(githubSignatureValid('s3cret', body, 'sha1=abc')).toBe(false);
    expect(githubSignatureValid('s3cret', body, undefined)).toBe(false);
  });

  it('selects the specs whose applications or conductor.io/services label name the service; an image overrides only where the service is deployed', () => {
    const specs = [spec('all', ['checkout', 'cart']), spec('pay', ['payment-gateway'], 'checkout, payment-gateway'), spec('browse', ['cart'])];
    const change = { source: 'event' as const, deliveryId: 'x', scope: 'service' as const, services: ['checkout'], image: 'r/checkout:f', summary: '' };
    const sel = selectSpecs(specs, change);
    expect(sel.map((s) => [s.spec.metadata.name, s.overrides])).toEqual([
      ['all', { checkout: 'r/checkout:f' }],
      ['pay', {}],
    ]);
    expect(sel[0]!.changeKey).toBe('checkout@r/checkout:f');
    expect(selectSpecs(specs, { ...change, scope: 'full', services: [] }).map((s) => s.spec.metadata.name)).toEqual(['all', 'pay', 'browse']);
  });

  it('rate limit: a burst, then one per refill interval, per client', () => {
    let now = 0;
    const r = new RateLimiter(60, 3, () => now);
    expect([r.take('a'), r.take('a'), r.take('a')]).toEqual([null, null, null]);
    expect(r.take('a')).toBe(1);
    expect(r.take('b')).toBeNull();
    now += 1000;
    expect(r.take('a')).toBeNull();
  });
});
