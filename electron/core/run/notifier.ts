import type { RunEvent } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import type { Logger } from '../../base/logger.ts';
import { errorMessage } from '../../../shared/model/errors.ts';

/**
 * Webhook notifications (spec.notify.webhook): phase changes, guard breaches, aborts and the
 * verdict are POSTed as JSON, one at a time and in order. Each POST has a bounded timeout;
 * failures are logged and never fail the run. The queue is bounded; `flush` waits (bounded)
 * for what is queued.
 */

export interface WebhookPayload {
  kind: 'phase' | 'guard' | 'abort' | 'verdict';
  runId: string;
  specName: string;
  /** ISO time the event was sent */
  at: string;
  event: RunEvent;
}

export interface NotifierDeps {
  fetch?: typeof fetch;
  logger: Logger;
  timeoutMs?: number;
  maxQueue?: number;
}

export class WebhookNotifier {
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  sent = 0;
  failed = 0;
  dropped = 0;

  constructor(
    private readonly spec: LoadTest,
    private readonly deps: NotifierDeps,
  ) {
    this.fetchFn = deps.fetch ?? fetch;
    this.timeoutMs = deps.timeoutMs ?? 5000;
    this.maxQueue = deps.maxQueue ?? 200;
  }

  get enabled(): boolean {
    return this.spec.spec.notify.webhook !== undefined;
  }

  /** which webhook kind an event is, or null when it is not sent */
  static kindOf(event: RunEvent): WebhookPayload['kind'] | null {
    switch (event.type) {
      case 'phase':
        return event.state === 'running' || event.state === 'failed' ? 'phase' : null;
      case 'guard':
        return event.guard.state === 'breached' ? 'guard' : null;
      case 'abort':
        return 'abort';
      case 'verdict':
        return 'verdict';
      default:
        return null;
    }
  }

  notify(event: RunEvent): void {
    const hook = this.spec.spec.notify.webhook;
    if (!hook) return;
    const kind = WebhookNotifier.kindOf(event);
    if (!kind || !hook.events.includes(kind)) return;
    if (this.pending >= this.maxQueue) {
      this.dropped += 1;
      this.deps.logger.warn('webhook queue full; notification dropped', { kind });
      return;
    }
    const payload: WebhookPayload = { kind, runId: event.runId, specName: this.spec.metadata.name, at: new Date().toISOString(), event };
    this.pending += 1;
    this.queue = this.queue.then(() => this.post(hook.url, payload)).finally(() => (this.pending -= 1));
  }

  private async post(url: string, payload: WebhookPayload): Promise<void> {
    try {
      const res = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'conductor-webhook/1' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.sent += 1;
    } catch (err) {
      this.failed += 1;
      this.deps.logger.warn(`webhook ${url} failed: ${errorMessage(err)}`, { kind: payload.kind });
    }
  }

  /** wait for queued notifications, at most `maxMs` real milliseconds */
  async flush(maxMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise<void>((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }
}
