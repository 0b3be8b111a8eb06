import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { PendingRecoveryDto } from '../../../shared/contract/index.ts';
import type { AppState, EcsDesiredState, K8sDesiredState } from '../../../shared/model/app-state.ts';
import type { GitOpsHold } from '../../../shared/model/gitops.ts';
import { mergeWritten, type Written } from '../rules/compare-and-set.ts';
import type { PhaseName, PhaseRecord, RunState } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { appendLineDurable, writeFileAtomic } from '../../base/fs-atomic.ts';
import { runDir, runsDir } from '../records/run-files.ts';

/**
 * The run journal, in `<dataDir>/runs/<runId>/`:
 * - `snapshot.json` — the test environment's pre-test state of every in-scope app, written
 *   atomically (temp file, fsync, rename, fsync dir) BEFORE the first write;
 * - `journal.jsonl` — one line per transition and per write issued ("write-intent" before the
 *   call, "write-done"/"write-failed" after), each appended with fsync.
 * A run whose journal has write intents but no clean end is pending recovery: `recover()` puts
 * the test environment back to the snapshot.
 */

export const SNAPSHOT_FILE = 'snapshot.json';
export const JOURNAL_FILE = 'journal.jsonl';

export interface Snapshot {
  version: 1;
  runId: string;
  specName: string;
  /** the resolved spec, so a recovery needs nothing else */
  spec: LoadTest;
  startedAt: string;
  takenAt: string;
  testEnvironment: string;
  /** app name → the test side's state before the run (null: missing in test) */
  test: Record<string, AppState | null>;
}

export type WriteDesired = { substrate: 'kubernetes'; desired: K8sDesiredState } | { substrate: 'ecs'; desired: EcsDesiredState };

export type JournalEntry = { t: string } & (
  | { type: 'run-started'; runId: string; specName: string; pid: number; host: string; testEnvironment: string; startedAt: string }
  | { type: 'snapshot-written'; apps: number }
  | { type: 'phase'; phase: PhaseName; state: PhaseRecord['state']; message?: string }
  | ({ type: 'write-intent'; app: string; purpose: 'deploy' | 'scale' | 'restore' } & WriteDesired)
  | { type: 'write-done'; app: string; purpose: 'deploy' | 'scale' | 'restore'; result?: string }
  | { type: 'write-failed'; app: string; purpose: 'deploy' | 'scale' | 'restore'; message: string }
  | { type: 'note'; message: string }
  /** a GitOps controller is about to be held off (journaled before the hold is placed: it is a write) */
  | { type: 'gitops-pause'; hold: GitOpsHold }
  | { type: 'gitops-resumed'; hold: GitOpsHold; resumed: boolean; reason?: string }
  | { type: 'run-ended'; state: RunState; restoreComplete: boolean }
  | { type: 'recovered'; restoreComplete: boolean; message: string }
);

/** Distributes Omit over the union, so each entry keeps its own fields. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type JournalInput = DistributiveOmit<JournalEntry, 't'>;


export class RunJournal {
  readonly dir: string;
  private queue: Promise<void> = Promise.resolve();
  private writes = 0;
  constructor(
    readonly dataDir: string,
    readonly runId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = runDir(dataDir, runId);
  }

  /** number of write intents recorded by this journal object */
  get writeIntents(): number {
    return this.writes;
  }

  /** Append one entry durably. Entries are serialised so lines never interleave. */
  append(entry: JournalInput): Promise<void> {
    if (entry.type === 'write-intent' || entry.type === 'gitops-pause') this.writes += 1;
    const line = JSON.stringify({ t: new Date(this.now()).toISOString(), ...entry });
    const next = this.queue.then(() => appendLineDurable(join(this.dir, JOURNAL_FILE), line));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async writeSnapshot(snapshot: Snapshot): Promise<void> {
    await writeFileAtomic(join(this.dir, SNAPSHOT_FILE), JSON.stringify(snapshot, null, 2));
    await this.append({ type: 'snapshot-written', apps: Object.keys(snapshot.test).length });
  }

  /** wait until every queued append is on disk */
  flush(): Promise<void> {
    return this.queue;
  }
}

