import { toErrorDto } from '../model/errors.ts';
import { CHANNELS, REQUEST_SCHEMAS, type Channel, type ConductorHandlers, type Result } from './index.ts';

/**
 * The one dispatch behind both transports (Electron IPC and HTTP): a channel name and its request
 * in, a Result out. The request is validated with REQUEST_SCHEMAS (a refusal is USAGE with
 * `details.issues`, each naming its field path), the handler is called, and anything it throws
 * leaves as the typed envelope `{code, message, details}` — never a stack. A transport adds only
 * what is its own: the sender check for IPC; body reading, status codes and the token for HTTP.
 */
export type Dispatch = (channel: string, request: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** called for every request refused before it reached a handler (for the log) */
  onRefused?: (channel: string, reason: string) => void;
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(CHANNELS));

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && KNOWN.has(name);
}

export function createDispatch(handlers: ConductorHandlers, opts: DispatchOptions = {}): Dispatch {
  return async (channel, request) => {
    if (!isChannel(channel)) {
      opts.onRefused?.(channel, 'unknown channel');
      return { ok: false, error: { code: 'NOT_FOUND', message: `no such channel: ${channel}` } };
    }
    const parsed = REQUEST_SCHEMAS[channel].safeParse(request);
    if (!parsed.success) {
      opts.onRefused?.(channel, 'invalid request');
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const first = issues[0];
      const named = first ? `${first.path || '(request)'}: ${first.message}` : 'bad input';
      return { ok: false, error: { code: 'USAGE', message: `invalid request for ${channel}: ${named}`, details: { issues } } };
    }
    try {
      const handler = handlers[channel] as (r: unknown) => Promise<unknown>;
      const value = await handler(parsed.data);
      return { ok: true, value: value ?? null };
    } catch (err) {
      return { ok: false, error: toErrorDto(err) };
    }
  };
}
