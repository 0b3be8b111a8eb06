import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { cronProblem } from './schedule.ts';

/**
 * The LoadTest spec: a kubectl-like envelope around everything the lifecycle needs.
 * Strict objects everywhere, so a typo is an error rather than a silently ignored field.
 * Durations are written as strings (`90s`, `30m`, `1h30m`) and resolve to milliseconds.
 */

export const API_VERSION = 'conductor/v1';

const name = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 label (lower-case letters, digits and "-")')
  .describe('a DNS-1123 label (lower-case letters, digits and "-", at most 63)');

/** Human-readable bounds such as `1s`, `24h`, `100ms`. */
const bound = (ms: number): string => (ms === 0 ? '0s' : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

const DURATION_EXPECTED = 'a duration such as 90s, 30m or 1h30m';

const duration = (min: number, max: number) =>
  z
    .string()
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a duration', params: { expected: DURATION_EXPECTED } });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is out of range', params: { expected: `a duration between ${bound(min)} and ${bound(max)}` } });
        return z.NEVER;
      }
      return ms;
    })
    .describe(`${DURATION_EXPECTED} (between ${bound(min)} and ${bound(max)})`);

const HTTP_URL_RE = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/;
const httpUrl = z.string().regex(HTTP_URL_RE, 'an http:// or https:// URL').describe('an http:// or https:// URL');

/** Kubernetes quantity such as `500m`, `2`, `1Gi`, `512Mi`. */
const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/, 'a Kubernetes quantity such as 500m or 1Gi')
  .describe('a Kubernetes quantity such as 500m or 1Gi');

export const kubernetesEnvSchema = z
  .object({
    /** kubeconfig context name */
    context: z.string().min(1),
    /** optional explicit kubeconfig path; otherwise KUBECONFIG / ~/.kube/config */
    kubeconfig: z.string().min(1).optional(),
  })
  .strict();

export const ecsEnvSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1')
      .describe('an AWS region such as eu-central-1'),
    cluster: z.string().min(1),
    profile: z.string().min(1).optional(),
    endpoint: httpUrl.optional(),
  })
  .strict();

export const environmentSchema = z
  .object({
    kubernetes: kubernetesEnvSchema.optional(),
    ecs: ecsEnvSchema.optional(),
  })
  .strict();

/** Where the lock that keeps one run per test environment lives (a coordination.k8s.io/v1 Lease in the test cluster). */
export const testLockSchema = z
  .object({
    namespace: name.default('default'),
    name: name.default('conductor-lock'),
  })
  .strict();

export const DEFAULT_TEST_LOCK = { namespace: 'default', name: 'conductor-lock' } as const;

export const testEnvironmentSchema = environmentSchema
  .extend({
    /** default: Lease default/conductor-lock in the test cluster (an ECS-only test side locks per machine) */
    lock: testLockSchema.optional(),
  })
  .strict();

/** a team that owns an application: results of runs that concern it are routed to it (spec.notify.routes) */
const owner = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@/-]{0,99}$/, 'a team name such as team-checkout')
  .describe('a team name such as team-checkout (letters, digits, ".", "_", "@", "/", "-")');

