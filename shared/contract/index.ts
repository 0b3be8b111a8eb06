import { z } from 'zod';
import { toErrorDto, type ErrorDto } from '../model/errors.ts';
import type { ParityReport } from '../model/parity.ts';
import type { RunEvent, RunReport, RunStatus, RunSummary } from '../model/run.ts';
import type { SpecIssue } from '../model/errors.ts';
import type { RunPlan } from '../spec/run-plan.ts';
import { RUN_ID_EXPECTED, RUN_ID_PATTERN } from '../model/run-id.ts';
import { settingsPatchSchema, type SettingsDto } from './settings.ts';
import { QUEUE_REQUEST_SCHEMAS, type QueueResponseMap } from './queue.ts';

export * from './settings.ts';
export * from './queue.ts';

/**
 * ConductorApi: the one typed contract between the cockpit (renderer) and the conductor.
 * Two transports carry it: Electron IPC (preload + ipcMain) and HTTP + server-sent events
 * (`conductor serve`). Channel names live here once; both ends are typed from this file,
 * and every request is validated with the schemas below on the receiving side — by the one
 * dispatch at the end of this file, which both transports call.
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
  queueList: 'queue:list',
  queueCancel: 'queue:cancel',
} as const;

export const EVENT_CHANNELS = {
  run: 'run:event',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

const specText = z.string().min(1).max(2_000_000);
const runId = z.string().regex(RUN_ID_PATTERN, RUN_ID_EXPECTED);

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
  ...QUEUE_REQUEST_SCHEMAS,
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
export interface ResponseMap extends QueueResponseMap {
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

/**
 * What the Electron preload exposes as `window.conductor`: the same calls, but answering with the
 * Result envelope instead of throwing (contextBridge would keep only an Error's message). The
 * renderer's api client turns a failed Result back into a typed ApiError (code and details).
 */
export interface ConductorBridge {
  invoke<C extends Channel>(channel: C, request: RequestMap[C]): Promise<Result<ResponseMap[C]>>;
  /** subscribe to run events; returns an unsubscribe function */
  onRunEvent(listener: (event: RunEvent) => void): () => void;
}

/** The conductor service behind the transports (implemented in electron/, served over IPC and HTTP). */
export type ConductorHandlers = { [C in Channel]: (request: z.output<(typeof REQUEST_SCHEMAS)[C]>) => Promise<ResponseMap[C]> };

/** HTTP transport: POST /api/<channel> with a JSON body; events on GET /api/events (text/event-stream). */
export const HTTP_PREFIX = '/api/';
export const HTTP_EVENTS_PATH = '/api/events';
/** change events (webhooks) for `conductor serve`: HTTP only, signed or with the bearer token */
export const HTTP_TRIGGER_PATH = '/api/triggers/event';
export function httpPathFor(channel: Channel): string {
  return HTTP_PREFIX + channel.replace(':', '/');
}

/**
 * The one dispatch behind both transports (Electron IPC and HTTP): a channel name and its request
 * in, a Result out. The request is validated with REQUEST_SCHEMAS (a refusal is USAGE with
 * `details.issues`, each naming its field path), the handler is called, and anything it throws
 * leaves as the typed envelope `{code, message, details}` — never a stack. A transport adds only
 * what is its own: the sender check for IPC; body reading, status codes and the token for HTTP.
 */
export type Dispatch = (channel: string, request: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** called for every request refused before it reached a handler (for the log) */
  onRefused?: (channel: string, reason: string) => void;
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(CHANNELS));

/** a name of the contract's channels */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && KNOWN.has(name);
}

export function createDispatch(handlers: ConductorHandlers, opts: DispatchOptions = {}): Dispatch {
  return async (channel, request) => {
    if (!isChannel(channel)) {
      opts.onRefused?.(channel, 'unknown channel');
      return { ok: false, error: { code: 'NOT_FOUND', message: `no such channel: ${channel}` } };
    }
    const parsed = REQUEST_SCHEMAS[channel].safeParse(request);
    if (!parsed.success) {
      opts.onRefused?.(channel, 'invalid request');
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const first = issues[0];
      const named = first ? `${first.path || '(request)'}: ${first.message}` : 'bad input';
      return { ok: false, error: { code: 'USAGE', message: `invalid request for ${channel}: ${named}`, details: { issues } } };
    }
    try {
      const handler = handlers[channel] as (r: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      return { ok: true, value: value ?? null };
    } catch (err) {
      return { ok: false, error: toErrorDto(err) };
    }
  };
}
