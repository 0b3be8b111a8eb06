import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../base/clock.ts';
import { FaultInjector, RequestLog, readBody, startLoopbackServer } from '../http-kit.ts';
import type { EcsSeed, EcsTiming } from './seed.ts';
import { EcsApiError, EcsStore, type JsonObject } from './store.ts';
import { AAS_OPERATIONS, AAS_TARGET_PREFIX, AutoScalingStore } from './autoscaling.ts';
import { shopEcsSeed } from './topology.ts';
import { errorMessage } from '../../../shared/model/errors.ts';

/**
 * The sandbox ECS endpoint: one loopback server for one account and region, serving several
 * clusters, speaking the ECS JSON 1.1 protocol (`POST /`, `x-amz-target:
 * AmazonEC2ContainerServiceV20141113.<Operation>`, `content-type: application/x-amz-json-1.1`).
 * The same endpoint serves Application Auto Scaling for those services (`AnyScaleFrontendService.<Operation>`,
 * ./autoscaling.ts), as one loopback endpoint for several AWS services does.
 * Any SigV4 Authorization header is accepted (signatures are not verified).
 */

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

type Handler = (store: EcsStore, body: JsonObject) => JsonObject;

const OPERATIONS: Record<string, Handler> = {
  ListClusters: (s, b) => s.listClusters(b),
  DescribeClusters: (s, b) => s.describeClusters(b),
  ListServices: (s, b) => s.listServices(b),
  DescribeServices: (s, b) => s.describeServices(b),
  DescribeTaskDefinition: (s, b) => s.describeTaskDefinition(b),
  RegisterTaskDefinition: (s, b) => s.registerTaskDefinition(b),
  UpdateService: (s, b) => s.updateService(b),
};

/** ECS operations that change state (whether or not the sandbox implements them). */
const MUTATING_PREFIXES = ['Create', 'Update', 'Delete', 'Register', 'Deregister', 'Put', 'Run', 'Start', 'Stop', 'Submit', 'Tag', 'Untag', 'Execute'];
export const isMutatingEcsOperation = (op: string) => MUTATING_PREFIXES.some((p) => op.startsWith(p));

export interface EcsServerOptions {
  clock: Clock;
  /** default: shopEcsSeed() */
  seed?: EcsSeed;
  /** default 0 (ephemeral); the standalone sandbox passes SANDBOX_DEFAULT_PORTS.ecs */
  port?: number;
  /**
   * Faults: `latencyMs` delays every request; `fail5xx: N` answers the next N requests with 503
   * ServiceUnavailableException / 500 ServerException, alternately; `match` restricts 5xx faults to
   * operations whose name includes it (e.g. 'DescribeServices').
   */
  faults?: FaultInjector;
  log?: RequestLog;
  /** cluster names whose mutating requests are counted as "production received a write" */
  productionClusters?: string[];
  timing?: Partial<EcsTiming>;
  /** simulated ms between two evaluations of the auto scaling policies (default 60000) */
  policyIntervalMs?: number;
}

