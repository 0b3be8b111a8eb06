import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConductorError } from '../../shared/model/errors.ts';
import { findControlChar } from '../../shared/model/text.ts';
import { describeSecretRef, isSecretRef, type SecretRef } from '../../shared/spec/secret-ref.ts';
import { FileReadError, readBoundedText } from './bounded-file.ts';

/**
 * Turning a secret reference into its value at the moment of use — never earlier, and the value
 * is never stored, logged or put in an error. `{ env: NAME }` reads the environment given in the
 * deps; `{ file: PATH }` reads a small regular file (bounded, asynchronous; `~/` is the home
 * directory; trailing newlines are dropped, as `echo` and editors add them). A value that cannot
 * travel in an HTTP header (control characters) is refused for headers by name, not by content.
 */

export interface SecretResolverDeps {
  /** where `{ env }` references are read; default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** for `~/`; default os.homedir() */
  home?: string;
  /** the largest secret file accepted; default 64 KiB */
  maxFileBytes?: number;
}

export const DEFAULT_SECRET_FILE_BYTES = 64 * 1024;

/** A reference that cannot be resolved: names the reference and why, never a value. */
export class SecretRefError extends ConductorError {
  constructor(message: string, ref: SecretRef) {
    super('USAGE', message, { ref });
  }
}

export async function resolveSecret(ref: SecretRef, deps: SecretResolverDeps = {}): Promise<string> {
  if ('env' in ref) {
    const value = (deps.env ?? process.env)[ref.env];
    if (value === undefined || value === '') throw new SecretRefError(`${describeSecretRef(ref)} is not set (the spec references it for a secret value)`, ref);
    return value;
  }
  const path = ref.file.startsWith('~/') ? join(deps.home ?? homedir(), ref.file.slice(2)) : ref.file;
  try {
    const text = await readBoundedText(path, { maxBytes: deps.maxFileBytes ?? DEFAULT_SECRET_FILE_BYTES, what: 'a secret file' });
    const value = text.replace(/[\r\n]+$/, '');
    if (value === '') throw new SecretRefError(`${describeSecretRef(ref)} is empty (the spec references it for a secret value)`, ref);
    return value;
  } catch (err) {
    if (err instanceof FileReadError) throw new SecretRefError(`secret ${describeSecretRef(ref)} ${err.reason}; expected ${err.expected}`, ref);
    throw err;
  }
}

/** A field that is either a literal (not secret) or a reference. */
export async function resolveValue(value: string | SecretRef, deps: SecretResolverDeps = {}): Promise<string> {
  return typeof value === 'string' ? value : resolveSecret(value, deps);
}

/** A URL field (a literal, or a reference to the whole URL): a referenced value must be an http(s) URL, refused without being shown. */
export async function resolveHttpUrl(value: string | SecretRef, deps: SecretResolverDeps = {}): Promise<string> {
  if (typeof value === 'string') return value;
  const url = await resolveSecret(value, deps);
  if (!/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i.test(url)) throw new SecretRefError(`${describeSecretRef(value)} does not hold an http:// or https:// URL`, value);
  return url;
}

/** Header values as fetch needs them; a resolved value with control characters is refused by its header name. */
export async function resolveHeaders(headers: Readonly<Record<string, string | SecretRef>>, deps: SecretResolverDeps = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const resolved = await resolveValue(value, deps);
    // fetch would quote the value in its own error: refuse it here, by name
    if (findControlChar(resolved, '\t') >= 0) {
      const ref = isSecretRef(value) ? value : { env: '?' };
      throw new SecretRefError(`header ${name}: the value from ${isSecretRef(value) ? describeSecretRef(value) : 'the spec'} holds control characters (a newline?); expected one line of text`, ref);
    }
    out[name] = resolved;
  }
  return out;
}

/**
 * The references that cannot be resolved now, as problems naming the field and the reference: a
 * run checks its spec's (shared/spec/spec-secrets.ts secretRefsOf) before its first write, so a
 * missing CLEANUP_TOKEN is exit 2 at the start rather than a failed cleanup at the end. The values
 * read are dropped (read again when used).
 */
export async function unresolvableSecrets(refs: readonly { path: string; ref: SecretRef }[], deps: SecretResolverDeps = {}): Promise<{ path: string; message: string }[]> {
  const problems: { path: string; message: string }[] = [];
  for (const { path, ref } of refs) {
    try {
      await resolveSecret(ref, deps);
    } catch (err) {
      if (!(err instanceof SecretRefError)) throw err;
      problems.push({ path, message: err.message });
    }
  }
  return problems;
}

/** Where a literal-or-reference value comes from, for logs: the literal itself, or the reference. */
export function describeValue(value: string | SecretRef): string {
  return typeof value === 'string' ? value : `(${describeSecretRef(value)})`;
}
