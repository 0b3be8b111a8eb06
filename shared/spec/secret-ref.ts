import { z } from 'zod';
import { findControlChar } from '../model/text.ts';

/**
 * Secrets in a spec are references, never values: `{ env: NAME }` (an environment variable of the
 * process that runs the conductor) or `{ file: PATH }` (a file, e.g. a mounted Kubernetes Secret).
 * Reports, snapshots, journals, history and API answers keep the reference; the value is read only
 * at the moment of use (electron/base/secret-resolver.ts). A literal that looks like a secret — a
 * sensitive header, credentials in a URL, a token-shaped string — is refused with how to reference it.
 * Pure (no node:*): the schema, the renderer and the resolver share these rules.
 */

/** `{ env: NAME }` or `{ file: PATH }` */
export type SecretRef = { env: string } | { file: string };

export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** absolute (POSIX or Windows) or home-relative */
export const SECRET_FILE_RE = /^(\/|~\/|[A-Za-z]:[\\/])/;

export const SECRET_REF_EXPECTED = 'a reference { env: NAME } or { file: /absolute/path }';

export const secretRefSchema = z
  .object({
    env: z.string().regex(ENV_NAME_RE, 'an environment variable name such as CLEANUP_TOKEN').optional(),
    file: z
      .string()
      .max(4096)
      .regex(SECRET_FILE_RE, 'an absolute file path such as /run/secrets/token')
      .refine((f) => findControlChar(f) < 0, 'a file path without control characters')
      .optional(),
  })
  .strict()
  .superRefine((ref, ctx) => {
    if ((ref.env === undefined) === (ref.file === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: ref.env === undefined ? 'names neither env nor file' : 'names both env and file', params: { expected: SECRET_REF_EXPECTED } });
    }
  })
  .transform((ref): SecretRef => (ref.env !== undefined ? { env: ref.env } : { file: ref.file ?? '' }))
  .describe(SECRET_REF_EXPECTED);

export function isSecretRef(value: unknown): value is SecretRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && ((keys[0] === 'env' && typeof (value as { env: unknown }).env === 'string') || (keys[0] === 'file' && typeof (value as { file: unknown }).file === 'string'));
}

/** A reference given on a command line: `env:NAME` or `file:/absolute/path`; null when it is neither. */
export function parseSecretRefOption(text: string): SecretRef | null {
  const m = /^(env|file):(.+)$/.exec(text.trim());
  if (m?.[1] === 'env' && ENV_NAME_RE.test(m[2]!)) return { env: m[2]! };
  if (m?.[1] === 'file' && SECRET_FILE_RE.test(m[2]!) && findControlChar(m[2]!) < 0) return { file: m[2]! };
  return null;
}

/** `the environment variable CLEANUP_TOKEN`, `the file /run/secrets/token` — for logs and errors */
export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `the environment variable ${ref.env}` : `the file ${ref.file}`;
}

/** How to write a reference, for the message that refuses a literal. */
export function referenceHint(field: string, envName: string): string {
  return `reference it instead: ${field}: { env: ${envName} } (an environment variable) or ${field}: { file: /run/secrets/${envName.toLowerCase().replace(/_/g, '-')} } (a file)`;
}

const SECRET_SHAPES: { re: RegExp; what: string }[] = [
  { re: /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/, what: 'a PEM key or certificate' },
  { re: /\b(AKIA|ASIA)[0-9A-Z]{16,}\b/, what: 'an AWS access key id' },
  { re: /(password|passwd|secret|token|api[-_]?key|bearer|credential)s?["']?\s*[=:]/i, what: 'a credential assignment' },
  { re: /^(Bearer|Basic|Token|Digest)\s/i, what: 'an authorization credential' },
  { re: /(session|bearer|auth|access|api|secret)[-_ ]?(token|key)/i, what: 'a token or key' },
  { re: /pass(word|wd)/i, what: 'a password' },
  { re: /(key|certificate|token)-data/i, what: 'kubeconfig credential data' },
  { re: /[0-9a-f]{16,}/i, what: 'a long hex string (a key or token)' },
  { re: /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, what: 'a JSON web token' },
];

/** Why a string looks like a secret, or null. A long mixed-case blob without path punctuation counts too. */
export function secretShape(value: string): string | null {
  for (const s of SECRET_SHAPES) if (s.re.test(value)) return s.what;
  if (/^[A-Za-z0-9+/=_-]{32,}$/.test(value) && !/^[/~]/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value)) return 'a key or token';
  return null;
}

/** HTTP headers whose value is a credential whatever it looks like. */
const SENSITIVE_HEADER_RE = /^(authorization|proxy-authorization|cookie)$|token|secret|passw(or)?d|api[-_]?key|(^|[-_])key($|[-_])|auth|signature|credential|session/i;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER_RE.test(name);
}

/** URL query parameters that carry credentials (`?token=`, `?api_key=`, `?sig=` …). */
const SENSITIVE_PARAM_RE = /token|secret|passw(or)?d|^pwd$|key|signature|^sig$|credential|auth|session/i;

/**
 * Why a URL carries credentials (user:password@, a token in the query), or null. Parsed without
 * URL (not in the ES2022 lib): the authority and query are found by their delimiters.
 */
export function urlCredentials(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)[^?#]*(\?[^#]*)?/i.exec(url);
  if (!m) return null;
  if (m[1]!.includes('@')) return 'a user name or password (user:password@)';
  for (const pair of (m[2] ?? '').slice(1).split('&')) {
    const name = safeDecode(pair.split('=')[0] ?? '');
    if (name && SENSITIVE_PARAM_RE.test(name)) return `the query parameter "${name.replace(/[^\w.-]/g, '?').slice(0, 40)}"`;
  }
  return null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
