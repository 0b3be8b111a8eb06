import type { ConductorHandlers } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';

/**
 * The conductor as a service: the handlers for every ConductorApi channel, plus run events.
 * Built once per process (Electron main or `conductor serve`) by `createConductorService`
 * (electron/core/service.ts) and served over IPC (electron/main/ipc.ts) or HTTP
 * (electron/headless/http-server.ts).
 */
export interface ConductorService {
  handlers: ConductorHandlers;
  /** subscribe to run events; returns an unsubscribe function */
  onEvent(listener: (event: RunEvent) => void): () => void;
  /** abort any run in progress (restoring the test environment), stop the sandbox, release resources */
  close(): Promise<void>;
}

export interface ConductorServiceOptions {
  /** where the journal, history and reports live */
  dataDir: string;
  /** where the transport runs, reported by env:list */
  host: 'electron' | 'http';
  /** default time scale for sandbox runs */
  timeScale?: number;
  /** environment (KUBECONFIG, HOME, AWS_*) for reading kubeconfig contexts and AWS profiles */
  env?: NodeJS.ProcessEnv;
  /** directory with example specs offered by spec:examples */
  examplesDir?: string;
}
