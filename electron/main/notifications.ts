import type { RunEvent } from '../../shared/model/run.ts';

/**
 * Desktop notifications for what a release manager must not miss: phase changes, guard breaches
 * and the verdict. Pure mapping; index.ts shows them with Electron's Notification.
 */
export interface DesktopNotice {
  title: string;
  body: string;
  urgent: boolean;
}

export function noticeFor(event: RunEvent): DesktopNotice | null {
  switch (event.type) {
    case 'phase':
      return event.state === 'running' ? { title: `Load test: ${event.phase}`, body: `Phase ${event.phase} started (run ${event.runId})`, urgent: false } : null;
    case 'guard':
      return event.guard.state === 'breached' ? { title: `Guard breached: ${event.guard.guard}`, body: event.guard.message, urgent: true } : null;
    case 'abort':
      return event.step === 'done' ? { title: 'Load test aborted', body: `${event.reason} — the test environment was restored` , urgent: true } : null;
    case 'verdict': {
      const v = event.verdict;
      const reasons = v.reasons.length ? `: ${v.reasons.join('; ')}` : '';
      return { title: `Load test ${v.status}`, body: `${v.plateauOpm === null ? '—' : Math.round(v.plateauOpm)} of ${v.targetOpm} OPM${reasons}`, urgent: v.status !== 'passed' };
    }
    default:
      return null;
  }
}
