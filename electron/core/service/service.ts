import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConductorHandlers, ExampleDto } from '../../../shared/contract/index.ts';
import { ConductorError, SpecError, errorMessage } from '../../../shared/model/errors.ts';
import type { RunEvent, RunStatus } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { describeTestEnvironment, resolvedSpecYaml, validateSpecText } from '../../../shared/spec/validate.ts';
import { runPlanOf } from '../../../shared/spec/run-plan.ts';
import type { Controller, KpiSource, LocustDriver } from '../../load/types.ts';
import type { Substrates } from '../../substrates/types.ts';
import { SandboxHost } from '../../sandbox/index.ts';
import { openEnvironment } from './environment.ts';
import { ScaledClock, type Clock } from '../../base/clock.ts';
import { startRun, type RunHandle } from '../run/conductor.ts';
import { awsProfileNames, kubeContextNames } from './env-list.ts';
import { RunHistory } from '../records/history.ts';
import { listPendingRecoveries, readSnapshot } from '../run/journal.ts';
import { consoleLogger, type Logger } from '../../base/logger.ts';
import { readParity } from '../rules/parity.ts';
import { recover } from '../run/recovery.ts';
import type { ConductorService, ConductorServiceOptions } from './service-types.ts';
import { createFileSettingsStore, type SettingsStore } from './settings-store.ts';

/**
 * The conductor service behind both transports (IPC and HTTP): one run at a time, events fanned
 * out to every subscriber, history and recovery from the data directory. The platforms a spec
 * names are opened per run through `openEnvironment` (default: electron/core/environment.ts).
 */

/** What a spec's platforms look like once opened (sandbox or real clusters). */
export interface OpenedEnvironment {
  substrates: Substrates;
  locust: LocustDriver;
  kpi: KpiSource;
  /** optional: the controller; default is the spec's algorithm from electron/load/controller */
  controllerFor?: (spec: LoadTest, info: { workers: number | null }) => Controller;
  /** the clock to run on (the sandbox's, so simulated time agrees); default ScaledClock */
  clock?: Clock;
  close(): Promise<void>;
}

export interface OpenEnvironmentOptions {
  timeScale: number;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}

export type OpenEnvironment = (spec: LoadTest, opts: OpenEnvironmentOptions) => Promise<OpenedEnvironment>;

export interface CreateServiceOptions extends ConductorServiceOptions {
  openEnvironment?: OpenEnvironment;
  logger?: Logger;
  fetch?: typeof fetch;
  /** settings:get / settings:set; default a settings.json in dataDir (electron/core/settings-store.ts) */
  settings?: SettingsStore;
}

/**
 * The default: electron/core/environment.ts, with one sandbox shared by every run of this host
 * (so parity before, during and after runs describes the same simulated environment; its time
 * scale is the host's).
 */
export function sharedSandboxOpener(host: SandboxHost, fetchImpl?: typeof fetch): OpenEnvironment {
  return async (spec, o) => openEnvironment(spec, { ...o, ...(fetchImpl ? { fetch: fetchImpl } : {}), ...(spec.spec.sandbox ? { sandbox: await host.get() } : {}) });
}

function parseSpec(text: string, fileName?: string): LoadTest {
  const r = validateSpecText(text, fileName);
  if (!r.ok) throw new SpecError(r.issues, fileName);
  return r.spec;
}

/** the clock for a run: the environment's, else scaled by timeScale in the sandbox and real time elsewhere */
export function clockFor(spec: LoadTest, env: OpenedEnvironment, timeScale: number): Clock {
  return env.clock ?? new ScaledClock(spec.spec.sandbox ? timeScale : 1);
}

