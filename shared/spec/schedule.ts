import { Cron } from 'croner';

/**
 * Cron schedules (spec.schedule) read by one library, croner: 5 fields (minute hour day month
 * weekday) or 6 with seconds first, in an IANA time zone. Pure: the schema, the renderer and the
 * server's scheduler (electron/core/service/scheduler.ts) share it.
 */

export interface CronProblem {
  field: 'cron' | 'timeZone';
  message: string;
  expected: string;
}

const CRON_EXPECTED = 'a cron expression such as "0 2 * * *" (minute hour day month weekday; 6 fields: seconds first)';

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** why a cron expression or time zone is unusable, or null */
export function cronProblem(cron: string, timeZone: string): CronProblem | null {
  if (!validTimeZone(timeZone)) return { field: 'timeZone', message: 'is not a time zone', expected: 'an IANA time zone such as UTC or Europe/Berlin' };
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return { field: 'cron', message: `has ${fields} fields`, expected: CRON_EXPECTED };
  try {
    const c = new Cron(cron, { timezone: timeZone, paused: true });
    const next = c.nextRun();
    c.stop();
    if (!next) return { field: 'cron', message: 'never fires', expected: CRON_EXPECTED };
  } catch {
    return { field: 'cron', message: 'is not a cron expression', expected: CRON_EXPECTED };
  }
  return null;
}

/** the schedule's next slot strictly after `after` (null: none) */
export function nextSlot(cron: string, timeZone: string, after: Date): Date | null {
  const c = new Cron(cron, { timezone: timeZone, paused: true });
  try {
    return c.nextRun(after);
  } finally {
    c.stop();
  }
}

/** the schedule's latest slot at or before `at` (null: none) */
export function previousSlot(cron: string, timeZone: string, at: Date): Date | null {
  const c = new Cron(cron, { timezone: timeZone, paused: true });
  try {
    // previousRuns looks strictly before its reference: a slot exactly at `at` counts, so look from 1 ms later
    return c.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
  } finally {
    c.stop();
  }
}
