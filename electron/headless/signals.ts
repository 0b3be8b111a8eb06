/**
 * The termination signals a command holds while it works: Ctrl-C (SIGINT), a kill (SIGTERM) and a
 * closed terminal (SIGHUP). While held, a signal never ends the process — the command decides
 * what it means (abort and restore, cancel a wait, or "restoring, please wait"); only kill -9 ends
 * a restore, and `conductor recover` finishes what that leaves.
 */
export type TerminationSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export const TERMINATION_SIGNALS: readonly TerminationSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Something that delivers signals (process, or a stand-in in tests). */
export interface SignalSource {
  on(signal: TerminationSignal, listener: (signal?: TerminationSignal) => void): unknown;
  off(signal: TerminationSignal, listener: (signal?: TerminationSignal) => void): unknown;
}

/** what a signal is, in words */
export function signalReason(signal: TerminationSignal | undefined): string {
  return signal === 'SIGHUP' ? 'terminal closed (SIGHUP)' : signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted (Ctrl-C)';
}

/** Run `work` with the signals held: each one goes to `onSignal` (with how many have come so far). */
export async function holdingSignals<T>(signals: SignalSource, onSignal: (count: number, signal: TerminationSignal) => void, work: () => Promise<T>): Promise<T> {
  let count = 0;
  const listener = (signal?: TerminationSignal) => {
    count += 1;
    onSignal(count, signal ?? 'SIGINT');
  };
  for (const s of TERMINATION_SIGNALS) signals.on(s, listener);
  try {
    return await work();
  } finally {
    for (const s of TERMINATION_SIGNALS) signals.off(s, listener);
  }
}
