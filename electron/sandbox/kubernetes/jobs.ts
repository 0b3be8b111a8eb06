import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../base/clock.ts';
import { clone, isObject, type Json, type JsonObject } from './patch.ts';
import { defaultPodTemplate, InvalidObject, type KubeStore } from './store.ts';

/**
 * The sandbox's batch/v1 Job controller: validates and defaults a Job on create the way the API
 * server does, then runs it on the sandbox clock — startTime and active 1 at once, then after
 * a simulated duration either succeeded 1 + completionTime + Complete, or (when a fault rule
 * matches, or activeDeadlineSeconds is shorter than the duration) failed + a Failed condition.
 * A finished Job with ttlSecondsAfterFinished is deleted that many simulated seconds later.
 * No pods are simulated. Every Job created is recorded for tests (`created()`).
 */

export interface JobRecord {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  /** the first container's image and command */
  image: string;
  command: string[];
  createdAt: number;
  outcome: 'Running' | 'Suspended' | 'Complete' | 'Failed';
  finishedAt?: number;
  /** set when the Job was deleted (through the API — the policy given, else Orphan as for Jobs upstream — or by its TTL) */
  deleted?: { at: number; propagationPolicy: string; by: 'api' | 'ttl' };
}

export interface JobFailure {
  /** condition reason; default BackoffLimitExceeded */
  reason?: string;
  /** condition message; default "Job has reached the specified backoff limit" */
  message?: string;
}

interface FaultRule extends Required<JobFailure> {
  namespace?: string;
  namePrefix: string;
}

