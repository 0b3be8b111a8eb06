import { formatParityJson, formatParityMarkdown } from '../../../../shared/model/parity-format.ts';
import type { ParityReport } from '../../../../shared/model/parity.ts';

/** Export a parity report as a file download (works in Electron and in a browser). */
export function exportParity(report: ParityReport, format: 'markdown' | 'json', when: string): void {
  const text = format === 'markdown' ? formatParityMarkdown(report) : formatParityJson(report);
  const blob = new Blob([text], { type: format === 'markdown' ? 'text/markdown' : 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `parity-${report.specName}-${when}.${format === 'markdown' ? 'md' : 'json'}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
