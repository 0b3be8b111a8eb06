import type { TriggerInfo } from '../../../../shared/contract/queue.ts';
import { ConductorError, errorMessage, toErrorDto, type ErrorDto } from '../../../../shared/model/errors.ts';
import type { LoadTest } from '../../../../shared/spec/schema.ts';
import type { Logger } from '../../../base/logger.ts';
import type { RunQueue } from '../run-queue.ts';
import { readSecret, type SecretReference } from '../secret-value.ts';
import { adaptEvent, type ChangeEvent } from './adapters.ts';
import { githubSignatureValid, sameSecret } from './auth.ts';
import { RateLimiter } from './rate-limit.ts';
import { selectSpecs } from './select.ts';
import type { TriggerLog } from './trigger-log.ts';

/**
 * `POST /api/triggers/event`, after the HTTP layer has bounded the body: rate-limited per client,
 * authenticated (a GitHub signature, a GitLab token or the bearer token — nothing unauthenticated
 * is read further), read by the adapters, refused when its delivery id was seen before (a
 * replay), then every stored spec the change selects is queued (once per spec and change). The
 * answer says what was queued; the trigger log keeps it.
 */

export interface TriggerIntakeDeps {
  queue: RunQueue;
  log: TriggerLog;
  specs: () => Iterable<LoadTest>;
  logger: Logger;
  /** GitHub's webhook secret and GitLab's token, by reference */
  secrets?: { github?: SecretReference; gitlab?: SecretReference };
  env?: NodeJS.ProcessEnv;
  /** events per minute per client, and the burst; default 60 and 20 */
  rate?: { perMinute: number; burst: number };
  now?: () => number;
}

export interface IntakeRequest {
  /** header names lower-case */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  /** the client's address (rate limiting) */
  client: string;
  /** the request carried the server's bearer token */
  bearer: boolean;
  /** `?service=` on the webhook URL */
  serviceParam: string | null;
}

export interface TriggerResultDto {
  deliveryId: string;
  summary: string;
  outcome: 'queued' | 'no-match' | 'ignored';
  /** what was queued (or already queued for the same change) */
  queued: { id: number; specName: string; reason: string; alreadyQueued: boolean; overrides: Record<string, string> }[];
  message: string;
}

export type IntakeResponse = { status: number; retryAfter?: number; body: { ok: true; value: TriggerResultDto } | { ok: false; error: ErrorDto } };

const refuse = (status: number, code: ErrorDto['code'], message: string, details?: Record<string, unknown>): IntakeResponse => ({ status, body: { ok: false, error: { code, message, ...(details ? { details } : {}) } } });

export class TriggerIntake {
  private readonly limiter: RateLimiter;

  constructor(private readonly deps: TriggerIntakeDeps) {
    this.limiter = new RateLimiter(deps.rate?.perMinute ?? 60, deps.rate?.burst ?? 20, deps.now ?? Date.now);
  }

  /** what the endpoint accepts, for the start-up banner */
  describeAuth(tokenConfigured: boolean): string {
    const ways = [this.deps.secrets?.github ? 'GitHub signatures' : null, this.deps.secrets?.gitlab ? 'GitLab tokens' : null, tokenConfigured ? 'the bearer token' : null].filter(Boolean);
    return ways.length ? `accepts ${ways.join(', ')}` : 'refuses every event: start serve with --token, --github-secret or --gitlab-token';
  }

  async receive(req: IntakeRequest): Promise<IntakeResponse> {
    const wait = this.limiter.take(req.client);
    if (wait !== null) return { ...refuse(429, 'CONFLICT', `too many events from ${req.client}; retry in ${wait} s`), retryAfter: wait };
    const auth = await this.authenticate(req);
    if (auth) return auth;
    let adapted;
    try {
      adapted = adaptEvent({ headers: req.headers, body: req.body.toString('utf8'), serviceParam: req.serviceParam });
    } catch (err) {
      const dto = toErrorDto(err);
      return { status: dto.code === 'USAGE' ? 400 : 500, body: { ok: false, error: dto } };
    }
    if (adapted.kind === 'ignored') {
      const claim = this.deps.log.claim(adapted.deliveryId, adapted.source, adapted.reason);
      if (!claim.fresh) return this.replay(adapted.deliveryId, claim.receivedAt);
      this.deps.log.settle(claim.id, 'ignored', []);
      return { status: 200, body: { ok: true, value: { deliveryId: adapted.deliveryId, summary: adapted.reason, outcome: 'ignored', queued: [], message: `ignored: ${adapted.reason}` } } };
    }
    return this.queue(adapted.change);
  }