export async function readSnapshot(dataDir: string, runId: string): Promise<Snapshot | null> {
  try {
    return JSON.parse(await readFile(join(runDir(dataDir, runId), SNAPSHOT_FILE), 'utf8')) as Snapshot;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Read a journal; a torn last line (a crash mid-append) is ignored. */
export async function readJournal(dataDir: string, runId: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(join(runDir(dataDir, runId), JOURNAL_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // torn line
    }
  }
  return entries;
}

export interface JournalSummary {
  started: Extract<JournalEntry, { type: 'run-started' }> | null;
  lastPhase: PhaseName | null;
  writeIntents: number;
  ended: Extract<JournalEntry, { type: 'run-ended' }> | null;
  recovered: Extract<JournalEntry, { type: 'recovered' }> | null;
}

/** app → what a run's journal says it wrote (deploy and scale), for restore's compare-and-set. */
export function writtenByRun(entries: JournalEntry[]): Map<string, Written> {
  const out = new Map<string, Written>();
  const pending = new Map<string, Extract<JournalEntry, { type: 'write-intent' }>>();
  for (const e of entries) {
    if (e.type === 'write-intent' && e.purpose !== 'restore') {
      pending.set(e.app, e);
      out.set(e.app, mergeWritten(out.get(e.app), e.desired));
    } else if (e.type === 'write-done' && e.purpose !== 'restore' && e.result) {
      const intent = pending.get(e.app);
      if (intent) out.set(e.app, mergeWritten(out.get(e.app), intent.desired, e.result));
    }
  }
  return out;
}

/** The GitOps holds a journal placed and has not yet seen lifted, in the order they were placed. */
export function openHolds(entries: JournalEntry[]): GitOpsHold[] {
  const key = (h: GitOpsHold) => JSON.stringify(h);
  const open = new Map<string, GitOpsHold>();
  for (const e of entries) {
    if (e.type === 'gitops-pause') open.set(key(e.hold), e.hold);
    else if (e.type === 'gitops-resumed' && e.resumed) open.delete(key(e.hold));
  }
  return [...open.values()];
}

export function summarizeJournal(entries: JournalEntry[]): JournalSummary {
  const s: JournalSummary = { started: null, lastPhase: null, writeIntents: 0, ended: null, recovered: null };
  for (const e of entries) {
    if (e.type === 'run-started') s.started = e;
    else if (e.type === 'phase') s.lastPhase = e.phase;
    else if (e.type === 'write-intent' || e.type === 'gitops-pause') s.writeIntents += 1;
    else if (e.type === 'run-ended') s.ended = e;
    else if (e.type === 'recovered') s.recovered = e;
  }
  return s;
}

/** A run needs recovery when it wrote to the test environment and neither ended with a complete restore nor was recovered. */
export function needsRecovery(s: JournalSummary): boolean {
  if (s.writeIntents === 0) return false;
  if (s.recovered?.restoreComplete) return false;
  if (s.ended?.restoreComplete) return false;
  return true;
}

export interface PendingOptions {
  /** is the process that wrote this run still running it? default: another live pid on this host */
  isAlive?: (pid: number, host: string) => boolean;
  /** run ids to leave out (the run this process is conducting) */
  exclude?: Iterable<string>;
}

export function defaultIsAlive(pid: number, host: string): boolean {
  if (host !== hostname()) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs that did not finish cleanly and left the test environment changed, newest first. */
export async function listPendingRecoveries(dataDir: string, opts: PendingOptions = {}): Promise<PendingRecoveryDto[]> {
  const isAlive = opts.isAlive ?? defaultIsAlive;
  const exclude = new Set(opts.exclude ?? []);
  let names: string[];
  try {
    names = await readdir(runsDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: PendingRecoveryDto[] = [];
  for (const runId of names.slice(0, 10_000)) {
    if (exclude.has(runId) || runId.startsWith('.')) continue;
    try {
      if (!(await stat(join(runsDir(dataDir), runId))).isDirectory()) continue;
      const summary = summarizeJournal(await readJournal(dataDir, runId));
      if (!needsRecovery(summary)) continue;
      if (summary.started && !summary.ended && isAlive(summary.started.pid, summary.started.host)) continue;
      const snapshot = await readSnapshot(dataDir, runId);
      if (!snapshot) continue;
      out.push({
        runId,
        specName: snapshot.specName,
        startedAt: snapshot.startedAt,
        lastPhase: summary.lastPhase,
        testEnvironment: snapshot.testEnvironment,
      });
    } catch {
      // an unreadable run directory is not a pending run
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
