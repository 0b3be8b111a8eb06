import { z } from 'zod';
import { renderValue } from './zod-issues.ts';

/**
 * The names a spec gives to resources, checked the way the servers check them: Kubernetes
 * DNS-1123 labels and subdomains (namespaces, Deployments, containers, Jobs), kubeconfig context
 * names as kubectl accepts them, ECS names (`[A-Za-z0-9_-]{1,255}`) or their ARNs, AWS profile
 * names, container image references and HTTP header names. A name that a server would refuse (or
 * that could not be a name at all) is refused here, before anything is read or written.
 */

/** The length is checked first, so a pattern never runs on an over-long string. */
const named = (re: RegExp, expected: string, max: number) =>
  z
    .string()
    .superRefine((text, ctx) => {
      if (text.length === 0 || text.length > max) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: text.length === 0 ? 'is empty' : 'is too long', params: { expected: `${expected}, at most ${max} characters`, found: `${text.length} characters` } });
      } else if (!re.test(text)) {
        // found: the text itself (for a key, zod's path leads to the value, not the key)
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not valid', params: { expected, found: renderValue(text) } });
      }
    })
    .describe(`${expected} (at most ${max} characters)`);

/** Namespaces, container names, Job and app names: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63. */
export const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const dnsLabel = named(DNS_LABEL_RE, 'a DNS-1123 label (lower-case letters, digits and "-")', 63);

/** Deployment names: dot-separated DNS-1123 labels, ≤ 253. */
export const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const dnsSubdomain = named(DNS_SUBDOMAIN_RE, 'a DNS-1123 subdomain (lower-case letters, digits, "-" and ".")', 253);

/**
 * kubeconfig context names: kubectl takes any name (`kubernetes-admin@kubernetes`,
 * `gke_project_zone_cluster`, `arn:aws:eks:eu-central-1:123456789012:cluster/prod`), but no
 * whitespace — it could not be passed to `kubectl --context` unquoted — and no control characters.
 */
export const kubeContext = named(/^[^\s]+$/, 'a kubeconfig context name (no spaces)', 253);

const ECS_NAME = '[A-Za-z0-9_-]{1,255}';
const ARN_PREFIX = 'arn:aws[a-z-]*:ecs:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}';

/** An ECS cluster: its name or its ARN (`arn:aws:ecs:REGION:ACCOUNT:cluster/NAME`). */
export const ecsCluster = named(new RegExp(`^(${ECS_NAME}|${ARN_PREFIX}:cluster/${ECS_NAME})$`), 'an ECS cluster name ([A-Za-z0-9_-], at most 255) or cluster ARN', 1600);

/** An ECS service: its name or its ARN (`…:service/NAME` or `…:service/CLUSTER/NAME`). */
export const ecsService = named(new RegExp(`^(${ECS_NAME}|${ARN_PREFIX}:service/(${ECS_NAME}/)?${ECS_NAME})$`), 'an ECS service name ([A-Za-z0-9_-], at most 255) or service ARN', 1600);

/** ECS container names in a task definition. */
export const ecsContainer = named(/^[A-Za-z0-9_-]+$/, 'an ECS container name (letters, digits, "_" and "-")', 255);

/** AWS shared-config profile names. */
export const AWS_PROFILE_RE = /^[A-Za-z0-9._@+=,-]+$/;
export const awsProfile = named(AWS_PROFILE_RE, 'an AWS profile name (letters, digits and ._@+=,-)', 128);

/**
 * A container image reference as the distribution spec writes it:
 * `[host[:port]/]path[:tag][@algorithm:digest]`, lower-case path components.
 */
const IMAGE_RE =
  /^(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;
export const image = named(IMAGE_RE, 'a container image such as registry.example/app:1.2 or app@sha256:…', 1024);

/** HTTP header names (RFC 9110 tokens). */
export const headerName = named(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name', 256);
