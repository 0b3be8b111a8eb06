import { ApiException } from '@kubernetes/client-node';
import { AbortedError, ConductorError, SubstrateError } from '../../../shared/model/errors.ts';

/** Converting what @kubernetes/client-node throws into the Conductor's typed errors. */

/** HTTP statuses worth retrying: throttling and server-side trouble. */
export const isRetryableStatus = (status: number | undefined): boolean => status === 429 || (status !== undefined && status >= 500);

/** The message of a Kubernetes `Status` body (ApiException carries the raw JSON text). */
export function statusMessage(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() ? body.trim().slice(0, 300) : undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof (parsed as { message: unknown }).message === 'string') {
    return (parsed as { message: string }).message;
  }
  return undefined;
}

export interface ErrorContext {
  /** kubeconfig context name */
  target: string;
  /** the API server URL, named when the server could not be reached */
  server?: string;
  /** e.g. "deployments shop/cart" */
  resource: string;
  /** what was being done, e.g. "list deployments" */
  action: string;
}

/** Any failure of one API call as a SubstrateError naming context, resource and status. */
export function toSubstrateError(err: unknown, ctx: ErrorContext): ConductorError {
  if (err instanceof ConductorError) return err;
  if (err instanceof ApiException) {
    const status = err.code;
    const msg = statusMessage(err.body) ?? `HTTP ${status}`;
    return new SubstrateError(`kubernetes ${ctx.target}: ${ctx.action} ${ctx.resource} failed (${status}): ${msg}`, {
      substrate: 'kubernetes',
      target: ctx.target,
      resource: ctx.resource,
      status,
      retryable: isRetryableStatus(status),
    });
  }
  const e = err as { message?: string; code?: string; statusCode?: number; type?: string };
  if (typeof e?.statusCode === 'number') {
    return new SubstrateError(`kubernetes ${ctx.target}: ${ctx.action} ${ctx.resource} failed (${e.statusCode}): ${e.message ?? ''}`, {
      substrate: 'kubernetes',
      target: ctx.target,
      resource: ctx.resource,
      status: e.statusCode,
      retryable: isRetryableStatus(e.statusCode),
    });
  }
  const why = e?.code ? `${e.code}` : (e?.message ?? String(err));
  const where = ctx.server ? ` (API server ${ctx.server})` : '';
  return new SubstrateError(`kubernetes ${ctx.target}: ${ctx.action} ${ctx.resource} failed: ${why}${where}`, {
    substrate: 'kubernetes',
    target: ctx.target,
    resource: ctx.resource,
    retryable: true,
  });
}

export function abortedError(ctx: ErrorContext): AbortedError {
  return new AbortedError(`aborted: ${ctx.action} ${ctx.resource} on ${ctx.target}`, { target: ctx.target, resource: ctx.resource });
}
