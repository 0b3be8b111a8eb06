import type { AppProgress, GuardName, ParityReport, RunStatus } from '../model/index.ts';
import type { ResolvedOverride } from '../model/override.ts';
import { fmtMs, fmtNumber } from './format.ts';

/**
 * A run on one time axis (run-clock ms since the run started), for the live chart and the HTML
 * report alike: the planned ramp and plateau as spans from the start, marks for phase changes,
 * guard breaches, the knee, production drift and the abort, and where the run stands (elapsed,
 * remaining). Also each app's running version and its state in words ("restored").
 */

export type MarkKind = 'phase' | 'breach' | 'knee' | 'drift' | 'abort';

export interface RunMark {
  t: number;
  kind: MarkKind;
  /** short, drawn on the chart: "ramp", "p99 breached", "knee" */
  label: string;
  /** the full sentence, for the list beside the chart */
  text: string;
}

export interface RunSpan {
  kind: 'ramp' | 'plateau';
  from: number;
  to: number;
}

export interface RunTimeline {
  /** when the load starts (or would start, before the ramp) */
  loadStart: number;
  /** the end of the planned plateau, null without a load plan */
  plannedEnd: number | null;
  spans: RunSpan[];
  marks: RunMark[];
  /** the latest run-clock time the status knows of */
  elapsed: number;
  /** until the planned end, while the run is going (null once it ended or without a plan) */
  remaining: number | null;
}

const GUARD_WORDS: Record<GuardName, string> = { maxErrorRate: 'error rate', maxP99Ms: 'p99', stall: 'stall', productionDrift: 'production drift' };
const ACTIVE = new Set<RunStatus['state']>(['pending', 'running', 'aborting']);
const MARKED_PHASES = new Set(['deploy', 'scale', 'ramp', 'plateau', 'restore', 'cleanup']);

/** `latestT`: a later run-clock time known from elsewhere (a live sample not yet in the status) */
export function runTimeline(status: RunStatus, latestT = 0): RunTimeline {
  const phaseTimes = status.phases.flatMap((p) => [p.startedAt, p.endedAt ?? p.startedAt]);
  const elapsed = Math.max(0, latestT, status.samples.at(-1)?.t ?? 0, ...phaseTimes, status.abort?.requestedAt ?? 0);
  const ramp = status.phases.find((p) => p.phase === 'ramp' && p.state !== 'skipped');
  const loadStart = ramp ? ramp.startedAt : elapsed;
  const plan = status.load;
  const spans: RunSpan[] = [];
  let plannedEnd: number | null = null;
  if (plan) {
    plannedEnd = loadStart + plan.rampUpMs + plan.plateauMs;
    spans.push({ kind: 'ramp', from: loadStart, to: loadStart + plan.rampUpMs }, { kind: 'plateau', from: loadStart + plan.rampUpMs, to: plannedEnd });
  }

  const marks: RunMark[] = [];
  const seen = new Set<string>();
  for (const p of status.phases) {
    if (!MARKED_PHASES.has(p.phase) || p.state === 'skipped' || seen.has(p.phase)) continue;
    seen.add(p.phase);
    marks.push({ t: p.startedAt, kind: 'phase', label: p.phase, text: `${p.phase} started` });
  }
  for (const g of status.guards) {
    if (g.guard === 'productionDrift') {
      if (g.state !== 'ok') marks.push({ t: g.t, kind: 'drift', label: 'production drift', text: `production drift: ${g.message}` });
    } else if (g.state === 'breached') {
      marks.push({ t: g.t, kind: 'breach', label: `${GUARD_WORDS[g.guard]} breached`, text: `guard breached: ${g.message}` });
    }
  }
  if (status.knee) {
    const k = status.knee;
    marks.push({ t: k.t, kind: 'knee', label: 'knee', text: `knee: ${fmtNumber(k.opm)} OPM at ${fmtNumber(k.users)} users${k.p99Ms !== null ? `, p99 ${fmtMs(k.p99Ms)}` : ''}` });
  }
  if (status.abort) marks.push({ t: status.abort.requestedAt, kind: 'abort', label: 'abort', text: `abort: ${status.abort.reason}` });
  marks.sort((a, b) => a.t - b.t);

  const going = ACTIVE.has(status.state) && !status.abort;
  return { loadStart, plannedEnd, spans, marks, elapsed, remaining: going && plannedEnd !== null ? Math.max(0, plannedEnd - elapsed) : null };
}

export interface AppVersion {
  container: string;
  image: string;
  override: boolean;
}

/**
 * What each app runs during the load, per container: its override where the run has one (resolved
 * to a container, shared/model/override.ts), else production's image (from the run's parity before).
 */
export function runningVersions(overrides: ResolvedOverride[] | undefined, parityBefore: ParityReport | null, app: string): AppVersion[] {
  const out: AppVersion[] = (overrides ?? []).filter((o) => o.app === app).map((o) => ({ container: o.container, image: o.image, override: true }));
  for (const r of parityBefore?.rows ?? []) {
    const m = r.app === app ? /^image\[(.*)\]$/.exec(r.field) : null;
    if (!m || typeof r.production !== 'string' || out.some((v) => v.container === m[1])) continue;
    out.push({ container: m[1]!, image: r.production, override: false });
  }
  return out;
}

/** an app's state in words: "restored" once restore put it back, "restoring" while it does */
export function appStateWords(a: AppProgress): string {
  if (a.phase === 'restore') return a.state === 'ready' ? 'restored' : a.state === 'rolling' ? 'restoring' : a.state === 'failed' ? 'restore failed' : a.state;
  return a.state;
}

/** "passed" — or "passed, with 1 app skipped and 2 flags" — so a pass with caveats says so */
export function verdictWords(status: Pick<RunStatus, 'verdict' | 'state' | 'apps' | 'flags'>): { status: string; caveats: string | null } {
  const v = status.verdict?.status ?? status.state;
  const skippedApps = status.apps.filter((a) => a.state === 'skipped' && a.phase === 'snapshot').map((a) => a.app);
  const skipped = skippedApps.length;
  // a skipped app is also flagged ("ledger is missing … and was skipped"): count it once
  const flags = status.flags.filter((f) => !skippedApps.some((app) => f.startsWith(`${app} is missing`))).length;
  const parts = [skipped ? `${skipped} ${skipped === 1 ? 'app' : 'apps'} skipped` : '', flags ? `${flags} ${flags === 1 ? 'flag' : 'flags'}` : ''].filter(Boolean);
  return { status: v, caveats: parts.length ? `with ${parts.join(' and ')}` : null };
}
