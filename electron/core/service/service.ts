import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConductorHandlers, ExampleDto } from '../../../shared/contract/index.ts';
import { SpecError, errorMessage } from '../../../shared/model/errors.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { SPEC_LIMITS, describeTestEnvironment, resolvedSpecYaml } from '../../../shared/spec/validate.ts';
import { readBoundedText } from '../../base/bounded-file.ts';
import { runPlanOf } from '../../../shared/spec/run-plan.ts';
import { consoleLogger, type Logger } from '../../base/logger.ts';
import { RunHistory } from '../records/history.ts';
import { openStore } from '../records/store.ts';
import { readParity } from '../rules/parity.ts';
import { listPendingRecoveries } from '../run/journal.ts';
import { awsProfileNames, kubeContextNames } from './env-list.ts';
import { openEnvironment, type OpenEnvironment, type SandboxAddresses } from './environment.ts';
import { TriggerIntake } from './events/intake.ts';
import { TriggerLog } from './events/trigger-log.ts';
import type { LaunchDeps } from './launch-run.ts';
import { RunQueue } from './run-queue.ts';
import { RunSlots } from './run-slots.ts';
import { Scheduler } from './scheduler.ts';
import type { ConductorService, ConductorServiceOptions } from './service-types.ts';
import { EMPTY_CATALOG } from './spec-catalog.ts';
import { createFileSettingsStore, type SettingsStore } from './settings-store.ts';
import { validateSpec } from './spec-loader.ts';

/**
 * The conductor service behind both transports (IPC and HTTP): runs started through the core's
 * one launcher (launchRun: identity check and the test environment's lock included) and
 * recoveries through its one policy (recoverRun) — one at a time per test environment, decided
 * synchronously (./run-slots.ts) — events fanned out to every subscriber, history from the data
 * directory. With a catalog of specs (`serve --specs DIR`): the run queue, change events
 * (./events/intake.ts) and schedules (./scheduler.ts).
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
  /** settings:get / settings:set; default a settings.json in dataDir (settings-store.ts) */
  settings?: SettingsStore;
  /** lock timings, owner and liveness probe (tests) */
  launch?: Pick<LaunchDeps, 'owner' | 'lock'> & { isAlive?: (pid: number, host: string) => boolean };
}

/**
 * The default: environment.ts, with one sandbox shared by every run of this host
 * (so parity before, during and after runs describes the same simulated environment; its time
 * scale is the host's).
 */
export function sharedSandboxOpener(host: SharedSandbox | undefined, fetchImpl?: typeof fetch): OpenEnvironment {
  return async (spec, o) => openEnvironment(spec, { ...o, ...(fetchImpl ? { fetch: fetchImpl } : {}), ...(spec.spec.sandbox && host ? { sandbox: await host.get() } : {}) });
}

async function parseSpec(text: string, fileName?: string): Promise<LoadTest> {
  const r = await validateSpec(text);
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
  const fanOut = (event: RunEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        logger.warn(`event subscriber failed: ${errorMessage(err)}`);
      }
    }
  };

  const slots = new RunSlots({ launch: launchDeps, logger, onEvent: fanOut });

  // the host's time scale is for the embedded sandbox; any other spec runs in real time unless a client asks (launchRun refuses it for anything remote)
  const timeScaleFor = (spec: LoadTest, requested?: number) => requested ?? (spec.spec.sandbox ? (opts.timeScale ?? spec.spec.sandbox.timeScale) : 1);

  // the queue, change events and schedules over the catalog of stored specs
  const catalog = opts.catalog ?? EMPTY_CATALOG;
  const specs = () => catalog.specs;
  const db = openStore(opts.dataDir);
  const link = opts.publicUrl
    ? (runId: string) => {
        const base = opts.publicUrl?.();
        return base ? `${base.replace(/\/+$/, '')}/#/runs/${encodeURIComponent(runId)}` : `#/runs/${encodeURIComponent(runId)}`;
      }
    : undefined;
  // queued runs use the host's time scale for every spec (launchRun refuses a scaled clock for anything not on this machine)
  const queue = new RunQueue({ db, slots, dataDir: opts.dataDir, specs, logger, timeScaleFor: (spec) => opts.timeScale ?? spec.spec.sandbox?.timeScale ?? 1, ...(link ? { link } : {}) });
  const triggerLog = new TriggerLog(db);
  const intake = new TriggerIntake({ queue, log: triggerLog, specs: () => catalog.specs.values(), logger, env: opts.env ?? process.env, ...(opts.events ?? {}) });
  const scheduler = new Scheduler({ db, queue, specs: () => catalog.specs.values(), logger });
  // existing history is imported into the store, the run that was running when the server died is recovered, then the queue and the schedules go on
  const resumed = history
    .list(undefined, { limit: 1 })
    .then(() => queue.resume())
    .then(() => scheduler.start())
    .catch((err: unknown) => logger.error(`resuming the queue failed: ${errorMessage(err)}`));

  const handlers: ConductorHandlers = {
    'env:list': async () => {
      const env = opts.env ?? process.env;
      return {
        kubeContexts: await kubeContextNames(env),
        awsProfiles: await awsProfileNames(env),
        sandbox: { available: true, timeScale: opts.timeScale ?? 1 },
        host: opts.host,
      };
    },

    'spec:validate': async ({ text }) => {
      const r = await validateSpec(text);
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
          const text = await readBoundedText(path, { maxBytes: SPEC_LIMITS.maxBytes, what: 'an example spec' });
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
      const spec = await parseSpec(text);
      const env = await open(spec, { timeScale: timeScaleFor(spec), env: opts.env ?? process.env, logger });
      try {
        return await readParity(spec, env.substrates, AbortSignal.timeout(120_000));
      } finally {
        await env.close();
      }
    },

    'run:start': async ({ text, timeScale }) => {
      const spec = await parseSpec(text);
      const handle = await slots.start(spec, {
        timeScale: timeScaleFor(spec, timeScale),
        trigger: { source: 'manual', summary: opts.host === 'electron' ? 'started in the desktop app' : 'started from the cockpit or the API of conductor serve' },
        ...(link ? { link } : {}),
      });
      return { runId: handle.runId, status: handle.status() };
    },

    'run:abort': async ({ runId, reason }) => {
      const handle = slots.get(runId);
      if (handle) {
        const accepted = handle.abort(reason ?? 'aborted by the user');
        return { accepted, status: handle.status() };
      }
      return { accepted: false, status: slots.finished(runId) ?? null };
    },

    'run:status': async ({ runId }) => {
      const handle = runId ? slots.get(runId) : slots.latest();
      if (handle) return handle.status();
      if (!runId) return slots.finished() ?? null;
      const r = slots.finished(runId);
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

    'recovery:list': async () => listPendingRecoveries(opts.dataDir, { exclude: slots.activeRunIds() }),

    'recovery:restore': async ({ runId, force }) => {
      const r = await slots.recover(runId, force ? { force: true } : {});
      if (r.kind === 'recovered') return { restored: r.result.restoreComplete, message: r.result.message };
      return { restored: false, message: r.message };
    },

    'settings:get': async () => settings.get(),
    'settings:set': async (patch) => settings.set(patch),

    'queue:list': async () => ({ items: queue.list(), triggers: triggerLog.list(), schedules: scheduler.list(), specs: [...catalog.specs.keys()].sort() }),
    'queue:cancel': async ({ id }) => queue.cancel(id),
  };

  return {
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    triggers: intake,
    resumed,
    async close() {
      scheduler.stop();
      queue.close();
      await slots.closeAll('the conductor is shutting down');
      await opts.sandbox?.close();
      listeners.clear();
    },
  };
}
