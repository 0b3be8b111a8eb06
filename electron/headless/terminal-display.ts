import type { RunEvent, RunStatus } from '../../shared/model/run.ts';
import { PHASES } from '../../shared/model/run.ts';
import { formatDuration } from '../../shared/spec/duration.ts';

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
  color?: boolean;
}

const PHASE_MARK = { done: '✓', running: '▶', failed: '✗', skipped: '–' } as const;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function formatSampleLine(status: RunStatus): string | null {
  const s = status.samples.at(-1);
  if (!s) return null;
  return `OPM ${Math.round(s.actualOpm)} / setpoint ${Math.round(s.setpointOpm)} / target ${s.targetOpm}  users ${s.users}  spawn ${s.spawnRate.toFixed(1)}/s  errors ${pct(s.errorRate)}  p99 ${s.p99Ms === null ? '–' : Math.round(s.p99Ms) + ' ms'}`;
}

/** the live panel, as lines (pure: tested directly) */
export function renderPanel(status: RunStatus, width = 100): string[] {
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
  for (const a of status.apps) {
    lines.push(`  ${a.app.padEnd(nameW)}  ${a.phase.padEnd(8)} ${a.state.padEnd(8)} ${a.reason ?? a.detail ?? ''}`);
  }
  if (status.knee) lines.push(`  knee: ${Math.round(status.knee.opm)} OPM at ${status.knee.users} users`);
  for (const f of status.flags.slice(-3)) lines.push(`  ! ${f}`);
  if (status.abort) lines.push(`  aborting (${status.abort.reason}): ${status.abort.step}`);
  if (status.verdict) lines.push(`  verdict: ${status.verdict.status}${status.verdict.reasons.length ? ' — ' + status.verdict.reasons.join('; ') : ''}`);
  return lines.map(clip);
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
      return `  knee found: ${Math.round(event.knee.opm)} OPM at ${event.knee.users} users`;
    case 'abort':
      return `abort (${event.reason}): ${event.step}`;
    case 'log':
      return event.level === 'info' ? null : `${event.level}: ${event.message}`;
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
      if (line !== null) this.opts.out.write(line + '\n');
      return;
    }
    if (event.type === 'log' && event.level !== 'info') this.log.push(`${event.level}: ${event.message}`);
    this.schedule();
  };

  /** a line printed above the panel (TTY) or as is */
  message(text: string): void {
    if (!this.opts.tty) {
      this.opts.out.write(text + '\n');
      return;
    }
    this.log.push(text);
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
    const columns = (this.opts.out as { columns?: number }).columns;
    const width = this.opts.width ?? (columns !== undefined && columns >= 20 ? columns : 100);
    let text = '';
    if (this.drawn > 0) text += `\x1b[${this.drawn}F\x1b[J`; // to the panel's first line, clear below
    for (const l of this.log.splice(0)) text += l + '\n';
    const lines = renderPanel(this.opts.status(), width);
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
