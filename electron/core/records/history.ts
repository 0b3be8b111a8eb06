import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunComparisonDto } from '../../../shared/contract/index.ts';
import { ConductorError } from '../../../shared/model/errors.ts';
import type { RunReport, RunSummary } from '../../../shared/model/run.ts';
import { writeFileAtomic } from '../../base/fs-atomic.ts';
import { runDir, runsDir } from './run-files.ts';

/**
 * Run history in `<dataDir>/runs/<runId>/`: `report.json` (the full RunReport) and
 * `summary.json` (a RunSummary, for fast listing), both written atomically. Saving a run
 * compares it with the previous run of the same spec and flags regressions.
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
    overrides: report.status.overrides ?? [],
    ...(report.status.trigger ? { trigger: report.status.trigger } : {}),
    skipped: report.status.apps.filter((a) => a.state === 'skipped' && a.phase === 'snapshot').map((a) => a.app),
    flags: report.status.flags,
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

export class RunHistory {
  constructor(readonly dataDir: string) {}

  /** store a finished run; returns its summary with regressions against the previous run of the same spec */
  async save(report: RunReport): Promise<RunSummary> {
    const candidate = summarize(report);
    const previous = isComparable(candidate) ? previousComparable(await this.list(report.specName), candidate) : undefined;
    const regression = previous ? compareRuns(previous, candidate).regressions : [];
    const summary: RunSummary = { ...candidate, regression, baselineRunId: previous?.runId ?? null };
    const stored: RunReport = { ...report, regressions: regression };
    const dir = runDir(this.dataDir, report.runId);
    await writeFileAtomic(join(dir, REPORT_FILE), JSON.stringify(stored));
    await writeFileAtomic(join(dir, SUMMARY_FILE), JSON.stringify(summary));
    return summary;
  }

  /** every stored run, newest first, optionally for one spec */
  async list(specName?: string): Promise<RunSummary[]> {
    let names: string[];
    try {
      names = await readdir(runsDir(this.dataDir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: RunSummary[] = [];
    for (const name of names.slice(0, 10_000)) {
      if (name.startsWith('.')) continue;
      try {
        const s = JSON.parse(await readFile(join(runsDir(this.dataDir), name, SUMMARY_FILE), 'utf8')) as RunSummary;
        if (!specName || s.specName === specName) out.push(s);
      } catch {
        // a run without a summary (in progress, crashed) is not history yet
      }
    }
    return out.sort((x, y) => y.startedAt.localeCompare(x.startedAt));
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
    try {
      await this.summary(runId);
      return true;
    } catch (err) {
      if (err instanceof ConductorError && err.code === 'NOT_FOUND') return false;
      throw err;
    }
  }

  async summary(runId: string): Promise<RunSummary> {
    try {
      return JSON.parse(await readFile(join(runDir(this.dataDir, runId), SUMMARY_FILE), 'utf8')) as RunSummary;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConductorError('NOT_FOUND', `no run ${runId} in the history`, { runId });
      throw err;
    }
  }

  async compare(aId: string, bId: string): Promise<RunComparisonDto> {
    const [a, b] = await Promise.all([this.summary(aId), this.summary(bId)]);
    return compareRuns(a, b);
  }
}
