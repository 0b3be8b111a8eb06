import type { QueueItemDto, QueueItemState, TriggerInfo } from '../../../shared/contract/queue.ts';
import { ConductorError, errorMessage } from '../../../shared/model/errors.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import type { Logger } from '../../base/logger.ts';
import { RunHistory } from '../records/history.ts';
import type { Store } from '../records/store.ts';
import { newRunId } from '../run/conductor.ts';
import { readJournal, summarizeJournal } from '../run/journal.ts';
import { testEnvironmentKey } from './env-key.ts';
import { withOverrides } from './events/select.ts';
import type { RunSlots } from './run-slots.ts';

/**
 * The run queue of a server: runs asked for by change events, schedules (and nothing else), one
 * at a time per test environment, in the order they were asked for; the same spec for the same
 * change is queued once (a unique index over the pending items). Kept in the data directory's
 * database, so it survives a restart and kill -9: on start, the item that was running is
 * recovered through the core's recovery policy (its lock taken over from the dead run on this
 * host) and marked recovered, then the queued items run. An item starts through RunSlots (the
 * core's launchRun), waiting for the test environment's lock when another conductor holds it.
 */

export interface EnqueueRequest {
  spec: LoadTest;
  changeKey: string;
  reason: string;
  trigger: TriggerInfo;
  /** app → image (feature-branch mode) */
  overrides?: Record<string, string>;
}

export interface RunQueueDeps {
  db: Store;
  slots: RunSlots;
  dataDir: string;
  /** the specs the queue may run, by name (the catalog of `serve --specs`) */
  specs: () => ReadonlyMap<string, LoadTest>;
  logger: Logger;
  /** the time scale a queued run of this spec uses */
  timeScaleFor: (spec: LoadTest) => number;
  /** the run's address in the cockpit, for the owning team's messages */
  link?: (runId: string) => string;
  now?: () => Date;
}

interface Row {
  id: number;
  spec_name: string;
  env_key: string;
  change_key: string;
  state: QueueItemState;
  reason: string;
  trigger: string;
  overrides: string;
  enqueued_at: string;
  started_at: string | null;
  ended_at: string | null;
  run_id: string | null;
  outcome: string | null;
}

/** finished items kept for the list */
const KEEP_FINISHED = 200;

function toDto(r: Row): QueueItemDto {
  return {
    id: r.id,
    specName: r.spec_name,
    testEnvironment: r.env_key,
    state: r.state,
    reason: r.reason,
    trigger: JSON.parse(r.trigger) as TriggerInfo,
    overrides: JSON.parse(r.overrides) as Record<string, string>,
    enqueuedAt: r.enqueued_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    runId: r.run_id,
    outcome: r.outcome,
  };
}

