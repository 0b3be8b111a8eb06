import { ConductorError, errorMessage } from '../../../shared/model/errors.ts';
import type { RunEvent, RunStatus } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import type { Logger } from '../../base/logger.ts';
import { readSnapshot } from '../run/journal.ts';
import { testEnvironmentKey } from './env-key.ts';
import { launchRun, type LaunchDeps, type LaunchedRun, type LaunchOptions } from './launch-run.ts';
import { recoverRun, type RecoverDeps, type RecoverOptions, type RecoverOutcome } from './recover-run.ts';

/**
 * The runs one server (`conductor serve`, the desktop app) is running: at most one per test
 * environment (./env-key.ts), each started through the core's one launcher (launchRun) and each
 * recovery through its one policy (recoverRun). Taking an environment is synchronous, so two
 * requests at the same instant cannot both pass; a recovery holds the environment of the run it
 * recovers. When an environment comes free, `onFree` listeners hear it (the queue starts its next
 * item there).
 */

type Slot = { kind: 'starting' } | { kind: 'recovering'; runId: string } | { kind: 'run'; handle: LaunchedRun; done: Promise<void> };

export interface RunSlotsDeps {
  launch: LaunchDeps & RecoverDeps;
  logger: Logger;
  /** every event of every run and recovery, in order */
  onEvent: (event: RunEvent) => void;
}

export class RunSlots {
  private readonly slots = new Map<string, Slot>();
  private readonly recent = new Map<string, RunStatus>();
  private readonly freeListeners = new Set<(envKey: string) => void>();
  /** run ids, in the order they started (the latest is "the" run of a one-run client) */
  private readonly order: string[] = [];
  /** a recovery holds the whole server until it knows its environment and ends (recoveries are rare; a decision is synchronous) */
  private recovering: string | null = null;

  constructor(private readonly deps: RunSlotsDeps) {}

  /** is a run, a start or a recovery holding this environment? */
  busy(envKey: string): boolean {
    return this.recovering !== null || this.slots.has(envKey);
  }

  onFree(listener: (envKey: string) => void): () => void {
    this.freeListeners.add(listener);
    return () => this.freeListeners.delete(listener);
  }

  /** take an environment — synchronously, so a second request at the same instant is refused */
  private claim(envKey: string, what: string, slot: Slot): void {
    if (this.recovering !== null && slot.kind !== 'recovering') throw new ConductorError('CONFLICT', `a recovery is in progress (${this.recovering}); ${what} waits until it ends`);
    const cur = this.slots.get(envKey);
    if (cur?.kind === 'run') throw new ConductorError('CONFLICT', `a run is in progress on this test environment (${cur.handle.runId}); ${what} waits until it ends`, { runId: cur.handle.runId, testEnvironment: envKey });
    if (cur?.kind === 'starting') throw new ConductorError('CONFLICT', `a run is starting on this test environment; ${what} waits until it ends`, { testEnvironment: envKey });
    if (cur?.kind === 'recovering') throw new ConductorError('CONFLICT', `a recovery is in progress on this test environment (${cur.runId}); ${what} waits until it ends`, { testEnvironment: envKey });
    this.slots.set(envKey, slot);
  }

  private free(envKey: string, slot: Slot): void {
    if (this.slots.get(envKey) !== slot) return;
    this.slots.delete(envKey);
    for (const l of this.freeListeners) {
      try {
        l(envKey);
      } catch (err) {
        this.deps.logger.warn(`a listener for a free test environment failed: ${errorMessage(err)}`);
      }
    }
  }

