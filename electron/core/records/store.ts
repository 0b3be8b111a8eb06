import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunSummary } from '../../../shared/model/run.ts';

/**
 * The conductor's durable state: one SQLite database, `<dataDir>/conductor.db` (better-sqlite3,
 * WAL, so a `conductor run` and a `conductor serve` on one data directory can both write, and a
 * kill -9 loses nothing committed). It holds the run history's index (one row per run: the
 * columns listing and filtering need, and the RunSummary as JSON), the run queue, the trigger
 * log and the schedules' marks. The JSON report in `runs/<id>/report.json` stays the export
 * format (the history imports runs found there: ./history.ts). Migrations are numbered and applied in one transaction each (PRAGMA user_version). The files
 * are the owner's (0600, in a 0700 folder).
 */

export type Store = Database.Database;

export const STORE_FILE = 'conductor.db';

/** Each entry moves the schema one version up; never edit an entry that shipped — add one. */
const MIGRATIONS: string[] = [
  // 1: history index, run queue, trigger log, schedule marks
  `
  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    spec_name TEXT NOT NULL,
    started_at TEXT NOT NULL,
    verdict TEXT,
    summary TEXT NOT NULL
  );
  CREATE INDEX runs_by_start ON runs (started_at DESC);
  CREATE INDEX runs_by_spec ON runs (spec_name, started_at DESC);
  CREATE INDEX runs_by_verdict ON runs (verdict, started_at DESC);

  CREATE TABLE queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec_name TEXT NOT NULL,
    env_key TEXT NOT NULL,
    change_key TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    trigger TEXT NOT NULL,
    overrides TEXT NOT NULL,
    enqueued_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    run_id TEXT,
    outcome TEXT
  );
  CREATE INDEX queue_by_state ON queue (state, id);
  CREATE UNIQUE INDEX queue_one_pending_change ON queue (spec_name, change_key) WHERE state IN ('queued', 'starting', 'running');

  CREATE TABLE triggers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    received_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    outcome TEXT NOT NULL,
    queued TEXT NOT NULL
  );
  CREATE INDEX triggers_by_time ON triggers (received_at DESC);

  CREATE TABLE schedule_marks (
    spec_name TEXT PRIMARY KEY,
    last_slot TEXT NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

const open = new Map<string, Store>();

/** The data directory's database, opened (and migrated) once per process. */
export function openStore(dataDir: string): Store {
  const dir = resolve(dataDir);
  const cached = open.get(dir);
  if (cached?.open) return cached;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, STORE_FILE);
  // create it as the owner's before SQLite does (its -wal and -shm files take the database's mode)
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = new Database(path, { timeout: 10_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  open.set(dir, db);
  return db;
}

/** Close every database this process opened (tests; a host shutting down). */
export function closeStores(): void {
  for (const db of open.values()) if (db.open) db.close();
  open.clear();
}

function migrate(db: Store): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the conductor database is at schema version ${current}, newer than this conductor knows (${MIGRATIONS.length}); upgrade the conductor`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** Insert or replace one run's row. */
export function upsertStatement(db: Store): (s: RunSummary) => void {
  const stmt = db.prepare('INSERT OR REPLACE INTO runs (run_id, spec_name, started_at, verdict, summary) VALUES (?, ?, ?, ?, ?)');
  return (s) => {
    stmt.run(s.runId, s.specName, s.startedAt, s.verdict, JSON.stringify(s));
  };
}
