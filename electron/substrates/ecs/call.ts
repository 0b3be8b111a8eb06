import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../../base/logger.ts';
import { AbortedError, SubstrateError } from '../../../shared/model/errors.ts';

/**
 * One ECS call with bounded retries on top of the SDK's own (for a 5xx burst or throttling longer
 * than the SDK's attempts), backoff on the run's clock, abort, and errors translated into
 * SubstrateError naming the cluster, the resource and the HTTP status.
 */

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ServiceUnavailableException', 'ServerException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED']);

export interface EcsCallContext {
  client: ECSClient;
  clock: Clock;
  logger: Logger;
  region: string;
  cluster: string;
  /** extra rounds after the SDK gave up on a retryable error (default 2) */
  retries: number;
  /** first backoff between rounds, simulated ms (doubles each round) */
  backoffMs: number;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Translate anything the SDK throws into a SubstrateError (or AbortedError). */
export function toEcsError(err: unknown, ctx: Pick<EcsCallContext, 'region' | 'cluster'>, operation: string, resource: string, signal?: AbortSignal): SubstrateError | AbortedError {
  if (err instanceof SubstrateError || err instanceof AbortedError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as AwsLikeError;
  const name = e.name ?? 'Error';
  if (signal?.aborted || name === 'AbortError') return new AbortedError(`ECS ${operation} on ${ctx.region}/${ctx.cluster} aborted`, { cluster: ctx.cluster, resource });
  const status = e.$metadata?.httpStatusCode;
  const network = e.code !== undefined && NETWORK_CODES.has(e.code);
  const retryable = (status !== undefined && (status >= 500 || status === 429)) || THROTTLING.has(name) || network || Boolean(e.$retryable);
  const what = name === 'TimeoutError' ? `request timed out (${e.message ?? ''})` : name === 'CredentialsProviderError' ? `no usable AWS credentials: ${e.message ?? ''}` : `${name}: ${e.message ?? ''}`;
  return new SubstrateError(`ECS ${operation} on ${ctx.region}/${ctx.cluster} (${resource}) failed: ${what}${status !== undefined ? ` [HTTP ${status}]` : ''}`, {
    substrate: 'ecs',
    target: ctx.cluster,
    resource,
    ...(status !== undefined ? { status } : {}),
    retryable,
  });
}

export async function ecsCall<T>(ctx: EcsCallContext, operation: string, resource: string, send: (abortSignal?: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const rounds = Math.max(0, ctx.retries) + 1;
  for (let round = 1; ; round++) {
    if (signal?.aborted) throw new AbortedError(`ECS ${operation} on ${ctx.region}/${ctx.cluster} aborted`, { cluster: ctx.cluster, resource });
    try {
      return await send(signal);
    } catch (err) {
      const e = toEcsError(err, ctx, operation, resource, signal);
      if (e instanceof AbortedError || !e.retryable || round >= rounds) throw e;
      const wait = ctx.backoffMs * 2 ** (round - 1);
      ctx.logger.warn('ECS call failed, retrying', { operation, cluster: ctx.cluster, resource, round, waitMs: wait, error: e.message });
      try {
        await ctx.clock.sleep(wait, signal);
      } catch {
        throw new AbortedError(`ECS ${operation} on ${ctx.region}/${ctx.cluster} aborted`, { cluster: ctx.cluster, resource });
      }
    }
  }
}
