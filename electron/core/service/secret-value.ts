import { readFile, stat } from 'node:fs/promises';

/**
 * A secret given by reference — `{ env: NAME }` or `{ file: PATH }` — read when it is used, never
 * stored or shown: the trigger endpoint's webhook secrets and the owning teams' webhook URLs.
 * (The `inputs` work brings one resolver for every secret reference: electron/base/secret-resolver.ts;
 * this reads the same two shapes until it lands.)
 */

export type SecretReference = { env: string } | { file: string };

const MAX_SECRET_FILE_BYTES = 64 * 1024;

export function describeReference(ref: SecretReference): string {
  return 'env' in ref ? `the environment variable ${ref.env}` : `the file ${ref.file}`;
}

/** `env:NAME` or `file:/path` (command-line options) */
export function parseReference(text: string, option: string): SecretReference {
  const m = /^(env|file):(.+)$/.exec(text.trim());
  if (m?.[1] === 'env' && /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(m[2]!)) return { env: m[2]! };
  if (m?.[1] === 'file' && m[2]!.startsWith('/')) return { file: m[2]! };
  throw new Error(`${option}: expected a reference env:NAME (an environment variable) or file:/absolute/path (a file), never the secret itself`);
}

export async function readSecret(ref: SecretReference, env: NodeJS.ProcessEnv): Promise<string> {
  if ('env' in ref) {
    const value = env[ref.env];
    if (!value) throw new Error(`${describeReference(ref)} is not set`);
    return value;
  }
  const info = await stat(ref.file).catch(() => null);
  if (!info?.isFile() || info.size > MAX_SECRET_FILE_BYTES) throw new Error(`${describeReference(ref)} is not a readable regular file of at most 64 KiB`);
  const value = (await readFile(ref.file, 'utf8')).replace(/[\r\n]+$/, '');
  if (!value) throw new Error(`${describeReference(ref)} is empty`);
  return value;
}