  private async authenticate(req: IntakeRequest): Promise<IntakeResponse | null> {
    const h = req.headers;
    const env = this.deps.env ?? process.env;
    const secret = async (ref: SecretReference | undefined) => {
      if (!ref) return null;
      try {
        return await readSecret(ref, env);
      } catch (err) {
        this.deps.logger.error(`the webhook secret cannot be read: ${errorMessage(err)}`);
        return null;
      }
    };
    if (h['x-hub-signature-256'] !== undefined) {
      const s = await secret(this.deps.secrets?.github);
      if (s && githubSignatureValid(s, req.body, h['x-hub-signature-256'])) return null;
      return refuse(401, 'FORBIDDEN', s ? 'the X-Hub-Signature-256 signature does not match the body (check the webhook secret)' : 'a signed GitHub event, but this server has no GitHub secret (serve --github-secret env:NAME|file:PATH)');
    }
    if (h['x-gitlab-token'] !== undefined) {
      const s = await secret(this.deps.secrets?.gitlab);
      if (s && sameSecret(s, h['x-gitlab-token'])) return null;
      return refuse(401, 'FORBIDDEN', s ? 'the X-Gitlab-Token does not match (check the webhook secret token)' : 'a GitLab event with a token, but this server has no GitLab token (serve --gitlab-token env:NAME|file:PATH)');
    }
    if (req.bearer) return null;
    return refuse(401, 'FORBIDDEN', 'an event needs a signature (GitHub X-Hub-Signature-256, GitLab X-Gitlab-Token) or the bearer token (Authorization: Bearer <token>)');
  }

  private replay(deliveryId: string, receivedAt: string): IntakeResponse {
    return refuse(409, 'CONFLICT', `delivery ${deliveryId} was already received at ${receivedAt}; a replayed event is ignored`, { deliveryId, receivedAt });
  }

  private queue(change: ChangeEvent): IntakeResponse {
    const claim = this.deps.log.claim(change.deliveryId, change.source, change.summary);
    if (!claim.fresh) return this.replay(change.deliveryId, claim.receivedAt);
    const trigger: TriggerInfo = Object.fromEntries(
      Object.entries({
        source: change.source,
        summary: change.summary,
        by: change.by,
        deliveryId: change.deliveryId,
        service: change.services[0],
        image: change.image,
        version: change.version,
        repository: change.repository,
        ref: change.ref,
        commit: change.commit,
      }).filter(([, v]) => v !== undefined),
    ) as unknown as TriggerInfo;
    const selected = selectSpecs(this.deps.specs(), change);
    const queued: TriggerResultDto['queued'] = [];
    try {
      for (const s of selected) {
        const { item, queued: fresh } = this.deps.queue.enqueue({ spec: s.spec, changeKey: s.changeKey, reason: s.reason, trigger, overrides: s.overrides });
        queued.push({ id: item.id, specName: item.specName, reason: item.reason, alreadyQueued: !fresh, overrides: item.overrides });
      }
    } catch (err) {
      this.deps.log.settle(claim.id, `failed: ${errorMessage(err)}`, queued.map((q) => q.specName));
      throw err instanceof ConductorError ? err : new ConductorError('INTERNAL', errorMessage(err));
    }
    const outcome = queued.length ? 'queued' : 'no-match';
    const message = queued.length
      ? `queued ${queued.filter((q) => !q.alreadyQueued).length} run(s): ${queued.map((q) => `${q.specName}${q.alreadyQueued ? ' (already queued for this change)' : ''}`).join(', ')}`
      : `no stored spec selects ${change.services.join(', ') || 'anything'} (labels conductor.io/services or application names)`;
    this.deps.log.settle(claim.id, outcome === 'queued' ? message : 'no spec selected', queued.map((q) => q.specName));
    this.deps.logger.info(`event ${change.deliveryId} (${change.summary}): ${message}`);
    return { status: queued.length ? 202 : 200, body: { ok: true, value: { deliveryId: change.deliveryId, summary: change.summary, outcome, queued, message } } };
  }
}
