import type { LoadTest } from '../../../../shared/spec/schema.ts';
import type { ChangeEvent } from './adapters.ts';

/**
 * Which stored specs a change concerns: every spec whose `metadata.labels["conductor.io/services"]`
 * (a comma-separated list) names the service, or whose applications include it; `scope: full`
 * selects them all. A change that carries an image runs in feature-branch mode where the service
 * is one of the spec's applications: that application at the image, the others as the spec says
 * (production's versions, or the spec's own overrides).
 */

export const SERVICES_LABEL = 'conductor.io/services';

export interface Selection {
  spec: LoadTest;
  /** app → image (feature-branch mode) */
  overrides: Record<string, string>;
  /** why this spec runs */
  reason: string;
  /** the same spec for the same change is queued once */
  changeKey: string;
}

export function servicesOf(spec: LoadTest): string[] {
  const fromLabel = (spec.metadata.labels?.[SERVICES_LABEL] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set([...fromLabel, ...spec.spec.applications.map((a) => a.name)])];
}

/** what identifies the change: the same service at the same image, commit, version or ref is one change */
export function changeKeyOf(change: ChangeEvent): string {
  const what = change.image ?? change.commit ?? change.version ?? change.ref ?? change.deliveryId;
  return `${change.scope === 'full' ? '*' : change.services.join(',')}@${what}`;
}

export function selectSpecs(specs: Iterable<LoadTest>, change: ChangeEvent): Selection[] {
  const out: Selection[] = [];
  const key = changeKeyOf(change);
  for (const spec of specs) {
    const services = servicesOf(spec);
    const hit = change.scope === 'full' ? change.services[0] : change.services.find((s) => services.includes(s));
    if (change.scope !== 'full' && !hit) continue;
    const overrides: Record<string, string> = {};
    const imageFor = change.services[0];
    if (change.image && imageFor && spec.spec.applications.some((a) => a.name === imageFor)) overrides[imageFor] = change.image;
    const reason =
      change.scope === 'full'
        ? 'a full run was requested'
        : `${hit} changed${spec.spec.applications.some((a) => a.name === hit) ? '' : ` (selected by the label ${SERVICES_LABEL})`}${Object.keys(overrides).length ? `; ${hit} at ${overrides[hit!] ?? change.image}` : ''}`;
    out.push({ spec, overrides, reason, changeKey: key });
  }
  return out;
}

/** the spec with the feature-branch images of a selection applied (deploy.overrides) */
export function withOverrides(spec: LoadTest, overrides: Readonly<Record<string, string>>): LoadTest {
  if (!Object.keys(overrides).length) return spec;
  const merged = { ...spec.spec.deploy.overrides };
  for (const [app, image] of Object.entries(overrides)) merged[app] = { image };
  return { ...spec, spec: { ...spec.spec, deploy: { ...spec.spec.deploy, overrides: merged } } };
}
