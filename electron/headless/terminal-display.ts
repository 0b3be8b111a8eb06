import type { RunEvent, RunStatus } from '../../shared/model/run.ts';
import { PHASES } from '../../shared/model/run.ts';
import { formatDuration } from '../../shared/spec/duration.ts';
import { printable } from '../../shared/model/text.ts';
import { describePause } from '../../shared/model/gitops.ts';

/**
 * What `conductor run` shows. On a TTY: a live panel (phase, per-app status, OPM vs target)
 * redrawn in place at a bounded rate. Otherwise: one plain log line per meaningful event
 * (phase changes, app state changes, samples, guards, abort steps, warnings, the verdict).
 * It renders the RunStatus the core emits; it holds no run logic.
 */

export interface DisplayOptions {
  out: NodeJS.WritableStream;
  tty: boolean;
  /** the live status (for the TTY panel) */
  status: () => RunStatus;
  /** minimum real ms between redraws (default 200) */
  minIntervalMs?: number;
  width?: number;
  /** at most this many panel lines (default: the terminal's rows − 1) */
  height?: number;
  color?: boolean;
}

const PHASE_MARK = { done: '✓', running: '▶', failed: '✗', skipped: '–' } as const;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function formatSampleLine(status: RunStatus): string | null {
  const s = status.samples.at(-1);
  if (!s) return null;
  return `OPM ${Math.round(s.actualOpm)} / setpoint ${Math.round(s.setpointOpm)} / target ${s.targetOpm}  users ${s.users}  spawn ${s.spawnRate.toFixed(1)}/s  errors ${pct(s.errorRate)}  p99 ${s.p99Ms === null ? '–' : Math.round(s.p99Ms) + ' ms'}`;
}

const APP_ORDER: Record<string, number> = { failed: 0, rolling: 1, pending: 2 };

/**
 * the live panel, as lines (pure: tested directly). `maxLines` (the terminal's height) bounds it:
 * a panel taller than the screen cannot be redrawn in place, so beyond it the apps are summarised
 * by state and as many as fit are listed, the ones that need attention (failed, rolling, pending) first.
 */
export function renderPanel(status: RunStatus, width = 100, maxLines = Infinity): string[] {
  const clip = (s: string) => (s.length > width ? s.slice(0, Math.max(0, width - 1)) + '…' : s);
  const lines: string[] = [];
  const last = status.samples.at(-1);
  const t = last ? ` t+${formatDuration(last.t)}` : '';
  lines.push(`conductor ▸ ${status.specName}  ${status.state}${status.phase ? ` · ${status.phase}` : ''}${t}  (run ${status.runId}${Number.isFinite(status.timeScale) && status.timeScale !== 1 ? `, ×${status.timeScale}` : ''})`);
  lines.push(
    '  ' +
      PHASES.map((p) => {
        const rec = [...status.phases].reverse().find((r) => r.phase === p);
        return `${rec ? PHASE_MARK[rec.state] : '·'} ${p}`;
      }).join('  '),
  );
  const sample = formatSampleLine(status);
  if (sample && last) {
    lines.push('  ' + sample);
    const frac = Math.max(0, Math.min(1, last.actualOpm / last.targetOpm));
    const barW = Math.max(10, Math.min(40, width - 30));
    const filled = Math.round(frac * barW);
    lines.push(`  [${'█'.repeat(filled)}${'░'.repeat(barW - filled)}] ${Math.round(frac * 100)}% of target`);
  }
  const nameW = Math.min(24, Math.max(4, ...status.apps.map((a) => a.app.length)));
  const appLine = (a: RunStatus['apps'][number]) => `  ${a.app.padEnd(nameW)}  ${a.phase.padEnd(8)} ${a.state.padEnd(8)} ${a.reason ?? a.detail ?? ''}`;
  const tail: string[] = [];
  if (status.knee) tail.push(`  knee: ${Math.round(status.knee.opm)} OPM at ${status.knee.users} users`);
  const holds = holdCounts(status);
  if (holds) tail.push(`  holds: ${holds}`);
  for (const f of status.flags.slice(-3)) tail.push(`  ! ${f}`);
  if (status.abort) tail.push(`  aborting (${status.abort.reason}): ${status.abort.step}`);
  if (status.verdict) tail.push(`  verdict: ${status.verdict.status}${status.verdict.reasons.length ? ' — ' + status.verdict.reasons.join('; ') : ''}`);
  const limit = Math.max(1, Math.floor(maxLines));
  if (lines.length + status.apps.length + tail.length <= limit) {
    lines.push(...status.apps.map(appLine));
  } else {
    const counts = new Map<string, number>();
    for (const a of status.apps) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
    const room = Math.max(0, limit - lines.length - tail.length - 1);
    // the apps that need attention first (failed, rolling, pending), then the rest in spec order
    const shown = status.apps
      .map((a, i) => ({ a, i }))
      .sort((x, y) => (APP_ORDER[x.a.state] ?? 9) - (APP_ORDER[y.a.state] ?? 9) || x.i - y.i)
      .slice(0, room)
      .map(({ a }) => a);
    lines.push(`  ${status.apps.length} apps: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}${shown.length ? ` (showing ${shown.length}, failed and rolling first)` : ''}`);
    lines.push(...shown.map(appLine));
  }
  lines.push(...tail);
  // names, reasons and messages come from the spec and the servers: shown escaped, never acted on
  return lines.slice(0, limit).map((l) => clip(printable(l)));
}

