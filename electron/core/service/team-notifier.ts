import type { TriggerInfo } from '../../../shared/contract/index.ts';
import { errorMessage } from '../../../shared/model/errors.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import type { LoadTest, NotifyRoute } from '../../../shared/spec/schema.ts';
import type { Logger } from '../../base/logger.ts';
import { RunHistory } from '../records/history.ts';
import { describeReference, readSecret } from './secret-value.ts';
import { deviationOf, formatFor, type TeamMessage } from './team-messages.ts';

/**
 * Results to the owning team (spec.notify.routes): a run that concerns an application reaches the
 * routes of the application's owners — the triggering service's owners when the trigger names an
 * application of the spec, else the owners of all its applications. Sent at the start, on a guard
 * breach and after the run ended (when the history holds it, so the deviation from the previous run
 * is known), one POST at a time in order, each bounded; a failing webhook is logged, never fails
 * the run. A webhook URL may come from a reference ({ env } / { file }), read when it is used and
 * never logged.
 */

export interface TeamNotifierDeps {
  dataDir: string;
  logger: Logger;
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface TeamNotifierOptions {
  trigger?: TriggerInfo;
  /** the run's address in the cockpit */
  link?: (runId: string) => string;
}

/** the owners a run reports to */
export function ownersFor(spec: LoadTest, trigger: TriggerInfo | undefined): string[] {
  const apps = spec.spec.applications;
  const named = trigger?.service ? apps.find((a) => a.name === trigger.service) : undefined;
  const from = named?.owners?.length ? [named] : apps;
  return [...new Set(from.flatMap((a) => a.owners ?? []))];
}

/** the routes of those owners */
export function routesFor(spec: LoadTest, owners: string[]): NotifyRoute[] {
  return (spec.spec.notify.routes ?? []).filter((r) => r.owners.some((o) => owners.includes(o)));
}

/** a route's URL: the literal, or the value of its reference (an http(s) URL; never shown) */
export async function resolveRouteUrl(url: NotifyRoute['url'], env: NodeJS.ProcessEnv): Promise<string> {
  if (typeof url === 'string') return url;
  const value = await readSecret(url, env);
  if (!/^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/.test(value)) throw new Error(`the webhook URL from ${describeReference(url)} is not an http(s) URL`);
  return value;
}

export class TeamNotifier {
  private queue: Promise<void> = Promise.resolve();
  private readonly owners: string[];
  private readonly routes: NotifyRoute[];
  sent = 0;
  failed = 0;

  constructor(
    private readonly spec: LoadTest,
    private readonly deps: TeamNotifierDeps,
    private readonly opts: TeamNotifierOptions = {},
  ) {
    this.owners = ownersFor(spec, opts.trigger);
    this.routes = routesFor(spec, this.owners);
  }

  get enabled(): boolean {
    return this.routes.length > 0;
  }

  notify(event: RunEvent): void {
    if (!this.enabled) return;
    const kind: TeamMessage['kind'] | null =
      event.type === 'run-started' ? 'start' : event.type === 'guard' && event.guard.state === 'breached' ? 'guard' : event.type === 'run-ended' ? 'verdict' : null;
    if (!kind) return;
    this.queue = this.queue.then(() => this.send(kind, event)).catch((err: unknown) => this.deps.logger.warn(`team notification failed: ${errorMessage(err)}`));
  }

  private async send(kind: TeamMessage['kind'], event: RunEvent): Promise<void> {
    const status = event.type === 'run-started' || event.type === 'run-ended' ? event.status : null;
    const v = event.type === 'run-ended' ? event.status.verdict : null;
    const message: TeamMessage = {
      kind,
      runId: event.runId,
      specName: this.spec.metadata.name,
      owners: this.owners,
      testEnvironment: status?.testEnvironment ?? '',
      trigger: this.opts.trigger ?? null,
      link: this.opts.link ? this.opts.link(event.runId) : null,
      at: new Date().toISOString(),
      verdict: v ? { status: v.status, reasons: v.reasons, plateauOpm: v.plateauOpm, targetOpm: v.targetOpm, plateauP99Ms: v.plateauP99Ms, errorRate: v.errorRate } : null,
      deviation: kind === 'verdict' ? deviationOf(await new RunHistory(this.deps.dataDir).deviation(event.runId).catch(() => null)) : null,
      guard: event.type === 'guard' ? event.guard : null,
    };
    for (const route of this.routes) {
      if (!route.events.includes(kind)) continue;
      const to = typeof route.url === 'string' ? route.url.replace(/[?#].*$/, '') : `(${describeReference(route.url)})`;
      try {
        const url = await resolveRouteUrl(route.url, this.deps.env ?? process.env);
        const res = await (this.deps.fetch ?? fetch)(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'conductor-team-notify/1' },
          body: JSON.stringify(formatFor(route.format, { ...message, owners: route.owners.filter((o) => this.owners.includes(o)) })),
          signal: AbortSignal.timeout(this.deps.timeoutMs ?? 5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.sent += 1;
      } catch (err) {
        this.failed += 1;
        this.deps.logger.warn(`notifying ${route.owners.join(', ')} at ${to} failed: ${errorMessage(err)}`);
      }
    }
  }

  /** wait for queued messages, at most maxMs */
  async flush(maxMs = 15_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise<void>((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }
}
