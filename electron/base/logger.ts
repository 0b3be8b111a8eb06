/** A minimal structured logger passed in as a dependency. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export function consoleLogger(opts: { debug?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const out = opts.stream ?? process.stderr;
  const line = (level: string, message: string, fields?: Record<string, unknown>) =>
    out.write(`${new Date().toISOString()} ${level} ${message}${fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : ''}\n`);
  return {
    info: (m, f) => line('info ', m, f),
    warn: (m, f) => line('warn ', m, f),
    error: (m, f) => line('error', m, f),
    debug: (m, f) => (opts.debug ? line('debug', m, f) : undefined),
  };
}
