/**
 * Where an app-wide feature-branch image goes: to the app's own container only, never to a
 * sidecar (envoy, istio-proxy, aws-appmesh-envoy, firelens …). The rule, in order:
 *   1. the container whose image repository equals the override's repository;
 *   2. else the container the app names (`kubernetes.containers` / `ecs.containers`), when it names one;
 *   3. else the pod's or task's only container.
 * Anything else is ambiguous, and the answer names the containers to choose from.
 */

/** One container as the override rule sees it. */
export interface OverrideCandidate {
  name: string;
  image: string;
}

/** A per-container override the run applies, for the run view, the report, history and compare. */
export interface ResolvedOverride {
  app: string;
  container: string;
  /** the feature-branch image deployed into test */
  image: string;
  /** what production runs in that container (null: not read, or production lacks it) */
  productionImage: string | null;
  /** how the container was chosen */
  via: 'per-container' | 'repository' | 'named' | 'only-container';
}

export type OverrideTarget = { container: string; via: ResolvedOverride['via'] } | { ambiguous: string[] };

/**
 * The repository of an image reference, normalised the way the Docker/OCI tooling does:
 * tag and digest dropped, Docker Hub's short forms expanded (`nginx` → `docker.io/library/nginx`).
 */
export function imageRepository(ref: string): string {
  let repo = ref.trim();
  const at = repo.indexOf('@');
  if (at >= 0) repo = repo.slice(0, at);
  const slash = repo.lastIndexOf('/');
  const colon = repo.lastIndexOf(':');
  if (colon > slash) repo = repo.slice(0, colon);
  const parts = repo.split('/');
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) repo = `docker.io/${parts.length === 1 ? 'library/' : ''}${repo}`;
  else if (first === 'index.docker.io') repo = `docker.io/${parts.slice(1).join('/')}`;
  return repo.toLowerCase();
}

/**
 * The container an app-wide override image goes to. `containers` are the app's containers as read
 * (already narrowed to the ones the app names, if it names any); `named` is the app's own list.
 */
export function overrideTarget(image: string, containers: OverrideCandidate[], named?: string[]): OverrideTarget {
  const repo = imageRepository(image);
  const byRepo = containers.filter((c) => c.image !== '' && imageRepository(c.image) === repo);
  if (byRepo.length === 1) return { container: byRepo[0]!.name, via: 'repository' };
  if (byRepo.length > 1) return { ambiguous: byRepo.map((c) => c.name) };
  if (named?.length === 1 && containers.some((c) => c.name === named[0])) return { container: named[0]!, via: 'named' };
  if (containers.length === 1) return { container: containers[0]!.name, via: 'only-container' };
  return { ambiguous: containers.map((c) => c.name) };
}

/** The user-facing message for an ambiguous override. */
export function ambiguousOverrideMessage(app: string, image: string, candidates: string[]): string {
  const list = candidates.join(', ');
  return (
    `the override image ${image} for application "${app}" could go to any of its containers ${list}: ` +
    `no container runs that image repository and the app names no single container. ` +
    `Choose one with spec.deploy.overrides.${app}.containers (e.g. { ${candidates[0] ?? 'NAME'}: ${image} }) ` +
    `or name the app's own container in its containers list`
  );
}