export const applicationSchema = z
  .object({
    name,
    owners: z.array(owner).min(1).max(20).optional(),
    kubernetes: z
      .object({
        namespace: name,
        deployment: z.string().min(1).max(253),
        /** only these containers are deployed/scaled/compared; default all */
        containers: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .optional(),
    ecs: z
      .object({
        service: z.string().min(1).max(255),
        containers: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const overrideSchema = z
  .object({
    /** image for every selected container (or the only one) */
    image: z.string().min(1).optional(),
    /** per-container images */
    containers: z.record(z.string().min(1), z.string().min(1)).optional(),
  })
  .strict();

export const deploySchema = z
  .object({
    /** deploy the versions production runs (false: leave test versions as they are, except overrides) */
    productionVersions: z.boolean().default(true),
    /** feature-branch mode: app name → image(s) to deploy instead of production's */
    overrides: z.record(z.string(), overrideSchema).default({}),
    rolloutTimeout: duration(1000, 2 * 3_600_000).default('10m'),
    /** how many apps are deployed/scaled/restored at once */
    concurrency: z.number().int().min(1).max(64).default(8),
  })
  .strict();

export const scaleCapSchema = z
  .object({
    maxReplicas: z.number().int().min(0).optional(),
    maxCpu: quantity.optional(),
    maxMemory: quantity.optional(),
    maxDesiredCount: z.number().int().min(0).optional(),
  })
  .strict();

export const scaleSchema = z
  .object({
    matchProduction: z.boolean().default(true),
    restoreAfter: z.boolean().default(true),
    caps: z.record(z.string(), scaleCapSchema).default({}),
  })
  .strict();

export const kpiSchema = z
  .object({
    /** a Locust request name, "METHOD name" such as `POST /orders`: OPM = successful requests/s × 60 */
    locustRequest: z.string().min(1).optional(),
    prometheus: z
      .object({
        url: httpUrl,
        /** an instant query returning orders per minute, e.g. `sum(rate(orders_created_total[1m])) * 60` */
        query: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

export const loadSchema = z
  .object({
    locust: z
      .object({
        /** the Locust master's web/API URL; required unless `spec.sandbox` is set (the sandbox runs its own) */
        url: httpUrl.optional(),
        /** the system under test, passed to Locust as `host` */
        host: httpUrl.optional(),
        /** workers the master must have before load starts */
        minWorkers: z.number().int().min(0).max(1000).default(1),
      })
      .strict(),
    kpi: kpiSchema,
    targetOrdersPerMinute: z.number().positive().max(10_000_000),
    rampUp: duration(1000, 24 * 3_600_000),
    plateau: duration(1000, 24 * 3_600_000),
    controlInterval: duration(1000, 10 * 60_000).default('60s'),
    maxUsers: z.number().int().min(1).max(1_000_000).default(5000),
    /** spawn rate cap per worker (users/s) */
    maxSpawnRatePerWorker: z.number().positive().max(1000).default(10),
    algorithm: z.enum(['adaptive', 'baseline']).default('adaptive'),
    /** the plateau passes when its mean OPM is within this % of the target */
    tolerancePct: z.number().min(0).max(100).default(5),
  })
  .strict();

export const guardsSchema = z
  .object({
    maxErrorRate: z.number().min(0).max(1).default(0.05),
    maxP99Ms: z.number().positive().optional(),
    /** KPI at zero for this many consecutive samples during load is a stall */
    stallSamples: z.number().int().min(1).max(1000).default(3),
    /** a breach must last this long before it aborts the run */
    gracePeriod: duration(0, 3_600_000).default('0s'),
    /** a production deploy that lands mid-run: abort, or continue and flag it */
    productionDrift: z.enum(['abort', 'flag']).default('flag'),
    /** someone else changes an in-scope test object mid-run: abort, or continue and flag it */
    otherWriters: z.enum(['abort', 'flag']).default('flag'),
  })
  .strict();

export const cleanupHookSchema = z
  .object({
    http: z
      .object({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('DELETE'),
        url: httpUrl,
        headers: z.record(z.string(), z.string()).default({}),
        body: z.string().optional(),
        timeout: duration(100, 3_600_000).default('30s'),
      })
      .strict()
      .optional(),
    kubernetesJob: z
      .object({
        namespace: name,
        name,
        image: z.string().min(1),
        command: z.array(z.string()).min(1),
        timeout: duration(1000, 3_600_000).default('5m'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A webhook URL carrying its credential in the URL (chat webhooks do): literal without credentials, or a reference. */
const webhookUrl = z.union([httpUrl, z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name') }).strict(), z.object({ file: z.string().regex(/^\//, 'an absolute path').max(4096) }).strict()]);

/** Results to the owning team: a run's start, guard breaches and verdict go to the routes of its applications' owners. */
export const notifyRouteSchema = z
  .object({
    owners: z.array(owner).min(1).max(50),
    /** the webhook: a URL, or { env: NAME } / { file: PATH } holding it (Slack and Teams webhooks carry their secret in the URL) */
    url: webhookUrl,
    /** slack: Slack incoming-webhook blocks; teams: an Adaptive Card message; json: the event as JSON */
    format: z.enum(['slack', 'teams', 'json']).default('json'),
    events: z.array(z.enum(['start', 'guard', 'verdict'])).min(1).default(['start', 'guard', 'verdict']),
  })
  .strict();

export const notifySchema = z
  .object({
    routes: z.array(notifyRouteSchema).min(1).max(50).optional(),
    webhook: z
      .object({
        url: httpUrl,
        events: z.array(z.enum(['phase', 'guard', 'verdict', 'abort'])).default(['phase', 'guard', 'verdict', 'abort']),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Runs inside `conductor serve` on a cron schedule (5 fields, or 6 with seconds) in a time zone. */
export const scheduleSchema = z
  .object({
    cron: z.string().min(1).max(200),
    timeZone: z.string().min(1).max(64).default('UTC'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const problem = cronProblem(s.cron, s.timeZone);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [problem.field], message: problem.message, params: { expected: problem.expected } });
  });

export const sandboxSchema = z
  .object({
    /** simulated seconds per real second */
    timeScale: z.number().min(0.1).max(10_000).default(1),
  })
  .strict();

export const loadTestSpecSchema = z
  .object({
    /** the embedded sandbox: production and test are loopback servers speaking the real protocols */
    sandbox: sandboxSchema.optional(),
    production: environmentSchema.optional(),
    test: testEnvironmentSchema.optional(),
    applications: z.array(applicationSchema).min(1).max(1000),
    deploy: deploySchema.default({}),
    scale: scaleSchema.default({}),
    load: loadSchema,
    guards: guardsSchema.default({}),
    cleanup: z.array(cleanupHookSchema).max(50).default([]),
    notify: notifySchema.default({}),
    schedule: scheduleSchema.optional(),
    /**
     * test apps applied by Argo CD or Flux: pause what would revert the run's writes (and resume it at
     * restore), refuse to run, or ignore the controller
     */
    gitops: z.enum(['pause', 'refuse', 'ignore']).default('pause'),
  })
  .strict();

export const loadTestSchema = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('LoadTest'),
    metadata: z
      .object({
        name,
        labels: z.record(z.string(), z.string()).optional(),
        description: z.string().max(2000).optional(),
      })
      .strict(),
    spec: loadTestSpecSchema,
  })
  .strict();

/** The spec as written (durations as strings, defaults optional). */
export type LoadTestInput = z.input<typeof loadTestSchema>;
/** The resolved spec: defaults applied, durations in milliseconds. */
export type LoadTest = z.output<typeof loadTestSchema>;
export type Application = LoadTest['spec']['applications'][number];
export type Environment = z.output<typeof environmentSchema>;
export type LoadSpec = LoadTest['spec']['load'];
export type GuardsSpec = LoadTest['spec']['guards'];
export type CleanupHook = LoadTest['spec']['cleanup'][number];
export type NotifyRoute = z.output<typeof notifyRouteSchema>;
