import type { IpcMainInvokeEvent } from 'electron';
import { CHANNELS, EVENT_CHANNELS, createDispatch, type Channel, type ConductorHandlers, type Result } from '../../shared/contract/index.ts';
import type { RunEvent } from '../../shared/model/run.ts';
import { isAppUrl, type RendererLocation } from './window.ts';

/**
 * IPC for the ConductorApi: one `ipcMain.handle` per CHANNELS entry (generated from the contract),
 * the sender frame checked, then the shared dispatch (createDispatch in shared/contract, the same as
 * HTTP's): answers are Result<T>, errors the typed envelope {code, message, details}.
 * ipcMain is passed in, so tests use a stand-in.
 */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The parts of IpcMainInvokeEvent the checks read. */
export interface IpcEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown; routingId?: number } | null;
}

// keep IpcEventLike assignable from the real event
export type _RealEventIsLike = IpcMainInvokeEvent extends IpcEventLike ? true : never;

export type SenderCheck = (event: IpcEventLike) => boolean;

/** Accept only the main frame of our own window, showing the app itself. */
export function appSenderCheck(opts: { webContentsId: () => number | null; where: RendererLocation }): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame) return false;
    if (frame.parent !== null && frame.parent !== undefined) return false;
    const id = opts.webContentsId();
    if (id === null || event.sender.id !== id) return false;
    return isAppUrl(frame.url, opts.where);
  };
}

export interface RegisterIpcOptions {
  ipcMain: IpcMainLike;
  handlers: ConductorHandlers;
  isTrustedSender: SenderCheck;
  /** called for every refused call (for the log) */
  onRefused?: (channel: Channel, reason: string) => void;
}

/** Register every channel; returns a function that removes the handlers again. */
export function registerIpcHandlers({ ipcMain, handlers, isTrustedSender, onRefused }: RegisterIpcOptions): () => void {
  const channels = Object.values(CHANNELS);
  const dispatch = createDispatch(handlers, { onRefused: (channel, reason) => onRefused?.(channel as Channel, reason) });
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, ...args): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        onRefused?.(channel, 'untrusted sender');
        return { ok: false, error: { code: 'FORBIDDEN', message: `refused ${channel}: the request did not come from the cockpit window` } };
      }
      if (args.length !== 1) {
        onRefused?.(channel, 'wrong argument count');
        return { ok: false, error: { code: 'USAGE', message: `${channel} takes exactly one request object, got ${args.length} arguments` } };
      }
      return dispatch(channel, args[0]);
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Forward run events to the window on EVENT_CHANNELS.run; returns the unsubscribe. */
export function forwardRunEvents(
  onEvent: (listener: (event: RunEvent) => void) => () => void,
  target: () => { isDestroyed(): boolean; send(channel: string, payload: RunEvent): void } | null,
): () => void {
  return onEvent((event) => {
    const t = target();
    if (t && !t.isDestroyed()) t.send(EVENT_CHANNELS.run, event);
  });
}
