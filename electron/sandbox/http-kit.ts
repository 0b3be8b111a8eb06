import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_HOST } from './ports.ts';
import { errorMessage } from '../../shared/model/errors.ts';

/**
 * Small pieces every sandbox server shares: a loopback HTTP server, a request log, and fault
 * injection (latency, 5xx bursts, 409 conflicts, dropped watches) for tests.
 */

export interface RequestLogEntry {
  t: number;
  method: string;
  path: string;
  status: number;
  mutating: boolean;
  /** e.g. the ECS operation or the Kubernetes verb */
  operation?: string;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  constructor(private readonly limit = 100_000) {}
  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }
  get total(): number {
    return this.entries.length;
  }
  get mutating(): number {
    return this.entries.filter((e) => e.mutating).length;
  }
  clear(): void {
    this.entries.length = 0;
  }
}

export interface FaultConfig {
  /** added to every request, in real milliseconds */
  latencyMs?: number;
  /** the next N requests (matching `match`, if given) answer 503 */
  fail5xx?: number;
  /** the next N mutating requests answer 409 Conflict */
  conflicts?: number;
  /** open watches are closed by the server after this many real ms */
  dropWatchesAfterMs?: number;
  /** only requests whose path includes this string are affected by fail5xx/conflicts */
  match?: string;
}

export class FaultInjector {
  private config: FaultConfig = {};
  set(config: FaultConfig): void {
    this.config = { ...config };
  }
  clear(): void {
    this.config = {};
  }
  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }
  get dropWatchesAfterMs(): number | undefined {
    return this.config.dropWatchesAfterMs;
  }
  /** consume one injected 5xx, if any applies to this path */
  take5xx(path: string): boolean {
    if (!this.config.fail5xx || (this.config.match && !path.includes(this.config.match))) return false;
    this.config.fail5xx -= 1;
    return true;
  }
  /** consume one injected 409, if any applies to this mutating request */
  takeConflict(path: string): boolean {
    if (!this.config.conflicts || (this.config.match && !path.includes(this.config.match))) return false;
    this.config.conflicts -= 1;
    return true;
  }
}

export interface LoopbackServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Start an HTTP server on 127.0.0.1 (port 0 = ephemeral). Open connections are destroyed on close. */
export async function startLoopbackServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
  port = 0,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: errorMessage(err) }));
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, SANDBOX_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${SANDBOX_HOST}:${actual}`,
    port: actual,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Read a request body with a size cap (bytes). */
export async function readBody(req: IncomingMessage, maxBytes = 5 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error(`request body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