export class RunQueue {
  private readonly waiting = new Map<number, AbortController>();
  private resuming = false;
  private closed = false;
  private readonly now: () => Date;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: RunQueueDeps) {
    this.now = deps.now ?? (() => new Date());
    this.unsubscribe = deps.slots.onFree(() => this.pump());
  }

  private row(id: number): Row | undefined {
    return this.deps.db.prepare('SELECT * FROM queue WHERE id = ?').get(id) as Row | undefined;
  }

  private set(id: number, fields: Partial<Pick<Row, 'state' | 'started_at' | 'ended_at' | 'run_id' | 'outcome'>>, onlyIf?: QueueItemState[]): boolean {
    const keys = Object.keys(fields) as (keyof typeof fields)[];
    const sql = `UPDATE queue SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id${onlyIf ? ` AND state IN (${onlyIf.map((s) => `'${s}'`).join(', ')})` : ''}`;
    return this.deps.db.prepare(sql).run({ ...fields, id }).changes > 0;
  }

  /** queue a run; `queued: false` when the same spec for the same change is already queued or running */
  enqueue(r: EnqueueRequest): { item: QueueItemDto; queued: boolean } {
    const db = this.deps.db;
    const insert = db.prepare(
      `INSERT INTO queue (spec_name, env_key, change_key, state, reason, trigger, overrides, enqueued_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const info = insert.run(r.spec.metadata.name, testEnvironmentKey(r.spec), r.changeKey, r.reason, JSON.stringify(r.trigger), JSON.stringify(r.overrides ?? {}), this.now().toISOString());
    if (info.changes === 0) {
      const existing = db.prepare(`SELECT * FROM queue WHERE spec_name = ? AND change_key = ? AND state IN ('queued', 'starting', 'running')`).get(r.spec.metadata.name, r.changeKey) as Row;
      return { item: toDto(existing), queued: false };
    }
    const item = toDto(this.row(Number(info.lastInsertRowid))!);
    this.pump();
    return { item, queued: true };
  }

  /** pending items oldest first, then the latest finished ones */
  list(): QueueItemDto[] {
    const pending = this.deps.db.prepare(`SELECT * FROM queue WHERE state IN ('queued', 'starting', 'running') ORDER BY id`).all() as Row[];
    const finished = this.deps.db.prepare(`SELECT * FROM queue WHERE state NOT IN ('queued', 'starting', 'running') ORDER BY id DESC LIMIT ${KEEP_FINISHED}`).all() as Row[];
    return [...pending, ...finished].map(toDto);
  }

  /** cancel a queued item (or one waiting for its test environment's lock); a running run is aborted with run:abort */
  cancel(id: number): { cancelled: boolean; message: string; item: QueueItemDto | null } {
    const row = this.row(id);
    if (!row) throw new ConductorError('NOT_FOUND', `no queue item ${id}`, { id });
    if (row.state === 'queued') {
      this.set(id, { state: 'cancelled', ended_at: this.now().toISOString(), outcome: 'cancelled before it started' }, ['queued']);
      return { cancelled: true, message: `queue item ${id} (${row.spec_name}) cancelled`, item: toDto(this.row(id)!) };
    }
    const waiting = this.waiting.get(id);
    if (row.state === 'starting' && waiting) {
      waiting.abort('cancelled while waiting for the test environment');
      return { cancelled: true, message: `queue item ${id} (${row.spec_name}) cancelled while it waited for the test environment`, item: toDto(row) };
    }
    const message = row.state === 'running' || row.state === 'starting' ? `queue item ${id} is running as run ${row.run_id}; abort the run instead (it restores the test environment)` : `queue item ${id} already ended (${row.state})`;
    return { cancelled: false, message, item: toDto(row) };
  }

  /** start the oldest queued item of every test environment that is free */
  pump(): void {
    if (this.resuming || this.closed) return;
    const queued = this.deps.db.prepare(`SELECT * FROM queue WHERE state = 'queued' ORDER BY id`).all() as Row[];
    const seen = new Set<string>();
    const starting = new Set((this.deps.db.prepare(`SELECT env_key FROM queue WHERE state IN ('starting', 'running')`).pluck().all() as string[]));
    for (const row of queued) {
      if (seen.has(row.env_key)) continue;
      seen.add(row.env_key);
      if (starting.has(row.env_key) || this.deps.slots.busy(row.env_key)) continue;
      void this.start(row);
    }
  }

  private async start(row: Row): Promise<void> {
    const spec = this.deps.specs().get(row.spec_name);
    if (!spec) {
      this.set(row.id, { state: 'failed', ended_at: this.now().toISOString(), outcome: `the spec ${row.spec_name} is no longer among the stored specs` }, ['queued']);
      this.pump();
      return;
    }
    const runId = newRunId(spec.metadata.name);
    // the run id is stored before anything is written, so a restart after kill -9 knows which run to recover
    if (!this.set(row.id, { state: 'starting', run_id: runId, started_at: this.now().toISOString() }, ['queued'])) return;
    const abort = new AbortController();
    this.waiting.set(row.id, abort);
    try {
      const handle = await this.deps.slots.start(withOverrides(spec, JSON.parse(row.overrides) as Record<string, string>), {
        runId,
        timeScale: this.deps.timeScaleFor(spec),
        wait: true,
        signal: abort.signal,
        trigger: JSON.parse(row.trigger) as TriggerInfo,
        ...(this.deps.link ? { link: this.deps.link } : {}),
        onWaiting: (holder) => this.set(row.id, { outcome: `waiting for the test environment: run ${holder.runId} (${holder.owner}) holds it since ${holder.since}` }),
      });
      this.waiting.delete(row.id);
      this.set(row.id, { state: 'running', outcome: null });
      const result = await handle.done.catch((err: unknown) => ({ error: errorMessage(err) }));
      if ('error' in result) this.set(row.id, { state: 'failed', ended_at: this.now().toISOString(), outcome: `the run crashed: ${result.error}` });
      else this.set(row.id, { state: 'done', ended_at: this.now().toISOString(), outcome: outcomeOf(result.verdict.status, result.verdict.reasons) });
    } catch (err) {
      this.waiting.delete(row.id);
      const cancelled = abort.signal.aborted;
      this.set(row.id, { state: cancelled ? 'cancelled' : 'failed', ended_at: this.now().toISOString(), outcome: cancelled ? String(abort.signal.reason) : errorMessage(err) });
      this.deps.logger.warn(`queue item ${row.id} (${row.spec_name}) ${cancelled ? 'cancelled' : `did not start: ${errorMessage(err)}`}`);
    }
    this.pump();
  }

  /**
   * After a restart: items that were starting or running when the server died. A run that ended
   * meanwhile is marked done; one that wrote to its test environment is recovered (restored,
   * cleaned up, recorded); one that never wrote is marked interrupted. Then the queue runs.
   */
  async resume(): Promise<void> {
    this.resuming = true;
    try {
      const rows = this.deps.db.prepare(`SELECT * FROM queue WHERE state IN ('starting', 'running') ORDER BY id`).all() as Row[];
      for (const row of rows) await this.resumeOne(row);
    } finally {
      this.resuming = false;
    }
    this.pump();
  }

  private async resumeOne(row: Row): Promise<void> {
    const ended = (state: QueueItemState, outcome: string) => this.set(row.id, { state, outcome, ended_at: this.now().toISOString() });
    if (!row.run_id) return void ended('interrupted', 'the server stopped before the run started');
    const journal = summarizeJournal(await readJournal(this.deps.dataDir, row.run_id).catch(() => []));
    if (journal.ended && !journal.recovered) {
      const summary = await new RunHistory(this.deps.dataDir).summary(row.run_id).catch(() => null);
      return void ended('done', outcomeOf(summary?.verdict ?? journal.ended.state, []));
    }
    if (!journal.started) return void ended('interrupted', 'the server stopped before the run changed anything; nothing to restore');
    try {
      const r = await this.deps.slots.recover(row.run_id);
      this.deps.logger.info(`queue item ${row.id}: ${r.kind === 'recovered' ? r.result.message : r.message}`);
      if (r.kind === 'recovered') ended(r.result.restoreComplete ? 'recovered' : 'failed', r.result.message);
      else ended('interrupted', r.message);
    } catch (err) {
      // e.g. no snapshot yet: the run died before its first write
      ended('interrupted', `the server stopped during the run; recovery: ${errorMessage(err)}`);
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const a of this.waiting.values()) a.abort('the conductor is shutting down');
  }
}

function outcomeOf(status: string, reasons: string[]): string {
  return reasons.length ? `${status}: ${reasons.slice(0, 3).join('; ')}` : status;
}
