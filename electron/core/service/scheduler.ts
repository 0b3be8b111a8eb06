import type { ScheduleDto } from '../../../shared/contract/queue.ts';
import { errorMessage } from '../../../shared/model/errors.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { nextSlot, previousSlot } from '../../../shared/spec/schedule.ts';
import type { Logger } from '../../base/logger.ts';
import type { Store } from '../records/store.ts';
import type { RunQueue } from './run-queue.ts';

/**
 * Schedules inside `conductor serve` (spec.schedule: cron in a time zone), so a hosted conductor
 * needs no CronJob. Each slot queues the spec once (a slot that comes while the previous scheduled
 * run is still queued or running adds nothing). The last slot handled is kept per spec in the
 * database: a server that was down over one or more slots queues the spec once on start — not
 * once per missed slot. A spec seen for the first time starts from now (its past slots are not
 * "missed").
 */

export interface SchedulerDeps {
  db: Store;
  queue: Pick<RunQueue, 'enqueue'>;
  specs: () => Iterable<LoadTest>;
  logger: Logger;
  now?: () => Date;
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const defaultTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return { cancel: () => clearTimeout(t) };
};

export class Scheduler {
  private readonly timers = new Map<string, { cancel(): void }>();
  private readonly now: () => Date;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private scheduled(): LoadTest[] {
    return [...this.deps.specs()].filter((s) => s.spec.schedule);
  }

  private mark(specName: string): string | null {
    return (this.deps.db.prepare('SELECT last_slot FROM schedule_marks WHERE spec_name = ?').pluck().get(specName) as string | undefined) ?? null;
  }

  private setMark(specName: string, slot: Date): void {
    this.deps.db.prepare('INSERT INTO schedule_marks (spec_name, last_slot) VALUES (?, ?) ON CONFLICT (spec_name) DO UPDATE SET last_slot = excluded.last_slot').run(specName, slot.toISOString());
  }

  /** queue what was missed while the server was down (once per spec), then arm a timer per spec */
  start(): void {
    for (const spec of this.scheduled()) {
      const { cron, timeZone } = spec.spec.schedule!;
      const name = spec.metadata.name;
      const last = this.mark(name);
      const latest = previousSlot(cron, timeZone, this.now());
      if (last === null) this.setMark(name, latest ?? this.now());
      else if (latest && latest.getTime() > Date.parse(last)) {
        this.fire(spec, latest, `missed while the server was down (last slot ${latest.toISOString()})`);
      }
      this.arm(spec);
    }
  }

  /** a timer for the first slot after now (and after `done`, the slot just handled: a timer may fire a little early) */
  private arm(spec: LoadTest, done?: Date): void {
    if (this.stopped) return;
    const { cron, timeZone } = spec.spec.schedule!;
    const from = done && done.getTime() > this.now().getTime() ? done : this.now();
    const next = nextSlot(cron, timeZone, from);
    if (!next) return;
    const ms = Math.max(0, next.getTime() - this.now().getTime());
    const timer = (this.deps.setTimer ?? defaultTimer)(() => {
      if (ms > MAX_TIMER_MS) return this.arm(spec); // far away: look again later
      this.fire(spec, next, null);
      this.arm(spec, next);
    }, Math.min(ms, MAX_TIMER_MS));
    this.timers.set(spec.metadata.name, timer);
  }

  private fire(spec: LoadTest, slot: Date, note: string | null): void {
    const { cron, timeZone } = spec.spec.schedule!;
    this.setMark(spec.metadata.name, slot);
    try {
      const { queued } = this.deps.queue.enqueue({
        spec,
        // one scheduled run pending per spec: a slot that comes while one waits or runs adds nothing
        changeKey: 'schedule',
        reason: `schedule "${cron}" (${timeZone})${note ? `: ${note}` : ''}`,
        trigger: { source: 'schedule', summary: `schedule "${cron}" (${timeZone}), slot ${slot.toISOString()}${note ? ` — ${note}` : ''}` },
      });
      this.deps.logger.info(`schedule of ${spec.metadata.name}: slot ${slot.toISOString()} ${queued ? 'queued a run' : 'skipped (its previous scheduled run is still queued or running)'}`);
    } catch (err) {
      this.deps.logger.error(`schedule of ${spec.metadata.name}: queueing failed: ${errorMessage(err)}`);
    }
  }

  list(): ScheduleDto[] {
    return this.scheduled().map((s) => {
      const { cron, timeZone } = s.spec.schedule!;
      const next = nextSlot(cron, timeZone, this.now());
      return { specName: s.metadata.name, cron, timeZone, nextRun: next ? next.toISOString() : null, lastSlot: this.mark(s.metadata.name) };
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
