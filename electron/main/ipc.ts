import type { IpcMainInvokeEvent } from 'electron';
import { CHANNELS, EVENT_CHANNELS, REQUEST_SCHEMAS, type Channel, type ConductorHandlers, type Result } from '../../shared/contract/index.ts';
import { toErrorDto } from '../../shared/model/errors.ts';
import type { RunEvent } from '../../shared/model/run.ts';
import { isAppUrl, type RendererLocation } from './window.ts';

/**
 * IPC for the ConductorApi: one `ipcMain.handle` per CHANNELS entry (generated from the contract),
 * each input validated with REQUEST_SCHEMAS, the sender frame checked, answers as Result<T>.
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
      const parsed = REQUEST_SCHEMAS[channel].safeParse(args[0]);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        onRefused?.(channel, 'invalid request');
        const first = issues[0];
        return {
          ok: false,
          error: { code: 'USAGE', message: `invalid request for ${channel}: ${first ? `${first.path || '(request)'}: ${first.message}` : 'bad input'}`, details: { issues } },
        };
      }
      try {
        const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
        const value = await handler(parsed.data);
        return { ok: true, value: value ?? null };
      } catch (err) {
        return { ok: false, error: toErrorDto(err) };
      }
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
