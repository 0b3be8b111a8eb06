import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who may send change events: a GitHub webhook signed with the shared secret (X-Hub-Signature-256:
 * HMAC-SHA256 of the raw body), a GitLab webhook with its secret token (X-Gitlab-Token), or
 * anyone with the server's bearer token. Comparisons are constant-time.
 */

/** constant-time string comparison (hashing first, so lengths never leak) */
export function sameSecret(expected: string, presented: string | null | undefined): boolean {
  if (presented === null || presented === undefined) return false;
  return timingSafeEqual(createHash('sha256').update(expected).digest(), createHash('sha256').update(presented).digest());
}

/** `sha256=<hex>` over the raw body, as GitHub computes it */
export function githubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function githubSignatureValid(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header.trim())) return false;
  return sameSecret(githubSignature(secret, body), header.trim().toLowerCase());
}
