/**
 * The Locust master's credentials, from the spec's references to the running process's
 * environment or a file: `{ env: NAME }` or `{ file: PATH }`, resolved at use by the one secret
 * resolver (electron/base/secret-resolver.ts: bounded file reads, trailing newlines dropped). A
 * reference that resolves to nothing is a spec problem naming the field and the variable or file —
 * never the value, which goes only into the driver's request headers.
 */
import { resolveSecret, SecretRefError, type SecretResolverDeps } from '../base/secret-resolver.ts';
import { SpecError } from '../../shared/model/errors.ts';
import type { LoadSpec } from '../../shared/spec/schema.ts';
import type { SecretRef } from '../../shared/spec/secret-ref.ts';
import type { LocustAuth } from './locust-driver.ts';

async function resolveAt(ref: SecretRef, path: string, deps: SecretResolverDeps): Promise<string> {
  try {
    return await resolveSecret(ref, deps);
  } catch (err) {
    if (err instanceof SecretRefError) throw new SpecError([{ path, message: err.message, expected: 'a reference to a variable or file that holds the secret, where conductor runs' }]);
    throw err;
  }
}

export async function resolveLocustAuth(auth: LoadSpec['locust']['auth'], deps: SecretResolverDeps = {}): Promise<LocustAuth | undefined> {
  if (!auth) return undefined;
  const at = 'spec.load.locust.auth';
  if ('header' in auth) return { header: { name: auth.header.name, value: await resolveAt(auth.header.value, `${at}.header.value`, deps) } };
  return { basic: { username: auth.basic.username, password: await resolveAt(auth.basic.password, `${at}.basic.password`, deps) } };
}
