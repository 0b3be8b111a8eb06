import { hostname, userInfo } from 'node:os';
import { SpecError, UsageError, errorMessage } from '../../../shared/model/errors.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { isLoopbackHost } from '../../../shared/net/address.ts';
import { DEFAULT_TEST_LOCK, type LoadTest } from '../../../shared/spec/schema.ts';
import { describeTestEnvironment } from '../../../shared/spec/validate.ts';
import { ScaledClock, type Clock } from '../../base/clock.ts';
import type { Logger } from '../../base/logger.ts';
import { unresolvableSecrets } from '../../base/secret-resolver.ts';
import { secretRefsOf } from '../../../shared/spec/spec-secrets.ts';
import type { EnvironmentIdentity } from '../../substrates/types.ts';
import { newRunId, startRun, type RunHandle } from '../run/conductor.ts';
import { acquireTestLock, type AcquireOptions, type HeldLock, type LockHolder, type LockOwner, type LockTarget } from './env-lock.ts';
import type { OpenEnvironment, OpenedEnvironment } from './environment.ts';
import { assertTestIsNotProduction } from '../rules/test-identity.ts';
import type { TriggerInfo } from '../../../shared/contract/queue.ts';
import { TeamNotifier } from './team-notifier.ts';

/**
 * The one way every host (the CLI, the HTTP/IPC service, schedules and queues) starts a run:
 * open the spec's environment, refuse a clock faster than real time for anything not on this
 * machine, ask both sides who they are (test must not be production), take the test
 * environment's lock (or wait for it), then run the lifecycle; the lock is released and the
 * environment closed when the run has ended (restore and cleanup included).
 */

export interface LaunchDeps {
  /** journals, history and (ECS-only test sides) lock files */
  dataDir: string;
  logger: Logger;
  open: OpenEnvironment;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** who runs it, shown to a run that finds the environment taken (default: this OS user, host and process) */
  owner?: Omit<LockOwner, 'runId' | 'specName'>;
  /** lock timings and liveness probe (tests) */
  lock?: Partial<Pick<AcquireOptions, 'leaseSeconds' | 'renewEveryMs' | 'pollMs' | 'isAlive' | 'now'>>;
}

export interface LaunchOptions {
  runId?: string;
  /** simulated seconds per real second: the sandbox's, or a `conductor sandbox` on this machine; default the spec's sandbox.timeScale, else 1 */
  timeScale?: number;
  /** wait for the test environment's lock instead of refusing */
  wait?: boolean;
  /** cancels waiting for the lock; aborts the run once it started */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** told when the environment is taken and this launch waits (wait: true) */
  onWaiting?: (holder: LockHolder) => void;
  /** who or what asked for the run, for the owning team's messages (spec.notify.routes) and the history */
  trigger?: TriggerInfo;
  /** the run's address in the cockpit, for those messages */
  link?: (runId: string) => string;
}

export interface LaunchedRun extends RunHandle {
  /** where the lock lives */
  readonly lock: string;
  readonly testEnvironment: string;
}

export function defaultOwner(): Omit<LockOwner, 'runId' | 'specName'> {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
  return { user, host: hostname(), pid: process.pid };
}

/** the endpoints of an environment that are not on this machine (an ECS target without an endpoint is AWS itself) */
export function remoteEndpoints(environment: Pick<OpenedEnvironment, 'substrates'>, locustUrl: string | undefined): string[] {
  const local = (url: string | undefined) => {
    if (!url) return false;
    try {
      return isLoopbackHost(new URL(url).hostname);
    } catch {
      return false;
    }
  };
  const out: string[] = [];
  for (const side of ['production', 'test'] as const) {
    const k = environment.substrates[side].kubernetes?.target;
    if (k && !local(k.server)) out.push(`Kubernetes ${k.server} (context ${k.context})`);
    const e = environment.substrates[side].ecs?.target;
    if (e && !local(e.endpoint)) out.push(`ECS ${e.endpoint ?? `in ${e.region}`} (cluster ${e.cluster})`);
  }
  if (!local(locustUrl)) out.push(`Locust ${locustUrl ?? '(no URL)'}`);
  return [...new Set(out)];
}

/**
 * The one clock rule: a sandbox spec runs on the sandbox's clock; any other spec on real time, or
 * — for a `conductor sandbox` on this machine only — on a clock scaled to match it. A faster clock
 * against anything remote would mean a ramp in seconds and rollout timeouts cut short: refused.
 */
export function clockFor(spec: LoadTest, env: OpenedEnvironment, timeScale: number): Clock {
  if (spec.spec.sandbox) return env.clock ?? new ScaledClock(timeScale);
  if (timeScale !== 1) {
    const remote = remoteEndpoints(env, spec.spec.load.locust.url);
    if (remote.length) {
      throw new UsageError(`--time-scale ${timeScale} is only for a sandbox on this machine (\`conductor sandbox --time-scale N\`); this spec reaches ${remote.join(', ')}. Run it without --time-scale`);
    }
    // the environment's own clock when it runs at this scale: the Locust KPI times its reads on it
    return env.clock?.timeScale === timeScale ? env.clock : new ScaledClock(timeScale);
  }
  return env.clock ?? new ScaledClock(1);
}

