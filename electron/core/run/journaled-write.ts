import type { EcsDesiredState, K8sDesiredState } from '../../../shared/model/app-state.ts';
import { errorMessage } from '../../../shared/model/errors.ts';
import type { Substrates } from '../../substrates/types.ts';
import type { AppUnit } from '../rules/units.ts';
import type { RunJournal } from './journal.ts';

export type WritePurpose = 'deploy' | 'scale' | 'restore';

/**
 * The only way the conductor writes to the test environment: journal the intent (durably), write
 * through the test side's writer (which refuses production), journal the result. A crash after
 * the intent is recoverable: `recover` restores from the snapshot.
 */
export async function journaledWrite(
  journal: RunJournal,
  test: Substrates['test'],
  unit: AppUnit,
  purpose: WritePurpose,
  desired: K8sDesiredState | EcsDesiredState,
  signal: AbortSignal,
  onIntentJournaled?: () => void,
): Promise<void> {
  if (unit.substrate === 'kubernetes') await journal.append({ type: 'write-intent', app: unit.name, purpose, substrate: 'kubernetes', desired: desired as K8sDesiredState });
  else await journal.append({ type: 'write-intent', app: unit.name, purpose, substrate: 'ecs', desired: desired as EcsDesiredState });
  onIntentJournaled?.();
  try {
    let result: string | undefined;
    if (unit.substrate === 'kubernetes') await test.kubernetes!.apply(unit.k8s!, desired as K8sDesiredState, signal);
    else result = await test.ecs!.apply(unit.ecs!, desired as EcsDesiredState, signal);
    await journal.append({ type: 'write-done', app: unit.name, purpose, ...(result ? { result } : {}) });
  } catch (err) {
    await journal.append({ type: 'write-failed', app: unit.name, purpose, message: errorMessage(err) });
    throw err;
  }
}
