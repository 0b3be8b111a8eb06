import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConductorHandlers, ExampleDto } from '../../../shared/contract/index.ts';
import { ConductorError, SpecError, errorMessage } from '../../../shared/model/errors.ts';
import type { RunEvent, RunStatus } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { describeTestEnvironment, resolvedSpecYaml, validateSpecText } from '../../../shared/spec/validate.ts';
import { runPlanOf } from '../../../shared/spec/run-plan.ts';
import { consoleLogger, type Logger } from '../../base/logger.ts';
import { RunHistory } from '../records/history.ts';
import { readParity } from '../rules/parity.ts';
import { listPendingRecoveries } from '../run/journal.ts';
import { awsProfileNames, kubeContextNames } from './env-list.ts';
import { openEnvironment, type OpenEnvironment, type SandboxAddresses } from './environment.ts';
import { launchRun, type LaunchDeps, type LaunchedRun } from './launch-run.ts';
import { recoverRun } from './recover-run.ts';
import type { ConductorService, ConductorServiceOptions } from './service-types.ts';
import { createFileSettingsStore, type SettingsStore } from './settings-store.ts';

/**
 * The conductor service behind both transports (IPC and HTTP): runs started through the core's
 * one launcher (launchRun: identity check and the test environment's lock included) and
 * recoveries through its one policy (recoverRun), events fanned out to every subscriber, history
 * from the data directory. One run or recovery at a time in this server: the decision to start one
 * is taken synchronously, so two requests at the same instant cannot both pass it.
 */

/** One sandbox shared by every run of a long-lived host (electron/sandbox SandboxHost), injected by the host. */
export interface SharedSandbox {
  get(): Promise<SandboxAddresses>;
  close(): Promise<void>;
}

export interface CreateServiceOptions extends ConductorServiceOptions {
  openEnvironment?: OpenEnvironment;
  /** the embedded sandbox for sandbox specs (default: none — sandbox specs are refused); closed with the service */
  sandbox?: SharedSandbox;
  logger?: Logger;
  fetch?: typeof fetch;
  /** settings:get / settings:set; default a settings.json in dataDir (electron/core/settings-store.ts) */
  settings?: SettingsStore;
  /** lock timings, owner and liveness probe (tests) */
  launch?: Pick<LaunchDeps, 'owner' | 'lock'> & { isAlive?: (pid: number, host: string) => boolean };
}

/**
 * The default: electron/core/environment.ts, with one sandbox shared by every run of this host
 * (so parity before, during and after runs describes the same simulated environment; its time
 * scale is the host's).
 */
export function sharedSandboxOpener(host: SharedSandbox | undefined, fetchImpl?: typeof fetch): OpenEnvironment {
  return async (spec, o) => openEnvironment(spec, { ...o, ...(fetchImpl ? { fetch: fetchImpl } : {}), ...(spec.spec.sandbox && host ? { sandbox: await host.get() } : {}) });
}

function parseSpec(text: string, fileName?: string): LoadTest {
  const r = validateSpecText(text, fileName);
  if (!r.ok) throw new SpecError(r.issues, fileName);
  return r.spec;
}

export function createConductorService(opts: CreateServiceOptions): ConductorService {
  const logger = opts.logger ?? consoleLogger();
  const open = opts.openEnvironment ?? sharedSandboxOpener(opts.sandbox, opts.fetch);
  const history = new RunHistory(opts.dataDir);
  const settings = opts.settings ?? createFileSettingsStore(opts.dataDir);
  const listeners = new Set<(e: RunEvent) => void>();
  const launchDeps: LaunchDeps & { isAlive?: (pid: number, host: string) => boolean } = {
    dataDir: opts.dataDir,
    logger,
    open,
    env: opts.env ?? process.env,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.launch ?? {}),
  };
  let active: { handle: LaunchedRun; done: Promise<void> } | null = null;
  /** what this server is doing besides an active run: starting one, or recovering one */
  let busyWith: 'starting' | 'recovering' | null = null;
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

  /** take the server for a start or a recovery — synchronously, so a second request at the same instant is refused */
  const claim = (what: string, as: 'starting' | 'recovering') => {
    if (active) throw new ConductorError('CONFLICT', `a run is in progress (${active.handle.runId}); ${what} waits until it ends`, { runId: active.handle.runId });
    if (busyWith === 'starting') throw new ConductorError('CONFLICT', `a run is starting; ${what} waits until it ends`);
    if (busyWith === 'recovering') throw new ConductorError('CONFLICT', `a recovery is in progress; ${what} waits until it ends`);
    busyWith = as;
  };

  // the host's time scale is for the embedded sandbox; any other spec runs in real time unless a client asks (launchRun refuses it for anything remote)
  const timeScaleFor = (spec: LoadTest, requested?: number) => requested ?? (spec.spec.sandbox ? (opts.timeScale ?? spec.spec.sandbox.timeScale) : 1);

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
      const spec = parseSpec(text);
      claim('a new run', 'starting');
      let handle: LaunchedRun;
      try {
        handle = await launchRun(spec, launchDeps, {
          timeScale: timeScaleFor(spec, timeScale),
          trigger: opts.host === 'electron' ? 'desktop' : 'serve',
          onEvent: (event) => {
            // release the run before anyone hears it ended, so a client that starts the next run
            // on 'run-ended' is not refused as busy
            if (event.type === 'run-ended' && active?.handle.runId === event.runId) {
              recent.set(event.runId, event.status);
              active = null;
            }
            fanOut(event);
          },
        });
      } finally {
        busyWith = null;
      }
      const done = handle.done
        .then((r) => {
          recent.set(handle.runId, r.status);
          if (recent.size > 20) recent.delete(recent.keys().next().value!);
        })
        .catch((err: unknown) => logger.error(`run ${handle.runId} crashed: ${errorMessage(err)}`))
        .finally(() => {
          if (active?.handle === handle) active = null;
        });
      active = { handle, done };
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

    'recovery:restore': async ({ runId, force }) => {
      claim('a recovery', 'recovering');
      try {
        const r = await recoverRun(runId, launchDeps, { ...(force ? { force: true } : {}), onEvent: fanOut });
        if (r.kind === 'recovered') return { restored: r.result.restoreComplete, message: r.result.message };
        return { restored: false, message: r.message };
      } finally {
        busyWith = null;
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
      await opts.sandbox?.close();
      listeners.clear();
    },
  };
}
