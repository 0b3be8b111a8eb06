import type { RunComparisonDto, TriggerInfo } from '../../../shared/contract/index.ts';
import type { GuardEvent, Verdict } from '../../../shared/model/run.ts';
import type { NotifyRoute } from '../../../shared/spec/schema.ts';

/**
 * What the owning team reads about a run (spec.notify.routes): at its start, on a guard breach
 * and at the verdict — the verdict's figures, the deviation from the previous run of the same
 * spec (the history's regression comparison), the trigger and a link to the run in the cockpit.
 * One message, three wire formats: generic JSON, a Slack incoming-webhook payload (text + blocks)
 * and a Microsoft Teams message carrying an Adaptive Card.
 */

export interface TeamMessage {
  kind: 'start' | 'guard' | 'verdict';
  runId: string;
  specName: string;
  owners: string[];
  testEnvironment: string;
  trigger: TriggerInfo | null;
  /** the run in the cockpit (`<cockpit>/#/runs/<id>`), when the host knows its address */
  link: string | null;
  at: string;
  verdict: Pick<Verdict, 'status' | 'reasons' | 'plateauOpm' | 'targetOpm' | 'plateauP99Ms' | 'errorRate'> | null;
  /** against the previous comparable run of the same spec (null: none, or this run reached no plateau) */
  deviation: { baselineRunId: string; plateauOpmPct: number | null; plateauP99MsPct: number | null; errorRateDelta: number | null; regressions: string[] } | null;
  guard: GuardEvent | null;
}

export function deviationOf(c: RunComparisonDto | null): TeamMessage['deviation'] {
  return c ? { baselineRunId: c.a.runId, ...c.deltas, regressions: c.regressions } : null;
}

const signed = (n: number, digits = 1) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
const ICON: Record<string, string> = { passed: '✅', failed: '❌', aborted: '⏹', error: '⚠️' };

/** The message as lines of plain text (the Slack and Teams formats wrap these). */
export function messageLines(m: TeamMessage): { title: string; lines: string[] } {
  const lines: string[] = [];
  let title: string;
  if (m.kind === 'start') {
    title = `▶ Load test ${m.specName} started`;
    lines.push(`on ${m.testEnvironment}`);
  } else if (m.kind === 'guard') {
    title = `⚠️ ${m.specName}: guard ${m.guard?.guard ?? ''} breached`;
    if (m.guard) lines.push(m.guard.message);
  } else {
    const v = m.verdict;
    title = `${ICON[v?.status ?? 'error'] ?? ''} ${m.specName}: ${v?.status ?? 'ended'}`;
    if (v) {
      const figures = [`plateau ${v.plateauOpm === null ? '—' : Math.round(v.plateauOpm)} / ${v.targetOpm} OPM`];
      if (v.plateauP99Ms !== null) figures.push(`p99 ${Math.round(v.plateauP99Ms)} ms`);
      if (v.errorRate !== null) figures.push(`errors ${(v.errorRate * 100).toFixed(2)}%`);
      lines.push(figures.join(', '));
      for (const r of v.reasons.slice(0, 5)) lines.push(`• ${r}`);
    }
    const d = m.deviation;
    if (d) {
      const parts = [
        d.plateauOpmPct === null ? null : `OPM ${signed(d.plateauOpmPct)}%`,
        d.plateauP99MsPct === null ? null : `p99 ${signed(d.plateauP99MsPct)}%`,
        d.errorRateDelta === null ? null : `errors ${signed(d.errorRateDelta * 100, 2)} pts`,
      ].filter(Boolean);
      lines.push(`vs previous run ${d.baselineRunId}: ${parts.join(', ') || 'no figures to compare'}`);
      lines.push(d.regressions.length ? `REGRESSION: ${d.regressions.join('; ')}` : 'no regression');
    } else lines.push('no previous run of this spec to compare with');
  }
  if (m.trigger) lines.push(`trigger: ${m.trigger.summary}`);
  lines.push(`owners: ${m.owners.join(', ')} · run ${m.runId}`);
  return { title, lines };
}

/** The request body for one route's format. */
export function formatFor(format: NotifyRoute['format'], m: TeamMessage): unknown {
  if (format === 'json') return m;
  const { title, lines } = messageLines(m);
  if (format === 'slack') {
    const link = m.link ? `\n<${m.link}|Open the run in the cockpit>` : '';
    return {
      text: `${title}\n${lines.join('\n')}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: `${lines.join('\n')}${link}`.slice(0, 3000) } },
      ],
    };
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [{ type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true }, ...lines.map((l) => ({ type: 'TextBlock', text: l, wrap: true, spacing: 'Small' }))],
          ...(m.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open the run', url: m.link }] } : {}),
        },
      },
    ],
  };
}
