import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../support/clocks.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import { startRun } from '../../../electron/core/run/conductor.ts';
import { currentGuards, isRunActive, reduceRunEvent, reduceRunEvents } from '../../../shared/model/run-reducer.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { makeSpec, makeWorld } from '../core/lifecycle-fakes.ts';

/**
 * The run's status is the fold of its events: whoever folds the events a run emitted (the
 * cockpit, the terminal display) holds exactly the status the core serves — after every event,
 * not only at the end.
 */

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-reducer-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('reduceRunEvent', () => {
  it('folding a run’s events gives the status the core serves, at every step and at the end', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    w.kpi.errorRate = () => (w.kpi.samples > 10 ? 0.2 : 0.001); // a guard breach mid-ramp: the run ends failed, guards and flags populated
    const events: RunEvent[] = [];
    let folded: ReturnType<typeof reduceRunEvent> = null;
    const mismatches: string[] = [];
    const handle = startRun(makeSpec((s) => void (s.spec.guards = { maxErrorRate: 0.05, gracePeriod: '30s' })), { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger: silentLogger, dataDir }, {
      onEvent: (e) => {
        events.push(e);
        folded = reduceRunEvent(folded, e);
        if (JSON.stringify(folded) !== JSON.stringify(handle.status())) mismatches.push(`${events.length}: ${e.type}`);
      },
    });
    const r = await handle.done;
    expect(mismatches).toEqual([]);
    expect(reduceRunEvents(events)).toEqual(r.status);
    expect(r.status.state).toBe('failed');
    expect(r.status.phases.map((p) => `${p.phase}:${p.state}`)).toContain('ramp:failed');
    // once breached, a guard stays breached in the current view whatever came after
    expect(currentGuards(r.status).get('maxErrorRate')?.state).toBe('breached');
    expect(isRunActive(r.status)).toBe(false);
  });

  it('ignores events of another run, and is active until run-ended even after the verdict', () => {
    const started = reduceRunEvents([{ type: 'run-started', runId: 'a', status: { runId: 'a', specName: 's', state: 'running', phase: null, startedAt: '', timeScale: 1, phases: [], apps: [], samples: [], guards: [], knee: null, abort: null, verdict: null, testEnvironment: 't', flags: [] } }])!;
    expect(reduceRunEvent(started, { type: 'flag', runId: 'b', message: 'x' })).toBe(started);
    const verdict = { status: 'passed' as const, reasons: [], plateauOpm: 1, targetOpm: 1, plateauP99Ms: null, errorRate: 0, knee: null, restoreComplete: true };
    const afterVerdict = reduceRunEvent(started, { type: 'verdict', runId: 'a', verdict })!;
    expect(afterVerdict.verdict).toEqual(verdict);
    expect(isRunActive(afterVerdict)).toBe(true);
  });
});