export interface EcsServer {
  readonly url: string;
  readonly port: number;
  readonly store: EcsStore;
  /** Application Auto Scaling: scalable targets and their policy loop */
  readonly autoscaling: AutoScalingStore;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  /** mutating requests received (attempted, whatever the answer); with a cluster: those naming that cluster */
  mutatingRequests(cluster?: string): number;
  /** mutating requests that named one of `productionClusters` */
  productionMutatingRequests(): number;
  /** requests per operation name */
  operationCounts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startEcsServer(opts: EcsServerOptions): Promise<EcsServer> {
  const seed = opts.seed ?? shopEcsSeed();
  const store = new EcsStore(opts.clock, seed, opts.timing);
  const autoscaling = new AutoScalingStore(opts.clock, store);
  for (const c of seed.clusters) for (const svc of c.services) if (svc.autoscaling) autoscaling.seed(c.name, svc.name, svc.autoscaling);
  const policyLoop = new AbortController();
  const policyMs = opts.policyIntervalMs ?? 60_000;
  void (async () => {
    while (!policyLoop.signal.aborted) {
      try {
        await opts.clock.sleep(policyMs, policyLoop.signal);
      } catch {
        return;
      }
      autoscaling.evaluate();
    }
  })();
  const faults = opts.faults ?? new FaultInjector();
  const log = opts.log ?? new RequestLog();
  const production = new Set(opts.productionClusters ?? []);
  const mutatingByCluster = new Map<string, number>();
  const opCounts = new Map<string, number>();
  let mutatingTotal = 0;
  let failToggle = 0;
  // injected latency ends early when the server closes, so no timer outlives it
  const delays = new Set<() => void>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        delays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      delays.add(done);
    });

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const aas = target.startsWith(AAS_TARGET_PREFIX);
    const op = target.startsWith(ECS_TARGET_PREFIX) ? target.slice(ECS_TARGET_PREFIX.length) : aas ? target.slice(AAS_TARGET_PREFIX.length) : '';
    const mutating = op !== '' && isMutatingEcsOperation(op);
    let status = 200;
    const reply = (code: number, body: JsonObject) => {
      status = code;
      if (res.destroyed || res.writableEnded) return;
      const text = JSON.stringify(body);
      res.writeHead(code, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
      res.end(text);
    };
    const fail = (code: number, type: string, message: string) => reply(code, { __type: type, message });
    try {
      const raw = await readBody(req);
      let body: JsonObject = {};
      let parseError = false;
      if (raw.trim() !== '') {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as JsonObject;
          else parseError = true;
        } catch {
          parseError = true;
        }
      }
      if (op) opCounts.set(op, (opCounts.get(op) ?? 0) + 1);
      if (mutating) {
        mutatingTotal += 1;
        const cluster = aas
          ? AutoScalingStore.clusterOf(body)
          : op === 'RegisterTaskDefinition' || op === 'DeregisterTaskDefinition'
            ? undefined
            : EcsStore.clusterName(typeof body.cluster === 'string' ? body.cluster : 'default');
        if (cluster !== undefined) mutatingByCluster.set(cluster, (mutatingByCluster.get(cluster) ?? 0) + 1);
      }
      if (faults.latencyMs > 0) await delay(faults.latencyMs);
      if (faults.take5xx(op || req.url || '/')) {
        failToggle += 1;
        if (failToggle % 2 === 1) return fail(503, 'ServiceUnavailableException', 'Service is unavailable. Please try again later.');
        return fail(500, 'ServerException', 'Service encountered an internal error. Please try again later.');
      }
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') return fail(404, 'UnknownOperationException', `No operation at ${req.method} ${req.url}`);
      if (!op) return fail(400, 'UnknownOperationException', `Missing or unknown x-amz-target; expected ${ECS_TARGET_PREFIX}<Operation>`);
      if (parseError) return fail(400, 'SerializationException', 'Request body is not a JSON object.');
      if (aas) {
        const aasImpl = AAS_OPERATIONS[op];
        if (!aasImpl) return fail(400, 'UnknownOperationException', `Application Auto Scaling operation ${op} is not implemented by the Conductor sandbox.`);
        return reply(200, aasImpl(autoscaling, body));
      }
      const impl = OPERATIONS[op];
      if (!impl) return fail(400, 'UnknownOperationException', `Operation ${op} is not implemented by the Conductor sandbox.`);
      return reply(200, impl(store, body));
    } catch (err) {
      if (err instanceof EcsApiError) return fail(err.status, err.type, err.message);
      return fail(500, 'ServerException', errorMessage(err));
    } finally {
      log.add({ t: opts.clock.now(), method: req.method ?? 'POST', path: req.url ?? '/', status, mutating, ...(op ? { operation: op } : {}) });
    }
  };

  const server = await startLoopbackServer(handler, opts.port ?? 0);
  return {
    url: server.url,
    port: server.port,
    store,
    autoscaling,
    faults,
    log,
    mutatingRequests: (cluster?: string) => (cluster === undefined ? mutatingTotal : (mutatingByCluster.get(EcsStore.clusterName(cluster)) ?? 0)),
    productionMutatingRequests: () => [...production].reduce((sum, c) => sum + (mutatingByCluster.get(c) ?? 0), 0),
    operationCounts: () => Object.fromEntries(opCounts),
    close: async () => {
      policyLoop.abort();
      for (const done of [...delays]) done();
      await server.close();
    },
  };
}
