import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * A raw Kubernetes API client for the conformance suite: one request answered with its status,
 * headers and parsed body, and a watch read event by event. Raw on purpose: the differential tests
 * compare exactly what two servers answer, and the plane's seeder needs no more. Speaks http (the
 * sandbox) and https with a CA and a bearer token (the real plane).
 */

export interface KubeEndpoint {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  token?: string;
  /** PEM of the CA that signed the server's certificate */
  ca?: string;
}

export interface KubeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** the parsed JSON body, or the text when it is not JSON */
  body: unknown;
  text: string;
}

export type JsonObj = Record<string, unknown>;

function open(ep: KubeEndpoint, method: string, path: string, headers: Record<string, string>, timeoutMs: number, onResponse: (res: IncomingMessage) => void, onError: (err: Error) => void) {
  const url = new URL(path, ep.server);
  const opts = {
    method,
    headers: { accept: 'application/json', ...(ep.token ? { authorization: `Bearer ${ep.token}` } : {}), ...headers },
    timeout: timeoutMs,
    ...(ep.ca ? { ca: ep.ca } : {}),
  };
  const req = url.protocol === 'https:' ? httpsRequest(url, opts, onResponse) : httpRequest(url, opts, onResponse);
  req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
  req.on('error', onError);
  return req;
}

export function kubeRequest(ep: KubeEndpoint, method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<KubeAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = open(
      ep,
      method,
      path,
      { ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': String(Buffer.byteLength(payload)) }), ...headers },
      timeoutMs,
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON: keep the text */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
        });
        res.on('error', reject);
      },
      reject,
    );
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** kubeRequest that insists on a 2xx answer and returns the body */
export async function kubeOk<T = JsonObj>(ep: KubeEndpoint, method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const a = await kubeRequest(ep, method, path, body, contentType);
  if (a.status < 200 || a.status > 299) throw new Error(`${method} ${path} on ${ep.server}: HTTP ${a.status}: ${a.text.slice(0, 500)}`);
  return a.body as T;
}

export interface WatchEventJson {
  type: string;
  object: JsonObj;
}

export interface OpenWatch {
  /** the HTTP status the watch was answered with */
  status: number;
  /** the non-2xx body, if any */
  errorBody?: unknown;
  events: WatchEventJson[];
  /** resolves with the events once `until` holds for the events so far, or the stream ends, or `timeoutMs` passes */
  until(done: (events: WatchEventJson[]) => boolean, timeoutMs: number): Promise<WatchEventJson[]>;
  close(): void;
}

/** Open a watch (`path` carries ?watch=true and the rest); events are collected as they arrive. */
export function kubeWatch(ep: KubeEndpoint, path: string, timeoutMs = 60_000): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const events: WatchEventJson[] = [];
    const waiters = new Set<() => void>();
    let ended = false;
    const notify = () => {
      for (const w of [...waiters]) w();
    };
    const req = open(
      ep,
      'GET',
      path,
      {},
      timeoutMs,
      (res) => {
        const status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        if (status < 200 || status > 299) {
          let text = '';
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            let errorBody: unknown = text;
            try {
              errorBody = JSON.parse(text);
            } catch {
              /* keep the text */
            }
            resolve({ status, errorBody, events, until: async () => events, close: () => req.destroy() });
          });
          return;
        }
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) {
              try {
                events.push(JSON.parse(line) as WatchEventJson);
              } catch {
                /* a partial or non-JSON line is not an event */
              }
            }
          }
          notify();
        });
        const finish = () => {
          ended = true;
          notify();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
        resolve({
          status,
          events,
          until(done, ms) {
            return new Promise((ok) => {
              const check = () => {
                if (ended || done(events)) {
                  clearTimeout(timer);
                  waiters.delete(check);
                  ok(events);
                }
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                ok(events);
              }, ms);
              waiters.add(check);
              check();
            });
          },
          close: () => req.destroy(),
        });
      },
      (err) => {
        ended = true;
        notify();
        reject(err);
      },
    );
    req.end();
  });
}

/** Compact etcd's history through `revision` (a resourceVersion of the API servers on it), through etcd's JSON gateway. */
export async function compactEtcd(etcd: string, revision: string): Promise<void> {
  const res = await fetch(`${etcd}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
  if (!res.ok) throw new Error(`etcd compaction at ${revision}: HTTP ${res.status}: ${await res.text()}`);
}
