import { endpointTotals } from '../../../shared/model/endpoints.ts';
import { describePause } from '../../../shared/model/gitops.ts';
import type { ParityReport } from '../../../shared/model/parity.ts';
import type { AppProgress, RunReport, RunStatus, Verdict } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { formatDuration } from '../../../shared/spec/duration.ts';
import { resolvedSpecInput } from '../../../shared/spec/resolved.ts';

/**
 * The run report: JSON (RunReport), JUnit XML for CI systems, and a Markdown summary for humans.
 * All three are pure functions of the report.
 */

export function buildReport(input: {
  spec: LoadTest;
  status: RunStatus;
  verdict: Verdict;
  endedAt: string;
  parityBefore: ParityReport | null;
  parityAfter: ParityReport | null;
  timeline: (AppProgress & { t: number })[];
}): RunReport {
  return {
    runId: input.status.runId,
    specName: input.status.specName,
    // as `conductor validate --print` shows it (durations as 30m, not ms): a report's spec can be run again as is
    spec: resolvedSpecInput(input.spec),
    startedAt: input.status.startedAt,
    endedAt: input.endedAt,
    status: input.status,
    parityBefore: input.parityBefore,
    parityAfter: input.parityAfter,
    verdict: input.verdict,
    timeline: input.timeline,
  };
}

