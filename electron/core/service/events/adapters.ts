import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TriggerInfo } from '../../../../shared/contract/queue.ts';
import { UsageError } from '../../../../shared/model/errors.ts';

/**
 * Change events as the trigger endpoint receives them, read into one shape: which service changed
 * (or `full`: everything), and what it changed to — an image (feature-branch mode), a version, a
 * commit. Adapters for GitHub push/release webhooks, GitLab push/tag/release hooks, Argo CD
 * notifications (the webhook template in docs/events.md), CloudEvents (structured JSON) and a
 * plain JSON body. Only the fields named here are read: an event can name services, an image, a
 * version, a repository and a ref — never a cluster, a context, a URL or a credential (the plain
 * and CloudEvents bodies are strict: any other field is refused).
 */

export interface ChangeEvent {
  source: TriggerInfo['source'];
  /** the sender's delivery id (GitHub X-GitHub-Delivery, GitLab X-Gitlab-Event-UUID, CloudEvents source+id, Idempotency-Key), else a digest of the body */
  deliveryId: string;
  /** 'full': every stored spec; 'service': the specs that select one of `services` */
  scope: 'service' | 'full';
  services: string[];
  /** an image for services[0]: feature-branch mode */
  image?: string;
  version?: string;
  repository?: string;
  ref?: string;
  commit?: string;
  by?: string;
  summary: string;
}

export type Adapted = { kind: 'change'; change: ChangeEvent } | { kind: 'ignored'; source: TriggerInfo['source']; deliveryId: string; reason: string };

export interface EventRequest {
  /** header names lower-case */
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
  /** `?service=NAME` on the webhook URL: the service a repository's events are for, when it is not the repository's name */
  serviceParam?: string | null;
}

/** A service name as applications are named (a DNS-1123 label). */
const serviceName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a service name (lower-case letters, digits and "-")').max(63);
/** An image reference: registry/path:tag or @sha256:digest; no scheme, no spaces. */
const imageRef = z
  .string()
  .max(512)
  .regex(/^[a-z0-9][a-z0-9.-]*(:[0-9]{1,5})?(\/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, 'an image reference such as registry.example/checkout-api:1.4.2');
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const label = z.string().min(1).max(256).regex(/^[^\u0000-\u001f\u007f]*$/, 'text without control characters');

const plainSchema = z
  .object({
    id: label.optional(),
    service: serviceName.optional(),
    image: imageRef.optional(),
    version: label.optional(),
    repository: label.optional(),
    ref: label.optional(),
    scope: z.enum(['service', 'full']).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.scope !== 'full' && !e.service) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['service'], message: 'is required (or scope: full to run every spec)' });
    if (e.image && !e.service) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['image'], message: 'needs the service it is an image of' });
  });

const cloudEventSchema = z
  .object({
    specversion: z.literal('1.0'),
    id: label,
    source: label,
    type: label,
    subject: label.optional(),
    time: label.optional(),
    datacontenttype: z.literal('application/json').optional(),
    data: z.unknown(),
  })
  .strict();

const githubRepo = z.object({ name: z.string().max(256), full_name: z.string().max(512).optional() }).passthrough();
const githubPush = z
  .object({
    ref: z.string().max(512),
    after: z.string().max(64).optional(),
    deleted: z.boolean().optional(),
    repository: githubRepo,
    pusher: z.object({ name: z.string().max(256).optional() }).passthrough().optional(),
    sender: z.object({ login: z.string().max(256).optional() }).passthrough().optional(),
  })
  .passthrough();
const githubRelease = z
  .object({
    action: z.string().max(64),
    release: z.object({ tag_name: z.string().max(256) }).passthrough(),
    repository: githubRepo,
    sender: z.object({ login: z.string().max(256).optional() }).passthrough().optional(),
  })
  .passthrough();

