import { z } from 'zod';
import { ConductorError } from '../model/errors.ts';
import { secretShape } from '../spec/secret-ref.ts';

export { secretShape };

/**
 * The cockpit's persisted settings as they cross a transport (`settings:get` / `settings:set`):
 * the production and test environments a user chose — kubeconfig path and context, AWS profile
 * and region, the Locust URL — and the recent spec files. Names, paths and URLs only, never a
 * secret: credentials are read from kubeconfig and the AWS chain when a run uses them. Every
 * string is checked against the shapes secrets have (keys, tokens, PEM blocks, credentials in
 * URLs), objects are strict (a `token` or `secretAccessKey` field is an error), so a secret
 * cannot be stored by mistake.
 */

/** The context value that means "the embedded sandbox". */
export const SANDBOX_CONTEXT = 'sandbox';

const notSecret = (s: z.ZodType<string, z.ZodTypeDef, string>) =>
  s.superRefine((v, ctx) => {
    const shape = secretShape(v);
    if (shape) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `looks like ${shape}; settings keep names, paths and URLs only, never secrets` });
  });

const nameLike = notSecret(z.string().min(1).max(253).regex(/^\S+$/, 'a name without spaces'));
const filePath = notSecret(z.string().min(1).max(4096).regex(/^[^\n\r\0]+$/, 'a file path'));
const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1');

export const noCredentialsUrl = notSecret(
  z
    .string()
    .max(2048)
    .regex(/^https?:\/\/\S+$/, 'an http:// or https:// URL')
    // no user:password@ in the authority, no query or fragment (where tokens travel)
    .regex(/^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/, 'a URL without credentials or query parameters'),
);

/** One side (production or test): which kubeconfig context and AWS profile, by name. */
export const environmentSideSchema = z
  .object({
    /** kubeconfig context name, or "sandbox" for the embedded sandbox */
    context: nameLike.optional(),
    /** an explicit kubeconfig path (default: KUBECONFIG / ~/.kube/config) */
    kubeconfig: filePath.optional(),
    awsProfile: nameLike.optional(),
    awsRegion: awsRegion.optional(),
  })
  .strict();

export const environmentChoiceSchema = z
  .object({
    production: environmentSideSchema,
    test: environmentSideSchema,
    /** the Locust master of the test environment */
    locustUrl: noCredentialsUrl.optional(),
  })
  .strict();

export const MAX_RECENT_SPECS = 10;

export const settingsDtoSchema = z
  .object({
    environments: environmentChoiceSchema,
    recentSpecs: z.array(filePath).max(MAX_RECENT_SPECS),
  })
  .strict();

/** `settings:set`: the sections to replace (absent sections are kept). */
export const settingsPatchSchema = z
  .object({
    environments: environmentChoiceSchema.optional(),
    recentSpecs: z.array(filePath).max(MAX_RECENT_SPECS).optional(),
  })
  .strict();

export type EnvironmentSide = z.infer<typeof environmentSideSchema>;
export type EnvironmentChoice = z.infer<typeof environmentChoiceSchema>;
export type SettingsDto = z.infer<typeof settingsDtoSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS_DTO: SettingsDto = {
  environments: { production: { context: SANDBOX_CONTEXT }, test: { context: SANDBOX_CONTEXT } },
  recentSpecs: [],
};

/** Read stored settings leniently: a corrupt section falls back to its default. */
export function settingsFromStored(raw: { environments?: unknown; recentSpecs?: unknown }): SettingsDto {
  const env = environmentChoiceSchema.safeParse(raw.environments);
  const recent = settingsDtoSchema.shape.recentSpecs.safeParse(raw.recentSpecs);
  return {
    environments: env.success ? env.data : { production: { ...DEFAULT_SETTINGS_DTO.environments.production }, test: { ...DEFAULT_SETTINGS_DTO.environments.test } },
    recentSpecs: recent.success ? recent.data : [],
  };
}

/** Validate a settings patch; a refused value is a USAGE error naming the field. */
export function parseSettingsPatch(patch: unknown): SettingsPatch {
  const r = settingsPatchSchema.safeParse(patch);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0]!;
  throw new ConductorError('USAGE', `invalid settings: ${first.path || '(settings)'}: ${first.message}`, { issues });
}