export function reportJson(report: RunReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // characters XML 1.0 does not allow
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

interface Case {
  name: string;
  classname: string;
  time: number;
  failure?: string;
  skipped?: string;
}

/** JUnit XML: one test case per phase, plus the target, each guard and the restore. */
export function reportJunit(report: RunReport): string {
  const s = report.status;
  const v = report.verdict;
  const cases: Case[] = [];
  // phase times are on the run's clock (simulated at a time scale); CI systems add test case times
  // up against the suite's wall time, so report them in real seconds
  const scale = Number.isFinite(s.timeScale) && s.timeScale > 0 ? s.timeScale : 1;
  for (const p of s.phases) {
    const c: Case = { name: `phase ${p.phase}`, classname: `conductor.${report.specName}.phases`, time: ((p.endedAt ?? p.startedAt) - p.startedAt) / 1000 / scale };
    if (p.state === 'failed') c.failure = p.error?.message ?? 'failed';
    if (p.state === 'skipped') c.skipped = 'skipped';
    cases.push(c);
  }
  const target: Case = { name: `plateau reaches ${v.targetOpm} OPM`, classname: `conductor.${report.specName}.verdict`, time: 0 };
  const targetReasons = v.reasons.filter((r) => r.startsWith('plateau') || r.startsWith('no plateau') || r.startsWith('capacity knee') || r.startsWith('the guards limit the load'));
  if (targetReasons.length) target.failure = targetReasons.join('\n');
  else if (v.plateauOpm === null) target.skipped = 'no plateau';
  cases.push(target);
  const guardNames = ['maxErrorRate', 'maxP99Ms', 'stall', 'productionDrift'] as const;
  for (const g of guardNames) {
    const breached = s.guards.filter((e) => e.guard === g && e.state === 'breached');
    const c: Case = { name: `guard ${g}`, classname: `conductor.${report.specName}.guards`, time: 0 };
    if (breached.length) c.failure = breached.map((b) => b.message).join('\n');
    cases.push(c);
  }
  const restore: Case = { name: 'test environment restored', classname: `conductor.${report.specName}.verdict`, time: 0 };
  if (!v.restoreComplete) restore.failure = v.reasons.filter((r) => r.startsWith('restore')).join('\n') || 'restore incomplete';
  cases.push(restore);
  if (v.status === 'aborted' || v.status === 'error') {
    cases.push({ name: `run ${v.status}`, classname: `conductor.${report.specName}.verdict`, time: 0, failure: v.reasons.join('\n') });
  }

  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const total = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="conductor" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${total.toFixed(3)}">`,
    `  <testsuite name="${xml(report.specName)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${total.toFixed(3)}" timestamp="${xml(report.startedAt)}">`,
    `    <properties><property name="runId" value="${xml(report.runId)}"/><property name="verdict" value="${v.status}"/><property name="timeScale" value="${scale}"/><property name="targetOpm" value="${v.targetOpm}"/><property name="plateauOpm" value="${v.plateauOpm === null ? '' : v.plateauOpm.toFixed(1)}"/></properties>`,
  ];
  for (const c of cases) {
    const open = `    <testcase name="${xml(c.name)}" classname="${xml(c.classname)}" time="${Math.max(0, c.time).toFixed(3)}"`;
    if (c.failure !== undefined) lines.push(`${open}>`, `      <failure message="${xml(c.failure.split('\n')[0] ?? '')}">${xml(c.failure)}</failure>`, '    </testcase>');
    else if (c.skipped !== undefined) lines.push(`${open}>`, `      <skipped message="${xml(c.skipped)}"/>`, '    </testcase>');
    else lines.push(`${open}/>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

const fmt = (n: number | null, digits = 0) => (n === null ? '–' : n.toFixed(digits));

/** A Markdown summary for humans (PR comments, chat, the CronJob's log). */
export function reportMarkdown(report: RunReport): string {
  const v = report.verdict;
  const s = report.status;
  const icon = { passed: '✅', failed: '❌', aborted: '⏹', error: '⚠️' }[v.status];
  const out: string[] = [];
  out.push(`# ${icon} ${report.specName}: ${v.status}`, '');
  out.push(`Run \`${report.runId}\`, ${report.startedAt} → ${report.endedAt}, test environment ${s.testEnvironment || '–'}.`, '');
  if (v.reasons.length) out.push(...v.reasons.map((r) => `- ${r}`), '');
  out.push('| | |', '|---|---|');
  out.push(`| target | ${v.targetOpm} OPM |`);
  out.push(`| plateau mean | ${fmt(v.plateauOpm)} OPM |`);
  out.push(`| plateau p99 | ${fmt(v.plateauP99Ms)} ms |`);
  out.push(`| error rate | ${v.errorRate === null ? '–' : (v.errorRate * 100).toFixed(2) + ' %'} |`);
  out.push(`| knee | ${v.knee ? `${Math.round(v.knee.opm)} OPM at ${v.knee.users} users` : 'none found'} |`);
  out.push(`| restore | ${v.restoreComplete ? 'complete' : '**incomplete**'} |`);
  const parity = (p: ParityReport | null) => (p ? `${p.summary.inParity} in parity, ${p.summary.drift} drift, ${p.summary.missing} missing, ${p.summary.unreachable} unreachable` : '–');
  if (report.parityBefore) out.push(`| parity before | ${parity(report.parityBefore)} |`);
  if (report.parityAfter) out.push(`| parity after restore | ${parity(report.parityAfter)} |`);
  out.push('');
  const scaled = Number.isFinite(s.timeScale) && s.timeScale !== 1;
  out.push('## Phases', '', ...(scaled ? [`Durations in simulated time (time scale ×${s.timeScale}).`, ''] : []), '| phase | state | duration |', '|---|---|---|');
  for (const p of s.phases) out.push(`| ${p.phase} | ${p.state}${p.error ? ` — ${p.error.message}` : ''} | ${formatDuration(Math.max(0, (p.endedAt ?? p.startedAt) - p.startedAt))} |`);
  const requests = endpointTotals(s.samples);
  if (requests.length) {
    out.push('', '## Requests on the plateau', '', "Counted from Locust's counters over the plateau; percentiles are Locust's own since the stats reset.", '');
    out.push('| request | requests | failures | rate | p50 | p95 | p99 |', '|---|---|---|---|---|---|---|');
    for (const e of requests)
      out.push(`| ${e.name.replace(/\|/g, '\\|')} | ${e.requests} | ${e.failures} (${(e.failureRate * 100).toFixed(2)} %) | ${e.rps.toFixed(1)}/s | ${fmt(e.p50Ms)} ms | ${fmt(e.p95Ms)} ms | ${fmt(e.p99Ms)} ms |`);
  }
  out.push('', '## Applications', '', '| app | last phase | state | detail |', '|---|---|---|---|');
  for (const a of s.apps) out.push(`| ${a.app} | ${a.phase} | ${a.state} | ${(a.reason ?? a.detail ?? '').replace(/\|/g, '\\|')} |`);
  if (s.gitops?.length) {
    out.push('', '## Held during the run', '', 'What would have reverted the run\'s writes, paused before them and resumed by restore.', '');
    for (const p of s.gitops) out.push(`- ${describePause(p)}`);
  }
  // the conductor also raises each regression as a flag; list it once
  const regressions = (report.regressions ?? []).map((r) => `regression: ${r}`).filter((r) => !s.flags.includes(r));
  if (s.flags.length || regressions.length) {
    out.push('', '## Flags', '');
    for (const f of [...s.flags, ...regressions]) out.push(`- ${f}`);
  }
  out.push('');
  return out.join('\n');
}