export interface JobControllerOptions {
  clock: Clock;
  store: KubeStore;
  /** simulated ms a Job runs before it finishes; default 20000 */
  durationMs?: number;
  /** stops every pending timer (the server's close) */
  signal: AbortSignal;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'];

const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export class JobController {
  /** simulated ms a Job created from now on runs */
  durationMs: number;
  private readonly rules: FaultRule[] = [];
  private readonly records: JobRecord[] = [];

  constructor(private readonly opts: JobControllerOptions) {
    this.durationMs = opts.durationMs ?? 20_000;
  }

  /** Every Job created on this server, in order (deleted ones too). */
  created(): JobRecord[] {
    return this.records.map((r) => structuredClone(r));
  }

  /**
   * Fault hook: Jobs whose name starts with `namePrefix` (in `namespace`, when given) created from
   * now on fail after their duration with this reason and message. Stays until clearFaults().
   */
  failJobs(namePrefix: string, failure: JobFailure & { namespace?: string } = {}): void {
    this.rules.push({
      namePrefix,
      ...(failure.namespace ? { namespace: failure.namespace } : {}),
      reason: failure.reason ?? 'BackoffLimitExceeded',
      message: failure.message ?? 'Job has reached the specified backoff limit',
    });
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  private nowIso(): string {
    return new Date(this.opts.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /**
   * Validate and default a POSTed Job for `namespace`, store it and start it. Throws InvalidObject
   * (→ 422); the caller checks the namespace exists and the name is free (→ 404 / 409).
   */
  admit(namespace: string, body: JsonObject, nameTaken: (name: string) => boolean): JsonObject {
    const job = clone(body);
    const meta = (isObject(job.metadata) ? job.metadata : (job.metadata = {})) as JsonObject;
    if (typeof meta.name !== 'string' || meta.name === '') {
      if (typeof meta.generateName === 'string' && meta.generateName !== '') {
        let candidate = '';
        for (let i = 0; i < 20 && (candidate === '' || nameTaken(candidate)); i++) candidate = meta.generateName + randomBytes(4).toString('hex').slice(0, 5);
        meta.name = candidate;
      } else throw new InvalidObject('metadata.name', 'metadata.name: Required value: name or generateName is required');
    }
    const name = meta.name as string;
    validateJob(job, name);
    meta.namespace = namespace;
    const uid = randomUUID();
    meta.uid = uid;
    job.apiVersion = 'batch/v1';
    job.kind = 'Job';
    const spec = job.spec as JsonObject;
    const template = spec.template as JsonObject;
    const tplMeta = (isObject(template.metadata) ? template.metadata : (template.metadata = {})) as JsonObject;
    const controllerLabels: JsonObject = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    tplMeta.labels = { ...(isObject(tplMeta.labels) ? tplMeta.labels : {}), ...controllerLabels };
    if (!isObject(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = clone(tplMeta.labels);
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    spec.parallelism ??= 1;
    spec.completions ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    spec.manualSelector ??= false;
    defaultPodTemplate(template);
    const stored = this.opts.store.createJob(job);
    const container = ((template.spec as JsonObject).containers as JsonObject[])[0] as JsonObject;
    const record: JobRecord = {
      namespace,
      name,
      uid,
      labels: Object.fromEntries(Object.entries((stored.metadata as JsonObject).labels as JsonObject).map(([k, v]) => [k, String(v)])),
      image: String(container.image),
      command: Array.isArray(container.command) ? container.command.map(String) : [],
      createdAt: this.opts.clock.now(),
      outcome: spec.suspend === true ? 'Suspended' : 'Running',
    };
    this.records.push(record);
    if (spec.suspend !== true) this.start(record, spec);
    return this.opts.store.get('jobs', namespace, name) ?? stored;
  }

  /** Note a deletion through the API (the job's timers see it is gone by its uid). */
  deleted(namespace: string, name: string, uid: string, propagationPolicy: string): void {
    const r = this.records.find((x) => x.uid === uid && x.namespace === namespace && x.name === name);
    if (r && !r.deleted) r.deleted = { at: this.opts.clock.now(), propagationPolicy, by: 'api' };
  }

  private start(record: JobRecord, spec: JsonObject): void {
    const { store, clock, signal } = this.opts;
    const startTime = this.nowIso();
    const base: JsonObject = { startTime, ready: 0, terminating: 0, uncountedTerminatedPods: {} };
    store.writeJobStatus(record.namespace, record.name, record.uid, { ...base, active: 1 });
    const rule = this.rules.find((r) => record.name.startsWith(r.namePrefix) && (!r.namespace || r.namespace === record.namespace));
    const backoffLimit = spec.backoffLimit as number;
    // a failing pod is retried backoffLimit times (bounded here), each taking the duration
    const attempts = rule ? Math.min(backoffLimit + 1, 10) : 1;
    let runMs = this.durationMs * attempts;
    let failure: Required<JobFailure> | undefined = rule ? { reason: rule.reason, message: rule.message } : undefined;
    const deadline = spec.activeDeadlineSeconds;
    if (isNonNegInt(deadline) && deadline * 1000 < runMs) {
      runMs = deadline * 1000;
      failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    }
    void clock.sleep(runMs, signal).then(
      () => {
        const now = this.nowIso();
        const cond = (type: string, reason: string, message: string): JsonObject => ({ type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message });
        const status: JsonObject = failure
          ? {
              ...base,
              failed: failure.reason === 'DeadlineExceeded' ? 1 : attempts,
              conditions: [cond('FailureTarget', failure.reason, failure.message), cond('Failed', failure.reason, failure.message)],
            }
          : {
              ...base,
              completionTime: now,
              succeeded: 1,
              conditions: [
                cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'),
                cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'),
              ],
            };
        if (!store.writeJobStatus(record.namespace, record.name, record.uid, status)) return;
        record.outcome = failure ? 'Failed' : 'Complete';
        record.finishedAt = clock.now();
        const ttl = spec.ttlSecondsAfterFinished;
        if (isNonNegInt(ttl)) this.expire(record, ttl * 1000);
      },
      () => undefined,
    );
  }

  private expire(record: JobRecord, afterMs: number): void {
    const { store, clock, signal } = this.opts;
    void clock.sleep(afterMs, signal).then(
      () => {
        const cur = store.get('jobs', record.namespace, record.name);
        if (!cur || (cur.metadata as JsonObject).uid !== record.uid) return;
        store.delete('jobs', record.namespace, record.name);
        record.deleted = { at: clock.now(), propagationPolicy: 'Background', by: 'ttl' };
      },
      () => undefined,
    );
  }
}

/** The API server's validation of a Job, with its field paths and wording. */
export function validateJob(job: JsonObject, name: string): void {
  if (name.length > 63) throw new InvalidObject('metadata.name', `metadata.name: Invalid value: "${name}": must be no more than 63 characters`);
  if (!NAME_RE.test(name))
    throw new InvalidObject(
      'metadata.name',
      `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  const spec = job.spec;
  if (!isObject(spec)) throw new InvalidObject('spec.template', 'spec.template: Required value');
  for (const f of ['backoffLimit', 'ttlSecondsAfterFinished', 'parallelism', 'completions'] as const) {
    if (spec[f] !== undefined && spec[f] !== null && !isNonNegInt(spec[f]))
      throw new InvalidObject(`spec.${f}`, `spec.${f}: Invalid value: ${JSON.stringify(spec[f])}: must be greater than or equal to 0`);
  }
  if (spec.activeDeadlineSeconds !== undefined && (!isNonNegInt(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds < 1))
    throw new InvalidObject('spec.activeDeadlineSeconds', `spec.activeDeadlineSeconds: Invalid value: ${JSON.stringify(spec.activeDeadlineSeconds)}: must be greater than or equal to 1`);
  const tpl = spec.template;
  const podSpec = isObject(tpl) ? tpl.spec : undefined;
  if (!isObject(podSpec)) throw new InvalidObject('spec.template.spec', 'spec.template.spec: Required value');
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw new InvalidObject('spec.template.spec.containers', 'spec.template.spec.containers: Required value');
  const seen = new Set<string>();
  containers.forEach((c: Json, i) => {
    const at = `spec.template.spec.containers[${i}]`;
    if (!isObject(c) || typeof c.name !== 'string' || c.name === '') throw new InvalidObject(`${at}.name`, `${at}.name: Required value`);
    if (seen.has(c.name)) throw new InvalidObject(`${at}.name`, `${at}.name: Duplicate value: "${c.name}"`);
    seen.add(c.name);
    if (typeof c.image !== 'string' || c.image === '') throw new InvalidObject(`${at}.image`, `${at}.image: Required value`);
    if (c.command !== undefined && (!Array.isArray(c.command) || c.command.some((x) => typeof x !== 'string')))
      throw new InvalidObject(`${at}.command`, `${at}.command: Invalid value: expected a list of strings`);
  });
  const rp = podSpec.restartPolicy;
  if (rp === undefined || rp === null || rp === '')
    throw new InvalidObject('spec.template.spec.restartPolicy', 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
  if (rp !== 'Never' && rp !== 'OnFailure')
    throw new InvalidObject('spec.template.spec.restartPolicy', `spec.template.spec.restartPolicy: Unsupported value: ${JSON.stringify(rp)}: supported values: "OnFailure", "Never"`);
}
