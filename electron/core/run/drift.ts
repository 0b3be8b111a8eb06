import type { AppState } from '../../../shared/model/app-state.ts';
import type { RunContext } from './run-context.ts';
import type { Snapshotted } from './phases/snapshot.ts';
import { readSide } from './phases/common.ts';
import { errorMessage } from '../../../shared/model/errors.ts';

/**
 * The production drift guard: a production deploy that lands mid-run (an image changes in
 * production) is flagged in the run's status and report; with spec.guards.productionDrift =
 * 'abort' it aborts the run. Uses KubernetesReader.watchTemplates when the adapter has it,
 * and otherwise re-reads production (in bulk) every control interval via `poll`.
 */
export class DriftWatch {
  private readonly baseline = new Map<string, Map<string, string>>();
  private readonly reported = new Set<string>();
  private stopWatch: (() => void) | null = null;
  private watching = false;
  private polledOnce = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly s: Snapshotted,
  ) {
    for (const u of s.active) {
      const state = s.production.get(u.name);
      if (state) this.baseline.set(u.name, imagesOf(state));
    }
  }

  start(): void {
    const reader = this.ctx.deps.substrates.production.kubernetes;
    const refs = this.s.active.filter((u) => u.k8s && this.baseline.has(u.name)).map((u) => u.k8s!);
    if (reader?.watchTemplates && refs.length) {
      try {
        this.stopWatch = reader.watchTemplates(refs, (app, state) => this.check(app, state));
        this.watching = true;
      } catch (err) {
        this.ctx.log('warn', `watching production failed, polling instead: ${errorMessage(err)}`);
      }
    }
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = null;
  }

  /** re-read production (apps not covered by a watch); read errors are logged, never fatal */
  async poll(signal: AbortSignal): Promise<void> {
    if (!this.baseline.size) return;
    // the first poll covers everything (a change between snapshot and the watch's start); then the watch covers Kubernetes
    const all = !this.polledOnce;
    this.polledOnce = true;
    const units = this.s.active.filter((u) => this.baseline.has(u.name) && (all || !(this.watching && u.substrate === 'kubernetes')));
    if (!units.length) return;
    try {
      const now = await readSide(this.ctx.deps.substrates, 'production', units, signal);
      for (const [app, state] of now) if (state) this.check(app, state);
    } catch (err) {
      if (signal.aborted) return;
      this.ctx.log('warn', `re-reading production for drift failed: ${errorMessage(err)}`);
    }
  }

  check(app: string, state: AppState): void {
    const before = this.baseline.get(app);
    if (!before) return;
    for (const [container, image] of imagesOf(state)) {
      const was = before.get(container);
      if (was === undefined || was === image) continue;
      const key = `${app}/${container}/${image}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      const message = `production drift: ${app} container ${container} changed from ${was} to ${image} mid-run`;
      this.ctx.flag(message);
      const abort = this.ctx.spec.spec.guards.productionDrift === 'abort';
      this.ctx.addGuard({ guard: 'productionDrift', state: abort ? 'breached' : 'breaching', value: image, limit: was, message, t: this.ctx.elapsed() });
      if (abort) this.ctx.abort(message, 'guard');
    }
  }
}

function imagesOf(state: AppState): Map<string, string> {
  return new Map(state.containers.map((c) => [c.name, c.image]));
}
