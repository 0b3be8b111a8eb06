/**
 * The Locust master's credentials, from the spec's references to the running process's
 * environment or a file: `{ env: NAME }` or `{ file: PATH }` (a trailing newline is dropped). A
 * reference that resolves to nothing is a spec problem naming the field and the variable or file —
 * never the value, which goes only into the driver's request headers. (The same two shapes as
 * electron/core/service/secret-value.ts; the `inputs` work brings one resolver for every secret
 * reference, electron/base/secret-resolver.ts, which this should call when it lands.)
 */
import { readFileSync } from 'node:fs';
import { SpecError } from '../../shared/model/errors.ts';
import type { LoadSpec, SecretRef } from '../../shared/spec/schema.ts';
import type { LocustAuth } from './locust-driver.ts';

export interface SecretSources {
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/** the value a reference points at; a SpecError naming `path` when there is none */
export function resolveSecret(ref: SecretRef, path: string, sources: SecretSources): string {
  if ('env' in ref) {
    const v = sources.env[ref.env];
    if (v === undefined || v === '')
      throw new SpecError([{ path: `${path}.env`, message: `the environment variable ${ref.env} is not set`, expected: 'a variable that holds the secret, set where conductor runs' }]);
    return v;
  }
  let text: string;
  try {
    text = (sources.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(ref.file);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new SpecError([{ path: `${path}.file`, message: `cannot read ${ref.file} (${code})`, expected: 'a readable file that holds the secret' }]);
  }
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new SpecError([{ path: `${path}.file`, message: `${ref.file} is empty`, expected: 'a file that holds the secret' }]);
  return value;
}

export function resolveLocustAuth(auth: LoadSpec['locust']['auth'], sources: SecretSources): LocustAuth | undefined {
  if (!auth) return undefined;
  const at = 'spec.load.locust.auth';
  if ('header' in auth) return { header: { name: auth.header.name, value: resolveSecret(auth.header.value, `${at}.header.value`, sources) } };
  return { basic: { username: auth.basic.username, password: resolveSecret(auth.basic.password, `${at}.basic.password`, sources) } };
}
