import type { ConductorHandlers } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import type { IntakeRequest, IntakeResponse, TriggerIntakeDeps } from './events/intake.ts';
import type { SpecCatalog } from './spec-catalog.ts';

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
  /** change events (POST /api/triggers/event); absent: the host takes none */
  triggers?: {
    receive(req: IntakeRequest): Promise<IntakeResponse>;
    /** which senders it accepts, for the start-up banner */
    describeAuth(tokenConfigured: boolean): string;
  };
  /** settles once the store is open, the queue resumed after a restart and the schedules armed */
  resumed?: Promise<void>;
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
  /** the specs change events and schedules may run (`serve --specs DIR`) */
  catalog?: SpecCatalog;
  /** the trigger endpoint's webhook secrets (by reference) and rate limit */
  events?: Pick<TriggerIntakeDeps, 'secrets' | 'rate'>;
  /** the cockpit's address as the owning teams reach it, for links to runs (`#/runs/ID`); asked when a link is made */
  publicUrl?: () => string | undefined;
}
