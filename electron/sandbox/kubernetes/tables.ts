import type { JsonObject, Json } from './patch.ts';

/**
 * Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for
 * (Accept: application/json;as=Table;v=v1;g=meta.k8s.io), with the same columns a real API server prints.
 */

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority?: number;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.' };
const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

export function humanAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

const meta = (o: JsonObject) => o.metadata as JsonObject;
const num = (v: Json | undefined) => (typeof v === 'number' ? v : 0);

function row(o: JsonObject, cells: Json[]): JsonObject {
  return { cells, object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta(o) } };
}

function ageOf(o: JsonObject, now: number): string {
  return humanAge(now - Date.parse(String(meta(o).creationTimestamp)));
}

const DEFS: Record<string, { columns: Column[]; cells: (o: JsonObject, now: number) => Json[] }> = {
  deployments: {
    columns: [
      NAME,
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state' },
      { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' },
      { name: 'Available', type: 'string', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' },
      AGE,
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
      { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods.' },
    ],
    cells: (o, now) => {
      const spec = o.spec as JsonObject;
      const status = (o.status ?? {}) as JsonObject;
      const containers = (((spec.template as JsonObject).spec as JsonObject).containers ?? []) as JsonObject[];
      const sel = ((spec.selector as JsonObject | undefined)?.matchLabels ?? {}) as JsonObject;
      return [
        String(meta(o).name),
        `${num(status.readyReplicas)}/${num(spec.replicas)}`,
        num(status.updatedReplicas),
        num(status.availableReplicas),
        ageOf(o, now),
        containers.map((c) => String(c.name)).join(','),
        containers.map((c) => String(c.image)).join(','),
        Object.entries(sel)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(','),
      ];
    },
  },
  pods: {
    columns: [
      NAME,
      { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.' },
      { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.' },
      { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.' },
      AGE,
      { name: 'IP', type: 'string', priority: 1, description: 'IP address allocated to the pod.' },
    ],
    cells: (o, now) => {
      const status = (o.status ?? {}) as JsonObject;
      const cs = (status.containerStatuses ?? []) as JsonObject[];
      return [String(meta(o).name), `${cs.filter((c) => c.ready === true).length}/${cs.length}`, String(status.phase), '0', ageOf(o, now), String(status.podIP)];
    },
  },
  horizontalpodautoscalers: {
    columns: [
      NAME,
      { name: 'Reference', type: 'string', description: 'reference to scaled resource' },
      { name: 'Targets', type: 'string', description: 'current and target metrics' },
      { name: 'MinPods', type: 'string', description: 'lower limit for the number of pods' },
      { name: 'MaxPods', type: 'integer', description: 'upper limit for the number of pods' },
      { name: 'Replicas', type: 'integer', description: 'current number of replicas' },
      AGE,
    ],
    cells: (o, now) => {
      const spec = o.spec as JsonObject;
      const ref = spec.scaleTargetRef as JsonObject;
      const metrics = (spec.metrics ?? []) as JsonObject[];
      const targets = metrics
        .map((m) => {
          const r = m.resource as JsonObject | undefined;
          const t = r?.target as JsonObject | undefined;
          return r ? `${String(r.name)}: <unknown>/${String(t?.averageUtilization ?? '?')}%` : '<unknown>';
        })
        .join(', ');
      return [
        String(meta(o).name),
        `${String(ref.kind)}/${String(ref.name)}`,
        targets || '<none>',
        num(spec.minReplicas ?? 1),
        num(spec.maxReplicas),
        num(((o.status ?? {}) as JsonObject).currentReplicas),
        ageOf(o, now),
      ];
    },
  },
  jobs: {
    columns: [
      NAME,
      { name: 'Status', type: 'string', description: 'Status of the job.' },
      { name: 'Completions', type: 'string', description: 'The completion status of the job.' },
      { name: 'Duration', type: 'string', description: 'Time required to complete the job.' },
      AGE,
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
      { name: 'Selector', type: 'string', priority: 1, description: 'Selector for pods.' },
    ],
    cells: (o, now) => {
      const spec = o.spec as JsonObject;
      const status = (o.status ?? {}) as JsonObject;
      const containers = (((spec.template as JsonObject).spec as JsonObject).containers ?? []) as JsonObject[];
      const sel = ((spec.selector as JsonObject | undefined)?.matchLabels ?? {}) as JsonObject;
      const started = typeof status.startTime === 'string' ? Date.parse(status.startTime) : undefined;
      const ended = typeof status.completionTime === 'string' ? Date.parse(status.completionTime) : now;
      return [
        String(meta(o).name),
        jobStatus(o),
        `${num(status.succeeded)}/${num(spec.completions ?? 1)}`,
        started === undefined ? '' : humanAge(ended - started),
        ageOf(o, now),
        containers.map((c) => String(c.name)).join(','),
        containers.map((c) => String(c.image)).join(','),
        Object.entries(sel)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(','),
      ];
    },
  },
  namespaces: {
    columns: [NAME, { name: 'Status', type: 'string', description: 'The status of the namespace' }, AGE],
    cells: (o, now) => [String(meta(o).name), String(((o.status ?? {}) as JsonObject).phase ?? 'Active'), ageOf(o, now)],
  },
};

/** The STATUS column of `kubectl get jobs` (v1.30+): the first true terminal condition, else Running. */
function jobStatus(o: JsonObject): string {
  const conds = ((((o.status ?? {}) as JsonObject).conditions ?? []) as JsonObject[]).filter((c) => c.status === 'True');
  for (const t of ['Failed', 'Complete', 'Suspended', 'FailureTarget', 'SuccessCriteriaMet']) if (conds.some((c) => c.type === t)) return t;
  if (meta(o).deletionTimestamp) return 'Terminating';
  return 'Running';
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

export function toTable(resource: string, objects: JsonObject[], resourceVersion: string, now: number): JsonObject | undefined {
  const def = DEFS[resource];
  if (!def) return undefined;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: def.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority ?? 0 })) as unknown as Json,
    rows: objects.map((o) => row(o, def.cells(o, now))),
  };
}
