import { z } from 'zod';
import type { ErrorDto } from '../model/errors.ts';
import type { ParityReport } from '../model/parity.ts';
import type { RunEvent, RunReport, RunStatus, RunSummary } from '../model/run.ts';
import type { SpecIssue } from '../model/errors.ts';
import type { RunPlan } from '../spec/run-plan.ts';
import { RUN_ID_PATTERN } from '../model/run-id.ts';
import { settingsPatchSchema, type SettingsDto } from './settings.ts';

export * from './settings.ts';

/**
 * ConductorApi: the one typed contract between the cockpit (renderer) and the conductor.
 * Two transports carry it: Electron IPC (preload + ipcMain) and HTTP + server-sent events
 * (`conductor serve`). Channel names live here once; both ends are typed from this file,
 * and every request is validated with the schemas below on the receiving side.
 */

export const CHANNELS = {
  envList: 'env:list',
  specValidate: 'spec:validate',
  specExamples: 'spec:examples',
  specOpen: 'spec:open',
  specSave: 'spec:save',
  parityRead: 'parity:read',
  runStart: 'run:start',
  runAbort: 'run:abort',
  runStatus: 'run:status',
  historyList: 'history:list',
  historyGet: 'history:get',
  historyCompare: 'history:compare',
  recoveryList: 'recovery:list',
  recoveryRestore: 'recovery:restore',
  settingsGet: 'settings:get',
  settingsSet: 'settings:set',
} as const;

export const EVENT_CHANNELS = {
  run: 'run:event',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

const specText = z.string().min(1).max(2_000_000);
const runId = z.string().regex(RUN_ID_PATTERN, 'a run id: letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Request schemas, one per channel. */
export const REQUEST_SCHEMAS = {
  'env:list': z.object({}).strict(),
  'spec:validate': z.object({ text: z.string().max(2_000_000), fileName: z.string().max(4096).optional() }).strict(),
  'spec:examples': z.object({}).strict(),
  'spec:open': z.object({}).strict(),
  'spec:save': z.object({ text: specText, path: z.string().max(4096).optional() }).strict(),
  'parity:read': z.object({ text: specText }).strict(),
  'run:start': z.object({ text: specText, timeScale: z.number().min(0.1).max(10_000).optional() }).strict(),
  'run:abort': z.object({ runId, reason: z.string().max(500).optional() }).strict(),
  'run:status': z.object({ runId: runId.optional() }).strict(),
  'history:list': z.object({ specName: z.string().max(63).optional() }).strict(),
  'history:get': z.object({ runId }).strict(),
  'history:compare': z.object({ a: runId, b: runId }).strict(),
  'recovery:list': z.object({}).strict(),
  'recovery:restore': z.object({ runId, force: z.boolean().optional() }).strict(),
  'settings:get': z.object({}).strict(),
  'settings:set': settingsPatchSchema,
} satisfies Record<Channel, z.ZodTypeAny>;

export interface EnvironmentsDto {
  /** kubeconfig context names (never the kubeconfig itself) */
  kubeContexts: string[];
  /** AWS profile names from the shared config files */
  awsProfiles: string[];
  /** the embedded sandbox is available */
  sandbox: { available: boolean; timeScale: number };
  /** where the conductor runs: the Electron main process or `conductor serve` */
  host: 'electron' | 'http';
}

export interface ValidationResultDto {
  ok: boolean;
  issues: SpecIssue[];
  /** the resolved spec as YAML, defaults applied, when ok */
  resolved?: string;
  specName?: string;
  /** test environment, named for the confirmation dialog */
  testEnvironment?: string;
  /** what a run of this spec will do (planned load, overrides, apps), for the confirmation dialog */
  plan?: RunPlan;
}

export interface ExampleDto {
  name: string;
  text: string;
}

export interface RunComparisonDto {
  a: RunSummary;
  b: RunSummary;
  deltas: { plateauOpmPct: number | null; plateauP99MsPct: number | null; errorRateDelta: number | null };
  regressions: string[];
}

export interface PendingRecoveryDto {
  runId: string;
  specName: string;
  startedAt: string;
  lastPhase: string | null;
  testEnvironment: string;
}

/** Response types, one per channel. */
export interface ResponseMap {
  'env:list': EnvironmentsDto;
  'spec:validate': ValidationResultDto;
  'spec:examples': ExampleDto[];
  'spec:open': { path: string; text: string } | null;
  'spec:save': { path: string } | null;
  'parity:read': ParityReport;
  'run:start': { runId: string; status: RunStatus };
  'run:abort': { accepted: boolean; status: RunStatus | null };
  'run:status': RunStatus | null;
  'history:list': RunSummary[];
  'history:get': RunReport;
  'history:compare': RunComparisonDto;
  'recovery:list': PendingRecoveryDto[];
  'recovery:restore': { restored: boolean; message: string };
  /** the persisted environments choice and recent specs (names, paths and URLs only) */
  'settings:get': SettingsDto;
  /** the settings after the change */
  'settings:set': SettingsDto;
}

export type RequestMap = { [C in Channel]: z.input<(typeof REQUEST_SCHEMAS)[C]> };

/** A result as it crosses a transport: a value or a typed error, never a stack. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorDto };

/** The API as the renderer sees it (both transports implement this). */
export interface ConductorApi {
  invoke<C extends Channel>(channel: C, request: RequestMap[C]): Promise<ResponseMap[C]>;
  /** subscribe to run events; returns an unsubscribe function */
  onRunEvent(listener: (event: RunEvent) => void): () => void;
}

/** The conductor service behind the transports (implemented in electron/, served over IPC and HTTP). */
export type ConductorHandlers = { [C in Channel]: (request: z.output<(typeof REQUEST_SCHEMAS)[C]>) => Promise<ResponseMap[C]> };

/** HTTP transport: POST /api/<channel> with a JSON body; events on GET /api/events (text/event-stream). */
export const HTTP_PREFIX = '/api/';
export const HTTP_EVENTS_PATH = '/api/events';
export function httpPathFor(channel: Channel): string {
  return HTTP_PREFIX + channel.replace(':', '/');
}
