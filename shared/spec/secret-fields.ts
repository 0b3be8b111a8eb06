import { z } from 'zod';
import { isSensitiveHeader, referenceHint, secretRefSchema, secretShape, urlCredentials } from './secret-ref.ts';
import { headerName } from './names.ts';

/**
 * The spec fields that may carry a secret, and the rule that keeps secrets out of the spec: a URL
 * never holds credentials (user:password@, a token in the query) — where the whole URL is a
 * secret (a chat webhook, a signed cleanup URL) it is given as a reference; a credential header
 * (Authorization, Cookie, X-Api-Key, …) is always a reference; any other literal that looks like
 * a secret is refused with how to reference it. The refused literal itself is never shown.
 */

const URL_SHAPE_RE = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/;
const URL_EXPECTED = 'an http:// or https:// URL';

function checkUrl(url: string, ctx: z.RefinementCtx, hint?: string): void {
  const credentials = urlCredentials(url);
  if (credentials) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `holds credentials (${credentials}); secrets are never written in a spec`,
      params: { expected: hint ? `a URL without credentials, or a reference to the whole URL: ${hint}` : 'a URL without credentials (no user:password@, no token in the query)', found: 'a URL with credentials' },
    });
  } else if (!URL_SHAPE_RE.test(url)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not valid', params: { expected: URL_EXPECTED } });
  }
}

/** An http(s) URL without credentials. */
export const noCredentialsUrl = z
  .string()
  .max(2048)
  .superRefine((url, ctx) => checkUrl(url, ctx))
  .describe(URL_EXPECTED);

/** A URL without credentials, or `{ env }` / `{ file }` holding the URL (checked when it is used). */
export function urlOrSecret(field: string, envName: string) {
  const hint = referenceHint(field, envName);
  return z
    .union([
      z
        .string()
        .max(2048)
        .superRefine((url, ctx) => checkUrl(url, ctx, hint)),
      secretRefSchema,
    ])
    .describe(`${URL_EXPECTED}, or a reference { env: NAME } / { file: PATH } to one`);
}

/** A literal that does not look like a secret, or a reference. */
export function literalOrSecret(literal: z.ZodString, field: string, envName: string) {
  return z
    .union([
      literal.superRefine((text, ctx) => {
        const shape = secretShape(text);
        if (shape) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `looks like ${shape}; secrets are never written in a spec`, params: { expected: referenceHint(field, envName), found: 'a literal value' } });
      }),
      secretRefSchema,
    ])
    .describe(`a text, or a reference { env: NAME } / { file: PATH }`);
}

const envNameFor = (prefix: string, header: string) => `${prefix}_${header.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`.replace(/_+$/, '');

/** HTTP headers: credential headers only as references; other values literal unless they look like a secret. */
export function httpHeaders(prefix: string) {
  return z
    .record(headerName, z.union([z.string().max(8192), secretRefSchema]).describe('a header value, or a reference { env: NAME } / { file: PATH }'))
    .superRefine((headers, ctx) => {
      const names = Object.keys(headers);
      if (names.length > 64) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'has too many headers', params: { expected: 'at most 64 headers', found: `${names.length} headers` } });
      for (const name of names.slice(0, 64)) {
        const value = headers[name];
        if (typeof value !== 'string') continue;
        const shape = isSensitiveHeader(name) ? 'a credential header' : secretShape(value) ? `a value that looks like ${secretShape(value)}` : null;
        if (shape) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [name],
            message: `is ${shape} written in the spec; secrets are never written in a spec`,
            params: { expected: referenceHint(name, envNameFor(prefix, name)), found: 'a literal value' },
          });
        }
      }
    });
}
