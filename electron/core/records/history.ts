import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunComparisonDto } from '../../../shared/contract/index.ts';
import { ConductorError } from '../../../shared/model/errors.ts';
import type { RunReport, RunSummary } from '../../../shared/model/run.ts';
import { writeFileAtomic } from '../../base/fs-atomic.ts';
import { isRunId } from '../../../shared/model/run-id.ts';
import { runDir, runsDir } from './run-files.ts';
import { openStore, upsertStatement, type Store } from './store.ts';

/**
 * Run history: each run's `report.json` (the full RunReport, the export format) and
 * `summary.json` in `<dataDir>/runs/<runId>/`, written atomically, and its summary indexed in the
 * data directory's database (./store.ts) for listing and filtering. Saving a run compares it with
 * the previous run of the same spec and flags regressions.
 */

export const REPORT_FILE = 'report.json';
export const SUMMARY_FILE = 'summary.json';

/** Regression thresholds: plateau OPM down by more than 5 %, p99 up by more than 20 %, error rate up by more than half and by ≥ 0.5 points. */
export const REGRESSION = { opmDropPct: 5, p99RisePct: 20, errorRateRiseFactor: 1.5, errorRateRiseAbs: 0.005 };

export function summarize(report: RunReport, regression: string[] = []): RunSummary {
  const v = report.verdict;
  return {
    runId: report.runId,
    specName: report.specName,
    startedAt: report.startedAt,
    endedAt: report.endedAt,
    verdict: v.status,
    plateauOpm: v.plateauOpm,
    targetOpm: v.targetOpm,
    plateauP99Ms: v.plateauP99Ms,
    errorRate: v.errorRate,
    regression,
    // a report from an older conductor may lack what it did not record
    overrides: report.status?.overrides ?? [],
    ...(report.status?.trigger ? { trigger: report.status.trigger } : {}),
    skipped: (report.status?.apps ?? []).filter((a) => a.state === 'skipped' && a.phase === 'snapshot').map((a) => a.app),
    flags: report.status?.flags ?? [],
  };
}

const pct = (a: number | null, b: number | null) => (a === null || b === null || a === 0 ? null : ((b - a) / a) * 100);

/** Compare run b with run a (a is the earlier/baseline). */
export function compareRuns(a: RunSummary, b: RunSummary): RunComparisonDto {
  const deltas = {
    plateauOpmPct: pct(a.plateauOpm, b.plateauOpm),
    plateauP99MsPct: pct(a.plateauP99Ms, b.plateauP99Ms),
    errorRateDelta: a.errorRate === null || b.errorRate === null ? null : b.errorRate - a.errorRate,
  };
  const regressions: string[] = [];
  if (a.targetOpm === b.targetOpm || a.plateauOpm === null || b.plateauOpm === null) {
    if (deltas.plateauOpmPct !== null && deltas.plateauOpmPct < -REGRESSION.opmDropPct) {
      regressions.push(`plateau OPM ${deltas.plateauOpmPct.toFixed(1)}% vs run ${a.runId} (${Math.round(a.plateauOpm!)} → ${Math.round(b.plateauOpm!)})`);
    }
  } else {
    // different targets: compare how much of its target each run reached, not the raw OPM
    const reachedA = a.plateauOpm / a.targetOpm;
    const reachedB = b.plateauOpm / b.targetOpm;
    if (reachedA > 0 && ((reachedB - reachedA) / reachedA) * 100 < -REGRESSION.opmDropPct) {
      regressions.push(`plateau reached ${(reachedB * 100).toFixed(1)}% of its target (${Math.round(b.plateauOpm)} of ${b.targetOpm} OPM) vs ${(reachedA * 100).toFixed(1)}% in run ${a.runId} (${Math.round(a.plateauOpm)} of ${a.targetOpm})`);
    }
  }
  if (deltas.plateauP99MsPct !== null && deltas.plateauP99MsPct > REGRESSION.p99RisePct) {
    regressions.push(`plateau p99 +${deltas.plateauP99MsPct.toFixed(1)}% vs run ${a.runId} (${Math.round(a.plateauP99Ms!)} → ${Math.round(b.plateauP99Ms!)} ms)`);
  }
  if (a.errorRate !== null && b.errorRate !== null && b.errorRate > a.errorRate * REGRESSION.errorRateRiseFactor && b.errorRate - a.errorRate >= REGRESSION.errorRateRiseAbs) {
    regressions.push(`error rate ${(a.errorRate * 100).toFixed(2)}% → ${(b.errorRate * 100).toFixed(2)}% vs run ${a.runId}`);
  }
  return { a, b, deltas, regressions };
}

/** a run whose figures mean something for a comparison: it ran to a verdict on the load (not aborted, not an error) and held a plateau */
export function isComparable(s: RunSummary): boolean {
  return (s.verdict === 'passed' || s.verdict === 'failed') && s.plateauOpm !== null;
}

/** the baseline for a run: the newest earlier comparable run of the same spec (runs newest first, as `list` returns them) */
export function previousComparable(runs: RunSummary[], run: RunSummary): RunSummary | undefined {
  return runs.find((s) => s.runId !== run.runId && s.specName === run.specName && s.startedAt < run.startedAt && isComparable(s));
}

/** Which runs `list` returns (all optional; newest first). */
export interface HistoryFilter {
  verdict?: RunSummary['verdict'];
  /** ISO time: runs started at or after it */
  since?: string;
  /** ISO time: runs started before it */
  until?: string;
  /** at most this many (default: all, bounded by MAX_LISTED) */
  limit?: number;
}

