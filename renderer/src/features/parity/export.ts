import { formatParityJson, formatParityMarkdown } from '../../../../shared/model/parity-format.ts';
import type { ParityReport } from '../../../../shared/model/parity.ts';
import { downloadText } from '../../components/download.ts';

/** Export a parity report as a file download (works in Electron and in a browser). */
export function exportParity(report: ParityReport, format: 'markdown' | 'json', when: string): void {
  const text = format === 'markdown' ? formatParityMarkdown(report) : formatParityJson(report);
  downloadText(text, `parity-${report.specName}-${when}.${format === 'markdown' ? 'md' : 'json'}`, format === 'markdown' ? 'text/markdown' : 'application/json');
}
