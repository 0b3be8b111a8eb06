import type { ConductorHandlers, RequestMap, ResponseMap } from '../../../shared/contract/index.ts';
import { CHANNELS } from '../../../shared/contract/index.ts';
import type { ParityReport } from '../../../shared/model/parity.ts';
import type { RunEvent, RunStatus } from '../../../shared/model/run.ts';
import type { ConductorService } from '../../../electron/core/service/service-types.ts';
import { ConductorError } from '../../../shared/model/errors.ts';

/**
 * A small stand-in for the conductor service (electron/core/service.ts), for transport tests:
 * canned answers for every channel, a record of the calls, and a way to emit run events.
 */
export interface StandInService extends ConductorService {
  calls: { channel: string; request: unknown }[];
  emit(event: RunEvent): void;
  listenerCount(): number;
  closed: boolean;
}

export const STAND_IN_PARITY: ParityReport = {
  specName: 'sandbox-rehearsal',
  takenAt: '2026-11-23T04:00:00.000Z',
  rows: [
    { app: 'checkout', substrate: 'kubernetes', field: 'image[checkout-api]', production: 'shop/checkout-api:2.4.1', test: 'shop/checkout-api:2.3.0', status: 'drift' },
    { app: 'checkout', substrate: 'kubernetes', field: 'replicas', production: 6, test: 6, status: 'in-parity' },
    { app: 'cart', substrate: 'kubernetes', field: 'replicas', production: 4, test: 1, status: 'drift' },
    { app: 'cart', substrate: 'kubernetes', field: 'image[cart]', production: 'shop/cart:1.9.0', test: 'shop/cart:1.9.0', status: 'in-parity' },
  ],
  summary: { apps: 2, inParity: 2, drift: 2, missing: 0, unreachable: 0 },
};

export function standInStatus(over: Partial<RunStatus> = {}): RunStatus {
  return {
    runId: 'run-1',
    specName: 'sandbox-rehearsal',
    state: 'running',
    phase: 'ramp',
    startedAt: '2026-11-23T04:00:00.000Z',
    timeScale: 100,
    phases: [],
    apps: [],
    samples: [],
    guards: [],
    knee: null,
    abort: null,
    verdict: null,
    testEnvironment: 'sandbox-test (kubernetes) + payments-loadtest (ecs)',
    flags: [],
    ...over,
  };
}

export function createStandInService(): StandInService {
  const listeners = new Set<(e: RunEvent) => void>();
  const calls: StandInService['calls'] = [];
  const answers: { [C in keyof ResponseMap]: (r: RequestMap[C]) => ResponseMap[C] } = {
    'env:list': () => ({ kubeContexts: ['sandbox-prod', 'sandbox-test'], awsProfiles: ['default'], sandbox: { available: true, timeScale: 100 }, host: 'http' }),
    'spec:validate': (r) =>
      r.text.includes('broken')
        ? { ok: false, issues: [{ path: 'spec.load.rampUp', message: 'a duration such as 90s, 30m or 1h30m', line: 3, column: 5 }] }
        : { ok: true, issues: [], specName: 'sandbox-rehearsal', testEnvironment: 'sandbox-test' },
    'spec:examples': () => [{ name: 'sandbox.yaml', text: 'apiVersion: conductor/v1\n' }],
    'spec:open': () => null,
    'spec:save': () => null,
    'parity:read': () => STAND_IN_PARITY,
    'run:start': () => ({ runId: 'run-1', status: standInStatus() }),
    'run:abort': () => ({ accepted: true, status: standInStatus({ state: 'aborting' }) }),
    'run:status': () => null,
    'history:list': () => [],
    'history:get': (r) => {
      throw new ConductorError('NOT_FOUND', `no run ${r.runId}`, { runId: r.runId });
    },
    'history:compare': (r) => {
      throw new ConductorError('NOT_FOUND', `no run ${r.a}`);
    },
    'recovery:list': () => [],
    'recovery:restore': () => ({ restored: false, message: 'nothing to restore' }),
    'settings:get': () => ({ environments: { production: { context: 'sandbox' }, test: { context: 'sandbox' } }, recentSpecs: [] }),
    'queue:list': () => ({ items: [], triggers: [], schedules: [], specs: [] }),
    'queue:cancel': (r) => ({ cancelled: false, message: `no queue item ${r.id}`, item: null }),
    'settings:set': (r) => ({ environments: r.environments ?? { production: { context: 'sandbox' }, test: { context: 'sandbox' } }, recentSpecs: r.recentSpecs ?? [] }),
  };
  const handlers = Object.fromEntries(
    Object.values(CHANNELS).map((channel) => [
      channel,
      async (request: unknown) => {
        calls.push({ channel, request });
        return (answers[channel] as (r: unknown) => unknown)(request);
      },
    ]),
  ) as unknown as ConductorHandlers;
  const service: StandInService = {
    handlers,
    calls,
    closed: false,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const l of listeners) l(event);
    },
    listenerCount: () => listeners.size,
    async close() {
      service.closed = true;
    },
  };
  return service;
}