/** The most runs one `list` returns. */
export const MAX_LISTED = 100_000;

const imported = new Set<string>();

export class RunHistory {
  constructor(readonly dataDir: string) {}

  /** the store, with any run whose report is on disk but not in it imported (once per process) */
  private db(): Store {
    const db = openStore(this.dataDir);
    if (!imported.has(resolve(this.dataDir))) {
      importRunFiles(db, this.dataDir);
      imported.add(resolve(this.dataDir));
    }
    return db;
  }

  /** store a finished run; returns its summary with regressions against the previous run of the same spec */
  async save(report: RunReport): Promise<RunSummary> {
    const candidate = summarize(report);
    const previous = isComparable(candidate) ? previousComparable(await this.list(report.specName), candidate) : undefined;
    const regression = previous ? compareRuns(previous, candidate).regressions : [];
    const summary: RunSummary = { ...candidate, regression, baselineRunId: previous?.runId ?? null };
    const stored: RunReport = { ...report, regressions: regression };
    const dir = runDir(this.dataDir, report.runId);
    // the report first: a save cut short leaves a report the next open imports, never a row without one
    await writeFileAtomic(join(dir, REPORT_FILE), JSON.stringify(stored));
    await writeFileAtomic(join(dir, SUMMARY_FILE), JSON.stringify(summary));
    upsertStatement(this.db())(summary);
    return summary;
  }

  /** stored runs, newest first, optionally for one spec and filtered */
  async list(specName?: string, filter: HistoryFilter = {}): Promise<RunSummary[]> {
    const conditions: [string, string | null | undefined][] = [
      ['spec_name = ?', specName],
      ['verdict = ?', filter.verdict],
      ['started_at >= ?', filter.since],
      ['started_at < ?', filter.until],
    ];
    const used = conditions.filter((c): c is [string, string] => typeof c[1] === 'string' && c[1] !== '');
    const where = used.map((c) => c[0]);
    const args = used.map((c) => c[1]);
    const limit = Math.max(0, Math.min(filter.limit ?? MAX_LISTED, MAX_LISTED));
    const sql = `SELECT summary FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, run_id DESC LIMIT ${limit}`;
    return (this.db().prepare(sql).pluck().all(...args) as string[]).map((t) => JSON.parse(t) as RunSummary);
  }

  async get(runId: string): Promise<RunReport> {
    try {
      return JSON.parse(await readFile(join(runDir(this.dataDir, runId), REPORT_FILE), 'utf8')) as RunReport;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConductorError('NOT_FOUND', `no report for run ${runId}`, { runId });
      throw err;
    }
  }

  /** is this run in the history? */
  async has(runId: string): Promise<boolean> {
    return this.db().prepare('SELECT 1 FROM runs WHERE run_id = ?').get(runId) !== undefined;
  }

  async summary(runId: string): Promise<RunSummary> {
    const text = this.db().prepare('SELECT summary FROM runs WHERE run_id = ?').pluck().get(runId) as string | undefined;
    if (text === undefined) throw new ConductorError('NOT_FOUND', `no run ${runId} in the history`, { runId });
    return JSON.parse(text) as RunSummary;
  }

  async compare(aId: string, bId: string): Promise<RunComparisonDto> {
    const [a, b] = await Promise.all([this.summary(aId), this.summary(bId)]);
    return compareRuns(a, b);
  }

  /** a run against the previous comparable run of its spec (null: the run is not comparable, or has no predecessor) */
  async deviation(runId: string): Promise<RunComparisonDto | null> {
    const run = await this.summary(runId);
    if (!isComparable(run)) return null;
    const previous = previousComparable(await this.list(run.specName, { until: run.startedAt }), run);
    return previous ? compareRuns(previous, run) : null;
  }
}

/** Bound on the run folders looked at when importing. */
const MAX_RUN_FOLDERS = MAX_LISTED;
const MAX_IMPORTED_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Runs with a report on disk and no row in the store (history from before the store, or a save
 * cut short by kill -9): imported from their summary.json, else from report.json. Cheap when
 * nothing is missing: one directory listing and a set lookup per run.
 */
function importRunFiles(db: Store, dataDir: string): void {
  let names: string[];
  try {
    names = readdirSync(runsDir(dataDir));
  } catch {
    return;
  }
  const known = new Set(db.prepare('SELECT run_id FROM runs').pluck().all() as string[]);
  const found: RunSummary[] = [];
  for (const name of names.slice(0, MAX_RUN_FOLDERS)) {
    if (known.has(name) || !isRunId(name)) continue;
    const s = readRunFiles(join(runsDir(dataDir), name));
    if (s && s.runId === name) found.push(s);
  }
  if (!found.length) return;
  const put = upsertStatement(db);
  db.transaction(() => {
    for (const s of found) put(s);
  })();
}

function readRunFiles(dir: string): RunSummary | null {
  const read = (file: string): unknown => {
    const path = join(dir, file);
    if (!existsSync(path) || statSync(path).size > MAX_IMPORTED_FILE_BYTES) return null;
    return JSON.parse(readFileSync(path, 'utf8'));
  };
  try {
    const summary = read(SUMMARY_FILE) as RunSummary | null;
    if (summary) return summary;
    const report = read(REPORT_FILE) as RunReport | null;
    return report ? summarize(report, report.regressions ?? []) : null;
  } catch {
    return null; // torn or foreign: not history
  }
}
