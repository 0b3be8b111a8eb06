import type { ParityReport, ParityRow } from './parity.ts';

/**
 * Renderings of a parity report, shared by the CLI (`conductor parity --output …`) and the
 * cockpit's export buttons, so both say the same thing.
 */

const STATUS_LABEL: Record<ParityRow['status'], string> = {
  'in-parity': 'ok',
  drift: 'DRIFT',
  'missing-in-test': 'MISSING IN TEST',
  'missing-in-production': 'MISSING IN PROD',
  unreachable: 'UNREACHABLE',
};

const show = (v: string | number | null) => (v === null ? '—' : String(v));

/** keep the end of a long value: for images, the tag is what differs */
const clip = (v: string, width: number) => (v.length > width ? '…' + v.slice(v.length - width + 1) : v);

export function paritySummaryLine(report: ParityReport): string {
  const s = report.summary;
  return `${s.apps} apps: ${s.inParity} in parity, ${s.drift} drifting, ${s.missing} missing, ${s.unreachable} unreachable`;
}

/** A plain-text side-by-side table for terminals. `driftOnly` hides rows in parity. */
export function formatParityTable(report: ParityReport, opts: { driftOnly?: boolean } = {}): string {
  const rows = report.rows.filter((r) => !opts.driftOnly || r.status !== 'in-parity');
  const header = ['APP', 'FIELD', 'PRODUCTION', 'TEST', 'STATUS'];
  const cells = rows.map((r) => [r.app, r.field, show(r.production), show(r.test), STATUS_LABEL[r.status] + (r.reason ? ` (${r.reason})` : '')]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const fmt = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : clip(v, widths[i]!).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  let lastApp = '';
  const lines = [fmt(header)];
  for (const c of cells) {
    const display = c[0] === lastApp ? ['', ...c.slice(1)] : c;
    lastApp = c[0]!;
    lines.push(fmt(display));
  }
  lines.push('', paritySummaryLine(report));
  return lines.join('\n') + '\n';
}

const md = (v: string) => v.replace(/\|/g, '\\|');

/** Markdown for the pre-campaign audit. */
export function formatParityMarkdown(report: ParityReport, opts: { driftOnly?: boolean } = {}): string {
  const rows = report.rows.filter((r) => !opts.driftOnly || r.status !== 'in-parity');
  const lines = [
    `# Parity: ${report.specName}`,
    '',
    `Taken ${report.takenAt}. ${paritySummaryLine(report)}.`,
    '',
    '| App | Field | Production | Test | Status |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${md(r.app)} | ${md(r.field)} | ${md(show(r.production))} | ${md(show(r.test))} | ${r.status === 'in-parity' ? 'ok' : `**${STATUS_LABEL[r.status]}**`}${r.reason ? ` (${md(r.reason)})` : ''} |`),
  ];
  return lines.join('\n') + '\n';
}

export function formatParityJson(report: ParityReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
