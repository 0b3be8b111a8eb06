import { endpointView } from '../model/endpoints.ts';
import type { GuardName, ParityReport, RunReport, Sample } from '../model/index.ts';
import { currentGuards } from '../model/run-reducer.ts';
import { parityByApp, testSideDifferences, worstDifferenceWords } from '../model/parity-glance.ts';
import { fmtClock, fmtMs, fmtNumber, fmtPct, fmtSpan, fmtWhen } from './format.ts';
import { appStateWords, runningVersions, runTimeline, verdictWords } from './run-timeline.ts';
import { esc, MARK_COLORS, svgChart, type SvgPoint } from './svg-chart.ts';

/**
 * A run report as ONE self-contained HTML file — inline CSS and SVG, no script, nothing fetched —
 * to download from the cockpit or write with `conductor run --html FILE`, and to open anywhere,
 * offline: the verdict (with its caveats), charts of OPM and latency over the planned run with
 * their marks, guards, phases, each app's version and restore state, parity before and after, the
 * per-app timeline, per-endpoint statistics where the run has them, flags and regressions.
 */

const STATUS_CLASS: Record<string, string> = { passed: 'good', failed: 'bad', error: 'bad', aborted: 'warn' };
const PARITY_TEXT: Record<string, string> = { 'in-parity': 'in parity', drift: 'drift', 'missing-in-test': 'missing in test', 'missing-in-production': 'missing in production', unreachable: 'unreachable' };

const min = (t: number) => t / 60_000;
const series = (samples: Sample[], pick: (s: Sample) => number | null | undefined): SvgPoint[] =>
  samples.flatMap((s) => {
    const y = pick(s);
    return y === null || y === undefined || !Number.isFinite(y) ? [] : [{ x: min(s.t), y }];
  });