const gitlabHook = z
  .object({
    object_kind: z.string().max(64),
    ref: z.string().max(512).optional(),
    tag: z.string().max(256).optional(),
    checkout_sha: z.string().max(64).nullable().optional(),
    after: z.string().max(64).optional(),
    user_username: z.string().max(256).optional(),
    project: z.object({ name: z.string().max(256), path: z.string().max(256).optional(), path_with_namespace: z.string().max(512).optional() }).passthrough(),
  })
  .passthrough();

/** Argo CD notifications: the webhook template in docs/events.md renders this body. */
const argoSchema = z
  .object({
    app: z.string().min(1).max(253),
    revision: z.string().max(256).optional(),
    images: z.array(z.string().max(512)).max(200).optional(),
    phase: z.string().max(64).optional(),
  })
  .strict();

const digest = (body: string) => `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : undefined);
const branchOf = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, '');

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new UsageError('the event body is not valid JSON');
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new UsageError(`invalid ${what}: ${first ? `${first.path.join('.') || '(body)'}: ${first.message}` : 'bad input'}`, {
    issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/** the service a repository's events are for: `?service=` on the webhook URL, else the repository's name */
function serviceFor(repoName: string, param: string | null | undefined): string {
  return check(serviceName, param ?? repoName.toLowerCase(), param ? 'service parameter' : `repository name "${repoName.slice(0, 64)}" as a service (add ?service=NAME to the webhook URL)`);
}

const clean = (o: ChangeEvent): ChangeEvent => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '')) as unknown as ChangeEvent;

export function adaptEvent(req: EventRequest): Adapted {
  const h = req.headers;
  if (h['x-github-event']) return github(h['x-github-event'], h['x-github-delivery'], req);
  if (h['x-gitlab-event']) return gitlab(h['x-gitlab-event'], h['x-gitlab-event-uuid'] ?? h['idempotency-key'], req);
  const body = parseJson(req.body);
  const idHeader = h['idempotency-key'] ?? h['x-delivery-id'];
  const contentType = (h['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType === 'application/cloudevents+json' || (body !== null && typeof body === 'object' && 'specversion' in body)) return cloudEvent(body);
  if (body !== null && typeof body === 'object' && 'app' in body) return argo(body, idHeader ?? digest(req.body));
  const e = check(plainSchema, body, 'event');
  return { kind: 'change', change: plainChange(e, 'event', e.id ?? idHeader ?? digest(req.body)) };
}

function plainChange(e: z.output<typeof plainSchema>, source: TriggerInfo['source'], deliveryId: string): ChangeEvent {
  const full = e.scope === 'full';
  const what = e.image ? ` at ${e.image}` : e.version ? ` ${e.version}` : e.ref ? ` (${e.ref})` : '';
  return clean({
    source,
    deliveryId,
    scope: full ? 'full' : 'service',
    services: e.service ? [e.service] : [],
    image: e.image,
    version: e.version,
    repository: e.repository,
    ref: e.ref,
    summary: full ? `full run requested${e.service ? ` (${e.service}${what})` : ''}` : `${e.service}${what} changed`,
  });
}

function github(event: string, delivery: string | undefined, req: EventRequest): Adapted {
  const deliveryId = `github:${check(label, delivery ?? '', 'X-GitHub-Delivery header')}`;
  if (event === 'ping') return { kind: 'ignored', source: 'github', deliveryId, reason: 'GitHub ping: the webhook reaches the conductor' };
  const body = parseJson(req.body);
  if (event === 'push') {
    const p = check(githubPush, body, 'GitHub push');
    if (p.deleted) return { kind: 'ignored', source: 'github', deliveryId, reason: `GitHub push deleting ${branchOf(p.ref)}` };
    const service = serviceFor(p.repository.name, req.serviceParam);
    const by = p.pusher?.name ?? p.sender?.login;
    return {
      kind: 'change',
      change: clean({
        source: 'github',
        deliveryId,
        scope: 'service',
        services: [service],
        repository: p.repository.full_name ?? p.repository.name,
        ref: p.ref,
        commit: p.after,
        by,
        summary: `GitHub push to ${p.repository.full_name ?? p.repository.name} ${branchOf(p.ref)}${p.after ? ` (${short(p.after)})` : ''}${by ? ` by ${by}` : ''}`,
      }),
    };
  }
  if (event === 'release') {
    const r = check(githubRelease, body, 'GitHub release');
    if (r.action !== 'published' && r.action !== 'released') return { kind: 'ignored', source: 'github', deliveryId, reason: `GitHub release ${r.action}` };
    const service = serviceFor(r.repository.name, req.serviceParam);
    return {
      kind: 'change',
      change: clean({
        source: 'github',
        deliveryId,
        scope: 'service',
        services: [service],
        version: r.release.tag_name,
        repository: r.repository.full_name ?? r.repository.name,
        by: r.sender?.login,
        summary: `GitHub release ${r.release.tag_name} of ${r.repository.full_name ?? r.repository.name}${r.sender?.login ? ` by ${r.sender.login}` : ''}`,
      }),
    };
  }
  return { kind: 'ignored', source: 'github', deliveryId, reason: `GitHub ${event.slice(0, 64)} events do not start runs (push and release do)` };
}

function gitlab(event: string, delivery: string | undefined, req: EventRequest): Adapted {
  const body = check(gitlabHook, parseJson(req.body), 'GitLab hook');
  const deliveryId = `gitlab:${delivery ? check(label, delivery, 'X-Gitlab-Event-UUID header') : digest(req.body)}`;
  const project = body.project.path_with_namespace ?? body.project.name;
  const service = serviceFor(body.project.path ?? body.project.name, req.serviceParam);
  const by = body.user_username;
  const base = { source: 'gitlab' as const, deliveryId, scope: 'service' as const, services: [service], repository: project, by };
  if (event === 'Push Hook' && body.object_kind === 'push') {
    const sha = body.checkout_sha ?? body.after;
    if (!sha || /^0+$/.test(sha)) return { kind: 'ignored', source: 'gitlab', deliveryId, reason: 'GitLab push deleting a branch' };
    return { kind: 'change', change: clean({ ...base, ref: body.ref, commit: sha, summary: `GitLab push to ${project} ${branchOf(body.ref ?? '')} (${short(sha)})${by ? ` by ${by}` : ''}` }) };
  }
  if ((event === 'Tag Push Hook' && body.object_kind === 'tag_push') || (event === 'Release Hook' && body.object_kind === 'release')) {
    const version = body.tag ?? (body.ref ? branchOf(body.ref) : undefined);
    return { kind: 'change', change: clean({ ...base, version, summary: `GitLab ${body.object_kind === 'release' ? 'release' : 'tag'} ${version ?? ''} of ${project}${by ? ` by ${by}` : ''}` }) };
  }
  return { kind: 'ignored', source: 'gitlab', deliveryId, reason: `GitLab ${event.slice(0, 64)} does not start runs (push, tag push and release do)` };
}

function argo(body: unknown, id: string): Adapted {
  const a = check(argoSchema, body, 'Argo CD notification');
  const service = check(serviceName, a.app, 'Argo CD application name as a service');
  const deliveryId = `argocd:${id}`;
  if (a.phase && a.phase !== 'Succeeded') return { kind: 'ignored', source: 'argocd', deliveryId, reason: `Argo CD sync ${a.phase} (only a succeeded sync starts runs)` };
  return {
    kind: 'change',
    change: clean({
      source: 'argocd',
      deliveryId,
      scope: 'service',
      services: [service],
      version: a.revision,
      commit: a.revision,
      summary: `Argo CD deployed ${a.app}${a.revision ? ` at ${short(a.revision)}` : ''}${a.images?.length ? ` (${a.images.slice(0, 3).join(', ')})` : ''}`,
    }),
  };
}

function cloudEvent(body: unknown): Adapted {
  const ce = check(cloudEventSchema, body, 'CloudEvent');
  const data = check(plainSchema, ce.data ?? {}, 'CloudEvent data');
  const change = plainChange(data, 'cloudevents', `cloudevents:${ce.source}#${ce.id}`);
  return { kind: 'change', change: { ...change, summary: `${ce.type}: ${change.summary}` } };
}
