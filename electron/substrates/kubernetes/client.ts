import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CustomObjectsApi,
  CoordinationV1Api,
  CoreV1Api,
  Observable,
  Watch,
  type ConfigurationOptions,
  type KubeConfig,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { Clock } from '../../base/clock.ts';
import { silentLogger, type Logger } from '../../base/logger.ts';
import { ConductorError, SubstrateError } from '../../../shared/model/errors.ts';
import type { K8sTarget } from '../types.ts';
import { abortedError, toSubstrateError, type ErrorContext } from './errors.ts';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.ts';

/**
 * One cluster connection: the typed API clients of @kubernetes/client-node plus what every call
 * needs — a per-call timeout, the caller's abort signal, bounded retries on 429/5xx/network
 * errors, and conversion of failures into SubstrateError / AbortedError.
 */

export interface KubeClientOptions {
  kc: KubeConfig;
  target: K8sTarget;
  clock: Clock;
  logger?: Logger;
  /** real milliseconds one HTTP request may take; default 30000 */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Content-Type for PATCH (a PatchStrategy value) */
  contentType?: string;
  /** default true; writes that are not idempotent pass false */
  retry?: boolean;
}

function middleware(pre: (ctx: RequestContext) => void): ObservableMiddleware {
  return {
    pre: (ctx: RequestContext) => {
      pre(ctx);
      return new Observable(Promise.resolve(ctx));
    },
    post: (rsp: ResponseContext) => new Observable(Promise.resolve(rsp)),
  };
}

export class KubeClient {
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly batch: BatchV1Api;
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  readonly target: K8sTarget;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retryPolicy: RetryPolicy;
  private readonly timeoutMs: number;
  /** HTTP requests sent (including retries), for figures and tests */
  requests = 0;

  constructor(private readonly opts: KubeClientOptions) {
    this.apps = opts.kc.makeApiClient(AppsV1Api);
    this.autoscaling = opts.kc.makeApiClient(AutoscalingV2Api);
    this.batch = opts.kc.makeApiClient(BatchV1Api);
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
    this.core = opts.kc.makeApiClient(CoreV1Api);
    this.coordination = opts.kc.makeApiClient(CoordinationV1Api);
    this.target = opts.target;
    this.clock = opts.clock;
    this.logger = opts.logger ?? silentLogger;
    this.retryPolicy = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  errorContext(action: string, resource: string): ErrorContext {
    return { target: this.target.context, server: this.target.server, action, resource };
  }

  /** One API call with timeout, abort, retries and typed errors. */
  async call<T>(action: string, resource: string, fn: (options: ConfigurationOptions) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const ctx = this.errorContext(action, resource);
    const attemptOnce = async (): Promise<T> => {
      if (opts.signal?.aborted) throw abortedError(ctx);
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
      const mws: ObservableMiddleware[] = [middleware((req) => req.setSignal(signal))];
      if (opts.contentType) {
        const ct = opts.contentType;
        mws.push(middleware((req) => req.setHeaderParam('Content-Type', ct)));
      }
      this.requests++;
      try {
        return await fn({ middleware: mws, middlewareMergeStrategy: 'append' });
      } catch (err) {
        if (opts.signal?.aborted) throw abortedError(ctx);
        if (timeout.signal.aborted) {
          throw new SubstrateError(`kubernetes ${ctx.target}: ${action} ${resource} timed out after ${this.timeoutMs} ms`, {
            substrate: 'kubernetes',
            target: ctx.target,
            resource,
            retryable: true,
          });
        }
        throw toSubstrateError(err, ctx);
      } finally {
        clearTimeout(timer);
      }
    };
    if (opts.retry === false) return attemptOnce();
    return withRetry(attemptOnce, {
      policy: this.retryPolicy,
      clock: this.clock,
      ...(opts.signal ? { signal: opts.signal } : {}),
      shouldRetry: (err) => err instanceof SubstrateError && err.retryable,
      onRetry: (err, attempt, delayMs) =>
        this.logger.debug('kubernetes call failed, retrying', {
          context: ctx.target,
          action,
          resource,
          attempt: attempt + 1,
          delayMs,
          error: err instanceof ConductorError ? err.message : String(err),
        }),
      onAbort: () => abortedError(ctx),
    });
  }

  /**
   * Start a watch (chunked JSON lines) on `path`. Resolves once the stream is open; `onEvent` gets
   * each event, `onDone` once when the stream ends (err null when the server closed it).
   */
  async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<{ abort(): void }> {
    this.requests++;
    const w = new Watch(this.opts.kc);
    const controller = await w.watch(path, query, onEvent, onDone);
    return { abort: () => controller.abort() };
  }
}