function table(caption: string, head: string[], rows: string[][]): string {
  return `<table><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function parityTable(caption: string, report: ParityReport): string {
  const rows = parityByApp(report).map((a) => [esc(a.app), `<span class="badge ${a.status === 'in-parity' ? 'good' : 'bad'}">${PARITY_TEXT[a.status]}</span>`, String(a.drift), esc(worstDifferenceWords(a, 3))]);
  return table(`${caption} — ${report.summary.apps} apps: ${report.summary.inParity} in parity, ${report.summary.drift} drifting, ${report.summary.missing} missing, ${report.summary.unreachable} unreachable`, ['App', 'Status', 'Fields drifting', 'Worst differences (production → test)'], rows);
}

function restoreCheck(before: ParityReport, after: ParityReport): string {
  const differ = testSideDifferences(before, after);
  return differ.length === 0
    ? '<p class="good">Restore check: the test environment is back to its state before the run.</p>'
    : `<p class="bad">Restore check: the test environment differs from before the run in ${differ.length} field${differ.length === 1 ? '' : 's'}: ${esc(differ.slice(0, 10).join(', '))}</p>`;
}

export function renderReportHtml(report: RunReport): string {
  const s = report.status;
  const v = report.verdict;
  const tl = runTimeline(s);
  const words = verdictWords({ ...s, verdict: v });
  const xMax = min(Math.max(tl.plannedEnd ?? 0, tl.elapsed, 1));
  const spans = tl.spans.map((p) => ({ kind: p.kind, from: min(p.from), to: min(p.to) }));
  const marks = tl.marks.map((m) => ({ ...m, x: min(m.t) }));
  const durationMs = Date.parse(report.endedAt) - Date.parse(report.startedAt);
  const scale = Number.isFinite(s.timeScale) && s.timeScale > 0 ? s.timeScale : 1;
  const out: string[] = [];

  out.push(`<header><h1>${esc(report.specName)}: <span class="badge ${STATUS_CLASS[v.status] ?? ''}">${esc(v.status)}</span>${words.caveats ? ` <span class="caveat">${esc(words.caveats)}</span>` : ''}</h1>`);
  out.push(
    `<p class="muted">Run <code>${esc(report.runId)}</code> · ${esc(fmtWhen(report.startedAt))} → ${esc(fmtWhen(report.endedAt))} (${esc(Number.isFinite(durationMs) ? fmtSpan(durationMs) : '—')}${scale !== 1 ? `, time scale ×${fmtNumber(scale)}: charts in simulated minutes` : ''}) · test environment ${esc(s.testEnvironment || '—')}${s.trigger ? ` · ${esc(s.trigger.summary)}` : ''}</p></header>`,
  );

  out.push('<section><h2>Verdict</h2>');
  if (v.reasons.length) out.push(`<ul>${v.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`);
  out.push(
    table('Figures', ['Measure', 'Value'], [
      ['Target', `${fmtNumber(v.targetOpm)} OPM`],
      ['Plateau mean', v.plateauOpm === null ? 'no plateau' : `${fmtNumber(v.plateauOpm)} OPM`],
      ['Plateau p99', fmtMs(v.plateauP99Ms)],
      [v.plateauOpm === null ? 'Error rate (run mean)' : 'Error rate (plateau mean)', fmtPct(v.errorRate)],
      ['Knee', v.knee ? `${fmtNumber(v.knee.opm)} OPM at ${fmtNumber(v.knee.users)} users` : 'none found'],
      ['Restore', v.restoreComplete ? 'complete' : '<strong class="bad">incomplete</strong>'],
    ]),
  );
  const overrides = s.overrides ?? [];
  out.push(
    overrides.length
      ? `<p><strong>Version overrides (feature branch):</strong> ${overrides.map((o) => `<span class="badge override">${esc(o.app)} (${esc(o.container)}): ${esc(o.image)}</span>`).join(' ')}</p>`
      : "<p>Deployed production's versions (no override).</p>",
  );
  out.push('</section>');

  out.push('<section><h2>Load</h2>');
  out.push(
    svgChart({
      title: 'Orders per minute: target, setpoint and actual, users on the right axis',
      xMax,
      yLabel: 'orders per minute',
      y2Label: 'users',
      spans,
      marks,
      series: [
        { label: 'Target OPM', color: '#8a94a6', dash: '6 4', points: series(s.samples, (x) => x.targetOpm) },
        { label: 'Setpoint OPM', color: '#d39e00', points: series(s.samples, (x) => x.setpointOpm) },
        { label: 'Actual OPM', color: '#1f8ef1', points: series(s.samples, (x) => x.actualOpm) },
        { label: 'Users', color: '#2bb673', axis: 'right', points: series(s.samples, (x) => x.users) },
      ],
    }),
  );
  out.push(
    svgChart({
      title: 'Latency p50, p95 and p99 in ms, error rate in % on the right axis',
      xMax,
      yLabel: 'latency ms',
      y2Label: 'error rate %',
      spans,
      marks,
      height: 220,
      series: [
        { label: 'p50 ms', color: '#17a2b8', points: series(s.samples, (x) => x.p50Ms) },
        { label: 'p95 ms', color: '#e8730c', points: series(s.samples, (x) => x.p95Ms) },
        { label: 'p99 ms', color: '#a56eff', points: series(s.samples, (x) => x.p99Ms) },
        { label: 'Error rate %', color: '#e5484d', axis: 'right', points: series(s.samples, (x) => x.errorRate * 100) },
      ],
    }),
  );
  if (tl.marks.length) {
    out.push(`<ol class="marks" aria-label="Marks on the charts">${tl.marks.map((m) => `<li><i style="background:${MARK_COLORS[m.kind]}"></i>${fmtClock(m.t)} — ${esc(m.text)}</li>`).join('')}</ol>`);
  }
  out.push('</section>');

  const requests = endpointView(s.samples);
  if (requests.totals.length) {
    out.push(
      '<section><h2>Requests by endpoint</h2>' +
        table(
          `Counted from Locust's counters over the ${requests.over === 'plateau' ? 'plateau' : 'load'}; percentiles since the stats reset`,
          ['Endpoint', 'Requests', 'Failures', 'Failure rate', 'Requests/s', 'p50', 'p95', 'p99'],
          requests.totals.map((e) => [esc(e.name), fmtNumber(e.requests), fmtNumber(e.failures), fmtPct(e.requests ? e.failureRate : null), fmtNumber(e.rps, 1), fmtMs(e.p50Ms), fmtMs(e.p95Ms), fmtMs(e.p99Ms)]),
        ) +
        '</section>',
    );
  }

  const limits = s.guardLimits;
  const current = currentGuards(s);
  const guardRows: string[][] = [];
  if (limits) {
    const state = (g: GuardName) => {
      const e = current.get(g);
      return e ? `<span class="badge ${e.state === 'ok' ? 'good' : e.state === 'breached' ? 'bad' : 'warn'}">${e.state}</span> ${esc(e.message)}` : '<span class="badge good">ok</span>';
    };
    guardRows.push(['Error rate', `≤ ${fmtPct(limits.maxErrorRate)}`, state('maxErrorRate')]);
    if (limits.maxP99Ms !== null) guardRows.push(['p99 latency', `≤ ${fmtMs(limits.maxP99Ms)}`, state('maxP99Ms')]);
    guardRows.push(['Stall (no orders)', `< ${limits.stallSamples} samples in a row`, state('stall')]);
    guardRows.push(['Production drift', limits.productionDrift === 'abort' ? 'abort the run' : 'flag and continue', state('productionDrift')]);
  }
  if (guardRows.length) out.push('<section><h2>Guards</h2>' + table('Each guard against its limit, as the run ended', ['Guard', 'Limit', 'State'], guardRows) + '</section>');

  out.push('<section><h2>Applications</h2>');
  out.push(
    table(
      'Each app: the version it ran and its state at the end',
      ['App', 'Version', 'State', 'Detail'],
      s.apps.map((a) => {
        const versions = a.state === 'skipped' && a.phase === 'snapshot' ? [] : runningVersions(s.overrides, report.parityBefore, a.app);
        const version = versions.length
          ? versions.map((x) => `${esc(x.container)}: <code>${esc(x.image)}</code>${x.override ? ' <span class="badge override">override</span>' : ''}`).join('<br>')
          : '—';
        const st = appStateWords(a);
        return [esc(a.app), version, `<span class="badge ${st === 'restored' || st === 'ready' ? 'good' : a.state === 'failed' ? 'bad' : a.state === 'skipped' ? 'warn' : ''}">${esc(st)}</span>`, esc(a.reason ?? a.detail ?? '')];
      }),
    ),
  );
  out.push('</section>');

  out.push('<section><h2>Phases</h2>');
  out.push(
    table(
      `Run-clock times${scale !== 1 ? ' (simulated)' : ''}`,
      ['Phase', 'State', 'Started', 'Duration'],
      s.phases.map((p) => [esc(p.phase), esc(p.state) + (p.error ? ` — ${esc(p.error.message)}` : ''), fmtClock(p.startedAt), fmtSpan((p.endedAt ?? p.startedAt) - p.startedAt)]),
    ),
  );
  out.push('</section>');

  if (report.parityBefore || report.parityAfter) {
    out.push('<section><h2>Parity</h2>');
    if (report.parityBefore) out.push(parityTable('Before the run', report.parityBefore));
    if (report.parityAfter) out.push(parityTable('After restore', report.parityAfter));
    if (report.parityBefore && report.parityAfter) out.push(restoreCheck(report.parityBefore, report.parityAfter));
    out.push('</section>');
  }

  if (report.timeline?.length) {
    const byApp = new Map<string, string[]>();
    for (const e of report.timeline) byApp.set(e.app, [...(byApp.get(e.app) ?? []), `${fmtClock(e.t)} ${e.phase} ${appStateWords(e)}${e.reason ? ` (${e.reason})` : e.detail ? ` (${e.detail})` : ''}`]);
    out.push(
      `<section><h2>Timeline per application</h2>${[...byApp]
        .map(([app, lines]) => `<details><summary>${esc(app)} (${lines.length} steps)</summary><ol>${lines.slice(0, 500).map((l) => `<li>${esc(l)}</li>`).join('')}</ol></details>`)
        .join('')}</section>`,
    );
  }

  const regressions = (report.regressions ?? []).filter((r) => !s.flags.includes(`regression: ${r}`));
  if (s.flags.length || regressions.length) {
    out.push(`<section><h2>Flags</h2><ul>${[...s.flags, ...regressions.map((r) => `regression: ${r}`)].map((f) => `<li>${esc(f)}</li>`).join('')}</ul></section>`);
  }

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(`${report.specName}: ${v.status} — Conductor run ${report.runId}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${out.join('\n')}
<footer class="muted">Conductor run report · generated from the run's own record (report.json) · no data leaves this file.</footer>
</main>
</body>
</html>
`;
}