/** e.g. "2 paused, 1 left paused" for what the run held off (GitOps controllers, ECS auto scaling), or null */
export function holdCounts(status: RunStatus): string | null {
  const label = { paused: 'paused', resumed: 'resumed', 'resume-failed': 'left paused', left: 'left as they are' } as const;
  const counts = new Map<string, number>();
  for (const p of status.gitops ?? []) counts.set(label[p.state], (counts.get(label[p.state]) ?? 0) + 1);
  return counts.size ? [...counts].map(([state, n]) => `${n} ${state}`).join(', ') : null;
}

/** one plain line for an event, or null for events not worth a line */
export function formatEventLine(event: RunEvent, status: RunStatus | null): string | null {
  switch (event.type) {
    case 'run-started':
      return `run ${event.runId} started: ${event.status.specName} on ${event.status.testEnvironment}`;
    case 'phase':
      return event.state === 'running' ? `phase ${event.phase}` : `phase ${event.phase} ${event.state}`;
    case 'app-progress': {
      const p = event.progress;
      if (p.state === 'pending' || (p.state === 'rolling' && p.detail !== 'applying')) return null; // progress details only on the TTY panel
      return `  ${p.app}: ${p.phase} ${p.state}${p.reason ? ` — ${p.reason}` : p.detail ? ` (${p.detail})` : ''}`;
    }
    case 'sample': {
      const s = event.sample;
      return `  ${s.phase} t+${formatDuration(s.t)} OPM ${Math.round(s.actualOpm)} (setpoint ${Math.round(s.setpointOpm)}, target ${s.targetOpm}) users ${s.users} spawn ${s.spawnRate.toFixed(1)}/s errors ${pct(s.errorRate)} p99 ${s.p99Ms === null ? '-' : Math.round(s.p99Ms) + 'ms'}`;
    }
    case 'guard':
      return `  guard ${event.guard.guard} ${event.guard.state}: ${event.guard.message}`;
    case 'knee':
      return event.knee.byGuard
        ? `  load limited by the guards: ${Math.round(event.knee.opm)} OPM at ${event.knee.users} users${event.knee.reason ? ` (${event.knee.reason})` : ''}`
        : `  knee found: ${Math.round(event.knee.opm)} OPM at ${event.knee.users} users${event.knee.reason ? ` (${event.knee.reason})` : ''}`;
    case 'knee-withdrawn':
      return `  knee withdrawn: ${event.reason}`;
    case 'abort':
      return `abort (${event.reason}): ${event.step}`;
    case 'log':
      return event.level === 'info' ? null : `${event.level}: ${event.message}`;
    case 'overrides':
      return event.overrides.length ? `  overrides: ${event.overrides.map((o) => `${o.app}/${o.container}=${o.image}`).join(', ')}` : null;
    case 'gitops':
      return `  ${describePause(event.pause)}`;
    case 'other-writer':
      return null; // reported as a flag
    case 'flag':
      return `warn: ${event.message}`;
    case 'verdict':
      return `verdict: ${event.verdict.status}${event.verdict.reasons.length ? ' — ' + event.verdict.reasons.join('; ') : ''}`;
    case 'run-ended':
      return `run ${event.runId} ended: ${status?.state ?? event.status.state}`;
    case 'parity':
      return `  parity ${event.when}: ${event.report.summary.inParity} in parity, ${event.report.summary.drift} drift, ${event.report.summary.missing} missing, ${event.report.summary.unreachable} unreachable`;
  }
}

export class TerminalDisplay {
  private drawn = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly minInterval: number;
  private readonly log: string[] = [];

  constructor(private readonly opts: DisplayOptions) {
    this.minInterval = opts.minIntervalMs ?? 200;
  }

  onEvent = (event: RunEvent): void => {
    if (!this.opts.tty) {
      const line = formatEventLine(event, null);
      if (line !== null) this.opts.out.write(printable(line) + '\n');
      return;
    }
    // warnings, flags and the holds (paused, resumed, left) stay above the panel
    if ((event.type === 'log' && event.level !== 'info') || event.type === 'flag' || event.type === 'gitops') this.log.push(printable(formatEventLine(event, null)!));
    this.schedule();
  };

  /** a line printed above the panel (TTY) or as is */
  message(text: string): void {
    if (!this.opts.tty) {
      this.opts.out.write(printable(text, '\n') + '\n');
      return;
    }
    this.log.push(printable(text, '\n'));
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastDraw + this.minInterval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, wait);
  }

  private draw(): void {
    const { columns, rows } = this.opts.out as { columns?: number; rows?: number };
    // never into the last column: a line that fills it wraps on some terminals, and the redraw then lands one line low
    const width = this.opts.width ?? (columns !== undefined && columns >= 20 ? columns - 1 : 100);
    // one line short of the screen, so the panel's first line is still on it when the next redraw moves up
    const height = this.opts.height ?? (rows !== undefined && rows >= 4 ? rows - 1 : Infinity);
    let text = '';
    if (this.drawn > 0) text += `\x1b[${this.drawn}F\x1b[J`; // to the panel's first line, clear below
    for (const l of this.log.splice(0)) text += l + '\n';
    const lines = renderPanel(this.opts.status(), width, height);
    text += lines.join('\n') + '\n';
    this.opts.out.write(text);
    this.drawn = lines.length;
    this.lastDraw = Date.now();
  }

  /** final redraw (TTY) and stop */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.opts.tty) this.draw();
  }
}
