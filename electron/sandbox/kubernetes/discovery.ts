/**
 * Legacy discovery documents (/api, /apis, /apis/<group>/<version>) for the resources the
 * sandbox serves. Aggregated discovery (apidiscovery.k8s.io/v2) is not served: the documents are
 * answered as plain application/json, which makes kubectl fall back to legacy discovery.
 */

interface ResourceDef {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  group?: string;
  version?: string;
}

const RW = ['get', 'list', 'watch', 'patch', 'update'];

export const CORE_V1: ResourceDef[] = [
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list', 'watch'], shortNames: ['ns'] },
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'], categories: ['all'] },
];

export const APPS_V1: ResourceDef[] = [
  { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['create', 'delete', ...RW], shortNames: ['deploy'], categories: ['all'] },
  { name: 'deployments/scale', singularName: '', namespaced: true, kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' },
  { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get'] },
];

export const AUTOSCALING_V2: ResourceDef[] = [
  { name: 'horizontalpodautoscalers', singularName: 'horizontalpodautoscaler', namespaced: true, kind: 'HorizontalPodAutoscaler', verbs: RW, shortNames: ['hpa'], categories: ['all'] },
  { name: 'horizontalpodautoscalers/status', singularName: '', namespaced: true, kind: 'HorizontalPodAutoscaler', verbs: ['get'] },
];

export const BATCH_V1: ResourceDef[] = [
  { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: ['create', 'delete', 'get', 'list', 'watch'], categories: ['all'] },
  { name: 'jobs/status', singularName: '', namespaced: true, kind: 'Job', verbs: ['get'] },
];

export const COORDINATION_V1: ResourceDef[] = [{ name: 'leases', singularName: 'lease', namespaced: true, kind: 'Lease', verbs: ['create', 'delete', ...RW] }];

/** the custom resources of the GitOps controllers a test cluster commonly runs (Argo CD, Flux) */
const CUSTOM = (name: string, singular: string, kind: string, shortNames: string[]): ResourceDef[] => [
  { name, singularName: singular, namespaced: true, kind, verbs: ['create', 'delete', ...RW], shortNames },
];

export const GROUPS: Record<string, { version: string; resources: ResourceDef[] }> = {
  apps: { version: 'v1', resources: APPS_V1 },
  'coordination.k8s.io': { version: 'v1', resources: COORDINATION_V1 },
  autoscaling: { version: 'v2', resources: AUTOSCALING_V2 },
  batch: { version: 'v1', resources: BATCH_V1 },
  'argoproj.io': { version: 'v1alpha1', resources: CUSTOM('applications', 'application', 'Application', ['app', 'apps']) },
  'kustomize.toolkit.fluxcd.io': { version: 'v1', resources: CUSTOM('kustomizations', 'kustomization', 'Kustomization', ['ks']) },
  'helm.toolkit.fluxcd.io': { version: 'v2', resources: CUSTOM('helmreleases', 'helmrelease', 'HelmRelease', ['hr']) },
};

export function versionInfo() {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-conductor-sandbox',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function resourceList(groupVersion: string, resources: ResourceDef[]) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.map((r) => ({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      ...(r.group ? { group: r.group, version: r.version } : {}),
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    })),
  };
}

export function apiGroup(name: string) {
  const g = GROUPS[name];
  if (!g) return undefined;
  const v = { groupVersion: `${name}/${g.version}`, version: g.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [v], preferredVersion: v };
}

export function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: Object.keys(GROUPS).map((name) => {
      const g = apiGroup(name) as NonNullable<ReturnType<typeof apiGroup>>;
      return { name: g.name, versions: g.versions, preferredVersion: g.preferredVersion };
    }),
  };
}