/** Where this spec's test environment is locked: a Lease in its Kubernetes test cluster, else a file in the data directory. */
export function lockTargetFor(spec: LoadTest, env: OpenedEnvironment, identities: EnvironmentIdentity[], dataDir: string): LockTarget {
  const k8s = env.substrates.test.kubernetes;
  if (k8s) {
    const l = spec.spec.test?.lock ?? DEFAULT_TEST_LOCK;
    return { kind: 'lease', writer: k8s, namespace: l.namespace, name: l.name };
  }
  const ecs = identities.find((i): i is Extract<EnvironmentIdentity, { substrate: 'ecs' }> => i.substrate === 'ecs');
  const key = ecs ? `${ecs.clusterArn}@${ecs.endpoint ? `${ecs.endpoint.addresses.join(',')}:${ecs.endpoint.port}` : 'aws'}` : `spec:${spec.metadata.name}`;
  return { kind: 'file', dir: dataDir, key, describe: ecs ? `ECS cluster ${ecs.clusterArn}` : `spec ${spec.metadata.name}` };
}

/** Open, check identity, lock: what a run and a recovery both need before their first write. */
export async function prepareTestEnvironment(
  spec: LoadTest,
  deps: LaunchDeps,
  o: { runId: string; timeScale: number; wait?: boolean; signal?: AbortSignal; onWaiting?: (h: LockHolder) => void; takeOver?: (h: LockHolder) => boolean },
): Promise<{ env: OpenedEnvironment; clock: Clock; lock: HeldLock }> {
  const env = await deps.open(spec, { timeScale: o.timeScale, ...(deps.env ? { env: deps.env } : {}), logger: deps.logger });
  try {
    const clock = clockFor(spec, env, o.timeScale);
    const identities = await assertTestIsNotProduction(env.substrates, o.signal);
    const lock = await acquireTestLock(lockTargetFor(spec, env, identities, deps.dataDir), { ...(deps.owner ?? defaultOwner()), runId: o.runId, specName: spec.metadata.name }, {
      logger: deps.logger,
      ...(deps.lock ?? {}),
      ...(o.wait ? { wait: true } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onWaiting ? { onWaiting: o.onWaiting } : {}),
      ...(o.takeOver ? { takeOver: o.takeOver } : {}),
    });
    return { env, clock, lock };
  } catch (err) {
    await env.close().catch(() => undefined);
    throw err;
  }
}

export async function launchRun(spec: LoadTest, deps: LaunchDeps, opts: LaunchOptions = {}): Promise<LaunchedRun> {
  // a secret the run will need and cannot read is bad input (exit 2, HTTP 400) before anything is opened
  const secrets = await unresolvableSecrets(secretRefsOf(spec));
  if (secrets.length) throw new SpecError(secrets);
  const runId = opts.runId ?? newRunId(spec.metadata.name);
  const timeScale = opts.timeScale ?? spec.spec.sandbox?.timeScale ?? 1;
  const { env, clock, lock } = await prepareTestEnvironment(spec, deps, {
    runId,
    timeScale,
    ...(opts.wait ? { wait: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onWaiting ? { onWaiting: opts.onWaiting } : {}),
  });
  const testEnvironment = describeTestEnvironment(spec);
  const team = new TeamNotifier(spec, { dataDir: deps.dataDir, logger: deps.logger, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}) }, { ...(opts.trigger ? { trigger: opts.trigger } : {}), ...(opts.link ? { link: opts.link } : {}) });
  const onEvent = (event: RunEvent) => {
    team.notify(event);
    opts.onEvent?.(event);
  };
  let handle: RunHandle;
  try {
    handle = startRun(
      spec,
      {
        clock,
        substrates: env.substrates,
        locust: env.locust,
        kpi: env.kpi,
        ...(env.controllerFor ? { controllerFor: env.controllerFor } : {}),
        logger: deps.logger,
        dataDir: deps.dataDir,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      },
      { runId, testEnvironment, ...(opts.signal ? { signal: opts.signal } : {}), onEvent, ...(opts.trigger ? { trigger: { source: opts.trigger.source, summary: opts.trigger.summary } } : {}) },
    );
  } catch (err) {
    await lock.release();
    await env.close().catch(() => undefined);
    throw err;
  }
  const onLost = () => handle.abort(errorMessage(lock.lost.reason));
  lock.lost.addEventListener('abort', onLost, { once: true });
  const done = handle.done.finally(async () => {
    lock.lost.removeEventListener('abort', onLost);
    await lock.release();
    await env.close().catch((err: unknown) => deps.logger.warn(`closing the environment failed: ${errorMessage(err)}`));
    await team.flush();
  });
  // the caller hears of the run once it is journaled (a recover or another host sees it from then on)
  await handle.started;
  return { runId, status: () => handle.status(), abort: (reason) => handle.abort(reason), started: handle.started, done, lock: lock.where, testEnvironment };
}