const CSS = `
:root{--bg:#fff;--text:#1b1f24;--muted:#4f5866;--border:#d6dae1;--good:#1a7f37;--good-bg:#dafbe1;--bad:#b42318;--bad-bg:#ffe4e1;--warn-bg:#fff4ce;--over-bg:#e8e1ff;--over:#4b2aa8;color-scheme:light}
@media (prefers-color-scheme:dark){:root{--bg:#0f1318;--text:#e6edf3;--muted:#a5b0bc;--border:#2d3540;--good:#56d364;--good-bg:#12361c;--bad:#ff8d85;--bad-bg:#3d1614;--warn-bg:#3a2f0b;--over-bg:#2c2150;--over:#cbbaff;color-scheme:dark}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}
main{max-width:1040px;margin:0 auto;padding:20px}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid var(--border);padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0}caption{text-align:left;color:var(--muted);padding:4px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--border);vertical-align:top}
thead th{color:var(--muted)}.muted{color:var(--muted)}.good{color:var(--good)}.bad{color:var(--bad)}code{font-size:12.5px;word-break:break-all}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;background:var(--border)}.badge.good{background:var(--good-bg);color:var(--good)}.badge.bad{background:var(--bad-bg);color:var(--bad)}.badge.warn{background:var(--warn-bg);color:var(--text)}.badge.override{background:var(--over-bg);color:var(--over)}
h1 .badge{font-size:16px;vertical-align:middle}.caveat{font-size:15px;font-weight:normal;background:var(--warn-bg);padding:0 8px;border-radius:8px}
figure{margin:12px 0}svg.chart{width:100%;height:auto}svg .grid{stroke:var(--border);stroke-width:1}svg text{fill:var(--muted);font-size:11px}svg .span-label{font-size:11px}svg .mark-label{font-size:11px}
.legend span{margin-right:14px;color:var(--muted)}.legend i,.marks i{display:inline-block;width:12px;height:3px;margin-right:5px;vertical-align:middle}
.marks{color:var(--muted);padding-left:20px}details{margin:4px 0}summary{cursor:pointer}footer{margin-top:32px;font-size:12px}
`;