export function createConductorService(opts: CreateServiceOptions): ConductorService {
  const logger = opts.logger ?? consoleLogger();
  const sandboxHost = new SandboxHost({ timeScale: opts.timeScale ?? 1 });
  const open = opts.openEnvironment ?? sharedSandboxOpener(sandboxHost, opts.fetch);
  const history = new RunHistory(opts.dataDir);
  const settings = opts.settings ?? createFileSettingsStore(opts.dataDir);
  const listeners = new Set<(e: RunEvent) => void>();
  let active: { handle: RunHandle; env: OpenedEnvironment; done: Promise<void> } | null = null;
  let starting = false;
  let recovering = false;
  const recent = new Map<string, RunStatus>();

  const fanOut = (event: RunEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        logger.warn(`event subscriber failed: ${errorMessage(err)}`);
      }
    }
  };

  const busy = (what: string) => {
    if (active || starting) throw new ConductorError('CONFLICT', `a run is in progress (${active?.handle.runId ?? 'starting'}); ${what} waits until it ends`, active ? { runId: active.handle.runId } : {});
    if (recovering) throw new ConductorError('CONFLICT', `a recovery is in progress; ${what} waits until it ends`);
  };

  const timeScaleFor = (spec: LoadTest, requested?: number) => requested ?? opts.timeScale ?? spec.spec.sandbox?.timeScale ?? 1;

  const handlers: ConductorHandlers = {
    'env:list': async () => {
      const env = opts.env ?? process.env;
      return {
        kubeContexts: kubeContextNames(env),
        awsProfiles: awsProfileNames(env),
        sandbox: { available: true, timeScale: opts.timeScale ?? 1 },
        host: opts.host,
      };
    },

    'spec:validate': async ({ text, fileName }) => {
      const r = validateSpecText(text, fileName);
      if (!r.ok) return { ok: false, issues: r.issues };
      return { ok: true, issues: [], resolved: resolvedSpecYaml(r.spec), specName: r.spec.metadata.name, testEnvironment: describeTestEnvironment(r.spec), plan: runPlanOf(r.spec) };
    },

    'spec:examples': async () => {
      if (!opts.examplesDir) return [];
      let names: string[];
      try {
        names = (await readdir(opts.examplesDir)).filter((n) => /\.ya?ml$/.test(n)).sort();
      } catch {
        return [];
      }
      const out: ExampleDto[] = [];
      for (const n of names.slice(0, 100)) {
        const path = join(opts.examplesDir, n);
        try {
          const info = await stat(path);
          if (!info.isFile() || info.size > 1_000_000) continue;
          const text = await readFile(path, 'utf8');
          // only LoadTest specs (not e.g. the CronJob manifest)
          if (!/^kind:\s*LoadTest\s*$/m.test(text)) continue;
          out.push({ name: n.replace(/\.ya?ml$/, ''), text });
        } catch {
          // unreadable example: left out
        }
      }
      return out;
    },

    'spec:open': async () => null,
    'spec:save': async () => null,

    'parity:read': async ({ text }) => {
      const spec = parseSpec(text);
      const env = await open(spec, { timeScale: timeScaleFor(spec), env: opts.env ?? process.env, logger });
      try {
        return await readParity(spec, env.substrates, AbortSignal.timeout(120_000));
      } finally {
        await env.close();
      }
    },

    'run:start': async ({ text, timeScale }) => {
      busy('a new run');
      const spec = parseSpec(text);
      starting = true;
      let env: OpenedEnvironment;
      try {
        env = await open(spec, { timeScale: timeScaleFor(spec, timeScale), env: opts.env ?? process.env, logger });
      } finally {
        starting = false;
      }
      const handle = startRun(
        spec,
        {
          clock: clockFor(spec, env, timeScaleFor(spec, timeScale)),
          substrates: env.substrates,
          locust: env.locust,
          kpi: env.kpi,
          ...(env.controllerFor ? { controllerFor: env.controllerFor } : {}),
          logger,
          dataDir: opts.dataDir,
          ...(opts.fetch ? { fetch: opts.fetch } : {}),
        },
        {
          onEvent: (event) => {
            // release the run before anyone hears it ended, so a client that starts the next run
            // on 'run-ended' is not refused as busy
            if (event.type === 'run-ended' && active?.handle.runId === event.runId) {
              recent.set(event.runId, event.status);
              active = null;
            }
            fanOut(event);
          },
          testEnvironment: describeTestEnvironment(spec),
          trigger: opts.host === 'electron' ? 'desktop' : 'serve',
        },
      );
      const done = handle.done
        .then((r) => {
          recent.set(handle.runId, r.status);
          if (recent.size > 20) recent.delete(recent.keys().next().value!);
        })
        .catch((err: unknown) => logger.error(`run ${handle.runId} crashed: ${errorMessage(err)}`))
        .finally(async () => {
          await env.close().catch((err: unknown) => logger.warn(`closing the environment failed: ${errorMessage(err)}`));
          if (active?.handle === handle) active = null;
        });
      active = { handle, env, done };
      return { runId: handle.runId, status: handle.status() };
    },

    'run:abort': async ({ runId, reason }) => {
      if (active && active.handle.runId === runId) {
        const accepted = active.handle.abort(reason ?? 'aborted by the user');
        return { accepted, status: active.handle.status() };
      }
      return { accepted: false, status: recent.get(runId) ?? null };
    },

    'run:status': async ({ runId }) => {
      if (active && (!runId || active.handle.runId === runId)) return active.handle.status();
      if (!runId) return [...recent.values()].pop() ?? null;
      const r = recent.get(runId);
      if (r) return r;
      try {
        return (await history.get(runId)).status;
      } catch {
        return null;
      }
    },

    'history:list': async ({ specName }) => history.list(specName),
    'history:get': async ({ runId }) => history.get(runId),
    'history:compare': async ({ a, b }) => history.compare(a, b),

    'recovery:list': async () => listPendingRecoveries(opts.dataDir, active ? { exclude: [active.handle.runId] } : {}),

    'recovery:restore': async ({ runId }) => {
      busy('a recovery');
      const snapshot = await readSnapshot(opts.dataDir, runId);
      if (!snapshot) throw new ConductorError('NOT_FOUND', `run ${runId} has no snapshot; nothing to restore`, { runId });
      recovering = true;
      try {
        const env = await open(snapshot.spec, { timeScale: timeScaleFor(snapshot.spec), env: opts.env ?? process.env, logger });
        try {
          const r = await recover(runId, { substrates: env.substrates, clock: clockFor(snapshot.spec, env, timeScaleFor(snapshot.spec)), logger, dataDir: opts.dataDir, onEvent: fanOut });
          return { restored: r.restoreComplete, message: r.message };
        } finally {
          await env.close();
        }
      } finally {
        recovering = false;
      }
    },

    'settings:get': async () => settings.get(),
    'settings:set': async (patch) => settings.set(patch),
  };

  return {
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      const a = active;
      if (a) {
        a.handle.abort('the conductor is shutting down');
        await a.done;
      }
      await sandboxHost.close();
      listeners.clear();
    },
  };
}
