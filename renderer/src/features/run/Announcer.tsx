import { useEffect, useRef, useState } from 'react';
import type { RunStatus } from '../../../../shared/model/run.ts';
import { isActive, useRunStore } from '../../stores/run.ts';
import { useConnectionStore } from '../../stores/connection.ts';
import { verdictWords } from '../../../../shared/report/run-timeline.ts';

/**
 * Live regions for screen readers: phase changes (polite); guard breaches, the verdict and a lost
 * connection (assertive). Each message is said once per run, when it happens.
 */
export interface Said {
  runId: string | null;
  keys: Set<string>;
}

export function announcements(next: RunStatus | null, said: Said): { polite: string[]; assertive: string[] } {
  const polite: string[] = [];
  const assertive: string[] = [];
  if (!next) return { polite, assertive };
  if (said.runId !== next.runId) {
    const fresh = said.runId !== null || isActive(next);
    said.runId = next.runId;
    said.keys = new Set();
    // a finished run read at start-up is history, not news: remember it without saying it
    if (!fresh) {
      for (const p of next.phases) said.keys.add(`phase ${p.phase}`);
      for (const g of next.guards) said.keys.add(`guard ${g.guard} ${g.state} ${g.t}`);
      if (next.verdict) said.keys.add('verdict');
      return { polite, assertive };
    }
    polite.push(`Run ${next.runId} of ${next.specName} started.`);
  }
  const once = (key: string) => !said.keys.has(key) && said.keys.add(key) !== undefined;
  for (const p of next.phases) if (p.state === 'running' && once(`phase ${p.phase}`)) polite.push(`Phase ${p.phase} started.`);
  for (const g of next.guards) {
    if (g.state === 'ok' || !once(`guard ${g.guard} ${g.state} ${g.t}`)) continue;
    assertive.push(g.state === 'breached' ? `Guard breached: ${g.message}.` : `Guard ${g.guard} breaching: ${g.message}.`);
  }
  if (next.verdict && once('verdict')) {
    const w = verdictWords(next);
    assertive.push(`Verdict: ${w.status}${w.caveats ? `, ${w.caveats}` : ''}.${next.verdict.reasons.length ? ' ' + next.verdict.reasons.join('; ') + '.' : ''}`);
  }
  return { polite, assertive };
}

export function Announcer() {
  const status = useRunStore((s) => s.status);
  const connection = useConnectionStore((s) => s.state);
  const said = useRef<Said>({ runId: null, keys: new Set() });
  const [polite, setPolite] = useState('');
  const [assertive, setAssertive] = useState('');
  useEffect(() => {
    const a = announcements(status, said.current);
    if (a.polite.length) setPolite(a.polite.join(' '));
    if (a.assertive.length) setAssertive(a.assertive.join(' '));
  }, [status]);
  useEffect(() => {
    if (connection === 'offline') setAssertive('Disconnected from the conductor.');
  }, [connection]);
  return (
    <div className="sr-only">
      <div role="status" aria-live="polite" aria-label="Run announcements">
        {polite}
      </div>
      <div role="alert" aria-live="assertive" aria-label="Run alerts">
        {assertive}
      </div>
    </div>
  );
}