  /** start a run on its environment; refused (CONFLICT) while the environment is taken in this server */
  async start(spec: LoadTest, opts: Omit<LaunchOptions, 'onEvent'> & { onEvent?: (e: RunEvent) => void } = {}): Promise<LaunchedRun> {
    const envKey = testEnvironmentKey(spec);
    const starting: Slot = { kind: 'starting' };
    this.claim(envKey, 'a new run', starting);
    let handle: LaunchedRun;
    let slot: Slot | null = null;
    try {
      handle = await launchRun(spec, this.deps.launch, {
        ...opts,
        onEvent: (event) => {
          // free the environment before anyone hears the run ended, so a client that starts the next
          // run on 'run-ended' is not refused as busy
          if (event.type === 'run-ended') {
            this.remember(event.runId, event.status);
            if (slot) this.free(envKey, slot);
          }
          opts.onEvent?.(event);
          this.deps.onEvent(event);
        },
      });
    } catch (err) {
      this.free(envKey, starting);
      throw err;
    }
    const run: Slot = {
      kind: 'run',
      handle,
      done: handle.done
        .then((r) => this.remember(handle.runId, r.status))
        .catch((err: unknown) => this.deps.logger.error(`run ${handle.runId} crashed: ${errorMessage(err)}`))
        .finally(() => this.free(envKey, run)),
    };
    slot = run;
    if (this.slots.get(envKey) === starting) this.slots.set(envKey, run);
    this.order.push(handle.runId);
    if (this.order.length > 100) this.order.shift();
    return handle;
  }

  /** recover a dead run (recoverRun), holding its environment meanwhile */
  async recover(runId: string, opts: Omit<RecoverOptions, 'onEvent'> = {}): Promise<RecoverOutcome> {
    if (this.get(runId)) throw new ConductorError('CONFLICT', `run ${runId} is running in this conductor; abort it instead (it restores the test environment itself)`, { runId });
    if (this.recovering !== null) throw new ConductorError('CONFLICT', `a recovery is in progress (${this.recovering}); a recovery waits until it ends`);
    this.recovering = runId;
    let envKey: string | null = null;
    const slot: Slot = { kind: 'recovering', runId };
    try {
      const snapshot = await readSnapshot(this.deps.launch.dataDir, runId).catch(() => null);
      envKey = snapshot ? testEnvironmentKey(snapshot.spec) : `run ${runId}`;
      this.claim(envKey, 'a recovery', slot);
      return await recoverRun(runId, this.deps.launch, { ...opts, onEvent: this.deps.onEvent });
    } catch (err) {
      if (envKey !== null && this.slots.get(envKey) !== slot) envKey = null; // the claim itself was refused
      throw err;
    } finally {
      this.recovering = null;
      if (envKey !== null) this.free(envKey, slot);
      else for (const l of this.freeListeners) l('');
    }
  }

  private remember(runId: string, status: RunStatus): void {
    this.recent.set(runId, status);
    if (this.recent.size > 20) this.recent.delete(this.recent.keys().next().value!);
  }

  private handles(): LaunchedRun[] {
    return [...this.slots.values()].flatMap((s) => (s.kind === 'run' ? [s.handle] : []));
  }

  /** the running run with this id */
  get(runId: string): LaunchedRun | undefined {
    return this.handles().find((h) => h.runId === runId);
  }

  /** the most recently started run still running */
  latest(): LaunchedRun | undefined {
    const running = new Map(this.handles().map((h) => [h.runId, h]));
    for (let i = this.order.length - 1; i >= 0; i--) {
      const h = running.get(this.order[i]!);
      if (h) return h;
    }
    return undefined;
  }

  activeRunIds(): string[] {
    return this.handles().map((h) => h.runId);
  }

  /** a finished run's last status this server saw (id given), or the latest one */
  finished(runId?: string): RunStatus | undefined {
    return runId ? this.recent.get(runId) : [...this.recent.values()].pop();
  }

  /** abort every running run and wait for each to restore */
  async closeAll(reason: string): Promise<void> {
    const runs = [...this.slots.values()].flatMap((s) => (s.kind === 'run' ? [s] : []));
    for (const r of runs) r.handle.abort(reason);
    await Promise.all(runs.map((r) => r.done));
  }
}
