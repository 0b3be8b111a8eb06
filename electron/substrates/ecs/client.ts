import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { canonicalEndpoint, LOOPBACK } from '../../../shared/net/address.ts';

type EcsCredentials = NonNullable<ECSClientConfig['credentials']>;

/**
 * Builds the ECS client the adapters use: region, optional endpoint, credentials from a named
 * profile (SSO, assume-role and credential_process profiles included, via fromIni) or the default
 * chain, bounded SDK retries and a timeout on every request.
 */

export interface EcsClientOptions {
  region: string;
  /** e.g. http://127.0.0.1:14566 for the sandbox; default: the regional AWS endpoint */
  endpoint?: string;
  /** a named profile from ~/.aws/config / ~/.aws/credentials (SSO profiles included) */
  profile?: string;
  /** per-request timeout in real milliseconds (default 10 000) */
  requestTimeoutMs?: number;
  /** SDK attempts per call, first included (default 3, standard retry mode) */
  maxAttempts?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const SANDBOX_CREDENTIALS: EcsCredentials = { accessKeyId: 'AKIDSANDBOX000000000', secretAccessKey: 'sandbox-secret-not-verified' };

/** true for an endpoint on this machine (any loopback spelling: shared/net/address.ts) */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  return !!endpoint && canonicalEndpoint(endpoint)?.host === LOOPBACK;
}

function credentialsConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
  );
}

/**
 * Credentials for a target: a named profile → fromIni (SSO too); a loopback endpoint with nothing
 * configured in the environment → static dummy credentials (the sandbox accepts any signature, and
 * this keeps the default chain from probing instance metadata off the machine); otherwise the
 * default Node provider chain (env, shared files, SSO, web identity, container, instance metadata).
 */
export function resolveEcsCredentials(
  opts: Pick<EcsClientOptions, 'profile' | 'endpoint'>,
  env: NodeJS.ProcessEnv = process.env,
): EcsCredentials {
  if (opts.profile) return fromIni({ profile: opts.profile });
  if (isLoopbackEndpoint(opts.endpoint) && !credentialsConfigured(env)) return SANDBOX_CREDENTIALS;
  return fromNodeProviderChain();
}

/** What every AWS client of an ECS target shares (ECS, Application Auto Scaling): region, endpoint, credentials, retries, timeouts. */
export function awsClientConfig(opts: EcsClientOptions) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    credentials: resolveEcsCredentials(opts),
    maxAttempts: opts.maxAttempts ?? 3,
    retryMode: 'standard' as const,
    requestHandler: {
      requestTimeout,
      throwOnRequestTimeout: true,
      socketTimeout: requestTimeout,
      connectionTimeout: Math.min(requestTimeout, 5_000),
    },
  };
}

export function createEcsClient(opts: EcsClientOptions): ECSClient {
  return new ECSClient(awsClientConfig(opts));
}
