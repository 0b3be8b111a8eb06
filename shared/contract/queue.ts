import { z } from 'zod';

/**
 * The run queue of `conductor serve` as the cockpit and the API see it (queue:list, queue:cancel):
 * what is queued or running per test environment, why, who or what triggered it and since when;
 * the trigger log (change events received) and the schedules.
 */

/** Who or what asked for a run. */
export interface TriggerInfo {
  /** github, gitlab, argocd, cloudevents, event (plain JSON), schedule, manual */
  source: 'github' | 'gitlab' | 'argocd' | 'cloudevents' | 'event' | 'schedule' | 'manual';
  /** one line: "GitHub push to acme/checkout main (3f2a1c0) by alice" */
  summary: string;
  /** the person or system that caused it, when the event says */
  by?: string;
  deliveryId?: string;
  service?: string;
  image?: string;
  version?: string;
  repository?: string;
  ref?: string;
  commit?: string;
}

export type QueueItemState = 'queued' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled' | 'recovered' | 'interrupted';

export interface QueueItemDto {
  id: number;
  specName: string;
  /** the test environment the item waits for (one run at a time on each) */
  testEnvironment: string;
  state: QueueItemState;
  /** why it runs: "checkout changed", "schedule 0 2 * * * (Europe/Berlin)" */
  reason: string;
  trigger: TriggerInfo;
  /** feature-branch mode: app → image deployed instead of production's version */
  overrides: Record<string, string>;
  enqueuedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  runId: string | null;
  /** the verdict, or what went wrong, once it ended */
  outcome: string | null;
}

export interface TriggerLogDto {
  id: number;
  deliveryId: string;
  source: TriggerInfo['source'];
  receivedAt: string;
  summary: string;
  /** queued (with the specs), no spec selected, ignored (e.g. a ping) */
  outcome: string;
  queued: string[];
}

export interface ScheduleDto {
  specName: string;
  cron: string;
  timeZone: string;
  nextRun: string | null;
  lastSlot: string | null;
}

export interface QueueListDto {
  /** queued and running items, oldest first, then the most recent finished ones */
  items: QueueItemDto[];
  /** the latest change events received, newest first */
  triggers: TriggerLogDto[];
  schedules: ScheduleDto[];
  /** the specs `serve --specs DIR` may run (names), empty when it was started without */
  specs: string[];
}

export const QUEUE_REQUEST_SCHEMAS = {
  'queue:list': z.object({}).strict(),
  'queue:cancel': z.object({ id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict(),
};

export interface QueueResponseMap {
  'queue:list': QueueListDto;
  'queue:cancel': { cancelled: boolean; message: string; item: QueueItemDto | null };
}
