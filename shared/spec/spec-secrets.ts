import type { LoadTest } from './schema.ts';
import type { SecretRef } from './secret-ref.ts';

/**
 * Every secret reference of a resolved spec, with its field path — the one list of the fields that
 * may hold one (a `{ env }` elsewhere, say a label named env, is not a reference). A run checks
 * these before its first write; hooks resolve them when they are called.
 */
export function secretRefsOf(spec: LoadTest): { path: string; ref: SecretRef }[] {
  const out: { path: string; ref: SecretRef }[] = [];
  const add = (path: string, value: string | SecretRef | undefined) => {
    if (value !== undefined && typeof value !== 'string') out.push({ path, ref: value });
  };
  const headers = (path: string, h: Record<string, string | SecretRef>) => {
    for (const [name, value] of Object.entries(h)) add(`${path}.headers${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`, value);
  };
  spec.spec.cleanup.forEach((hook, i) => {
    if (!hook.http) return;
    const path = `spec.cleanup[${i}].http`;
    add(`${path}.url`, hook.http.url);
    headers(path, hook.http.headers);
    add(`${path}.body`, hook.http.body);
  });
  (spec.spec.notify.routes ?? []).forEach((route, i) => add(`spec.notify.routes[${i}].url`, route.url));
  const webhook = spec.spec.notify.webhook;
  if (webhook) {
    add('spec.notify.webhook.url', webhook.url);
    headers('spec.notify.webhook', webhook.headers);
  }
  const auth = spec.spec.load.locust.auth;
  if (auth && 'header' in auth) add('spec.load.locust.auth.header.value', auth.header.value);
  if (auth && 'basic' in auth) add('spec.load.locust.auth.basic.password', auth.basic.password);
  return out;
}
