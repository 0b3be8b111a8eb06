import { printable } from '../../shared/model/text.ts';

/**
 * What the CLI prints carries text from specs, files and servers (names, reasons, messages), so
 * every write to stdout and stderr is shown with control characters escaped (`\u001b`): a spec or
 * a server answer can never clear the screen, move the cursor or print a fake verdict line. New
 * lines and tabs pass. The live panel, which draws with cursor codes of its own, writes through
 * `rawStream` and escapes the text it shows itself (terminal-display.ts).
 */

const RAW = Symbol('raw stream');

export function safeStream<T extends NodeJS.WritableStream>(raw: T): T {
  if ((raw as { [RAW]?: unknown })[RAW]) return raw;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    return (raw.write as (c: string, ...r: unknown[]) => boolean)(printable(text, '\n\t'), ...rest);
  };
  return new Proxy(raw, {
    get(target, prop) {
      if (prop === 'write') return write;
      if (prop === RAW) return target;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The stream under a safeStream (or the stream itself). */
export function rawStream<T extends NodeJS.WritableStream>(stream: T): T {
  return ((stream as { [RAW]?: T })[RAW] ?? stream) as T;
}
