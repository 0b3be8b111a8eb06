import { useState } from 'react';
import type { RunReport } from '../../../../shared/model/run.ts';
import { renderReportHtml } from '../../../../shared/report/html.ts';
import { getApi } from '../../api/index.ts';
import { errorMessage } from '../../api/errors.ts';
import { downloadText } from '../../components/download.ts';
import { useConnectionStore } from '../../stores/connection.ts';

/** "Download HTML report": the run's report as one self-contained file (the same as `conductor run --html`). */
export function reportFileName(report: Pick<RunReport, 'runId'>): string {
  return `conductor-${report.runId}.html`;
}

export function DownloadReportButton(props: { runId: string; report?: RunReport }) {
  const [problem, setProblem] = useState<string | null>(null);
  const online = useConnectionStore((s) => s.state === 'online');
  const download = async () => {
    setProblem(null);
    try {
      const report = props.report ?? (await getApi().invoke('history:get', { runId: props.runId }));
      downloadText(renderReportHtml(report), reportFileName(report), 'text/html');
    } catch (err) {
      setProblem(errorMessage(err));
    }
  };
  return (
    <>
      <button onClick={() => void download()} disabled={!props.report && !online}>
        Download HTML report
      </button>
      {problem && (
        <span role="alert" className="error">
          The report could not be downloaded: {problem}
        </span>
      )}
    </>
  );
}
