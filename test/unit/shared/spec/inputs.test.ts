import { describe, expect, it } from 'vitest';
import { formatSpecIssue, type SpecIssue } from '../../../../shared/model/errors.ts';
import { findControlChar } from '../../../../shared/model/text.ts';
import { resolvedSpecYaml, validateSpecText } from '../../../../shared/spec/validate.ts';

/** A valid spec with every field these rules look at; each case below is one edit of it. */
const BASE = `apiVersion: conductor/v1
kind: LoadTest
metadata:
  name: inputs
  description: "two lines\\nare fine here"
spec:
  production:
    kubernetes: { context: "arn:aws:eks:eu-central-1:123456789012:cluster/prod" }
    ecs: { region: eu-central-1, cluster: payments-prod, profile: prod-readonly }
  test:
    kubernetes: { context: kubernetes-admin@loadtest }
    ecs: { region: eu-central-1, cluster: "arn:aws:ecs:eu-central-1:123456789012:cluster/payments-loadtest", profile: loadtest }
  applications:
    - { name: checkout, kubernetes: { namespace: shop, deployment: checkout-api.v2, containers: [api] } }
    - { name: payment, ecs: { service: Payment_Gateway-1, containers: [Scorer_1] } }
  deploy:
    overrides:
      checkout: { image: "registry.example:5000/team/checkout-api:feature-x" }
  load:
    locust: { url: "http://locust.loadtest:8089" }
    kpi: { locustRequest: POST /orders }
    targetOrdersPerMinute: 7200
    rampUp: 30m
    plateau: 1h
  cleanup:
    - http:
        url: https://orders.loadtest/test-orders?createdBy=locust
        headers: { X-Cleanup-Reason: load-test, Authorization: { env: CLEANUP_AUTHORIZATION } }
        body: { file: /run/secrets/cleanup-body }
    - kubernetesJob: { namespace: shop, name: purge, image: "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", command: [sh, -c, "echo one\\necho two"] }
  notify:
    webhook:
      url: { env: WEBHOOK_URL }
      headers: { X-Api-Key: { file: ~/.config/conductor/webhook-key } }
`;

function edit(from: string, to: string): string {
  if (!BASE.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} is not in the base spec`);
  return BASE.replace(from, to);
}

function problems(text: string): SpecIssue[] {
  const result = validateSpecText(text, 'spec.yaml');
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.issues;
}

function problemAt(text: string, path: string): string {
  const issues = problems(text);
  const issue = issues.find((i) => i.path === path);
  expect(issue, `no problem at ${path}; got ${issues.map((i) => formatSpecIssue(i)).join(' | ')}`).toBeDefined();
  return formatSpecIssue(issue!, 'spec.yaml');
}

describe('spec inputs: the base spec is valid', () => {
  it('accepts names as the servers accept them, references and multi-line text where text spans lines', () => {
    const result = validateSpecText(BASE);
    expect(result.ok ? [] : result.issues.map((i) => formatSpecIssue(i))).toEqual([]);
    if (!result.ok) return;
    const [hook] = result.spec.spec.cleanup;
    expect(hook?.http?.headers).toEqual({ 'X-Cleanup-Reason': 'load-test', Authorization: { env: 'CLEANUP_AUTHORIZATION' } });
    expect(result.spec.spec.notify.webhook?.url).toEqual({ env: 'WEBHOOK_URL' });
    // --print keeps the references (the output is a valid spec and holds no value)
    const printed = resolvedSpecYaml(result.spec);
    expect(printed).toContain('env: CLEANUP_AUTHORIZATION');
    expect(validateSpecText(printed).ok).toBe(true);
  });
});

describe('spec inputs: control characters', () => {
  it.each([
    ['a terminal escape in a context', 'context: kubernetes-admin@loadtest', 'context: "x\\e[2J\\e[HPASSED"', 'spec.test.kubernetes.context', /control character \(\\u001b at character 2\)/],
    ['a carriage return in a Locust request', 'locustRequest: POST /orders', 'locustRequest: "POST /orders\\rverdict: PASSED"', 'spec.load.kpi.locustRequest', /\\u000d/],
    ['a new line in a one-line field', 'locustRequest: POST /orders', 'locustRequest: "POST /orders\\nverdict: PASSED"', 'spec.load.kpi.locustRequest', /no new lines/],
    ['a C1 control (CSI)', 'context: kubernetes-admin@loadtest', 'context: "x\\u009b2J"', 'spec.test.kubernetes.context', /\\u009b/],
    ['a bidirectional override', 'name: inputs', 'name: "in\\u202eputs"', 'metadata.name', /\\u202e/],
  ])('refuses %s, naming it escaped', (_, from, to, path, says) => {
    const line = problemAt(edit(from, to), path);
    expect(line).toMatch(says);
    expect(findControlChar(line)).toBe(-1);
  });

  it('refuses a control character in a key and shows the key escaped', () => {
    const issues = problems(edit('X-Cleanup-Reason: load-test', '"X-\\e[2J": load-test'));
    const issue = issues.find((i) => i.message.startsWith('the key holds'));
    expect(issue?.path).toBe('spec.cleanup[0].http.headers["X-\\u001b[2J"]');
    expect(JSON.stringify(issues)).not.toContain('\u001b');
  });
});

describe('spec inputs: names follow the Kubernetes and ECS rules', () => {
  it.each([
    ['a deployment with upper case', 'deployment: checkout-api.v2', 'deployment: Checkout', 'spec.applications[0].kubernetes.deployment', /DNS-1123 subdomain/],
    ['a Kubernetes container with "_"', 'containers: [api]', 'containers: [api_1]', 'spec.applications[0].kubernetes.containers[0]', /DNS-1123 label/],
    ['a context with a space', 'context: kubernetes-admin@loadtest', 'context: "load test"', 'spec.test.kubernetes.context', /no spaces/],
    ['an ECS service with a dot', 'service: Payment_Gateway-1', 'service: payment.gateway', 'spec.applications[1].ecs.service', /ECS service name/],
    ['an ECS service name over 255', 'service: Payment_Gateway-1', `service: ${'s'.repeat(256)}`, 'spec.applications[1].ecs.service', /ECS service name/],
    ['an ECS cluster ARN of another service', 'cluster: payments-prod', 'cluster: "arn:aws:eks:eu-central-1:123456789012:cluster/prod"', 'spec.production.ecs.cluster', /cluster ARN/],
    ['an ECS container with a space', 'containers: [Scorer_1]', 'containers: ["Scorer 1"]', 'spec.applications[1].ecs.containers[0]', /ECS container name/],
    ['an AWS profile with a space', 'profile: loadtest', 'profile: "load test"', 'spec.test.ecs.profile', /AWS profile name/],
    ['an image with spaces', 'image: "registry.example:5000/team/checkout-api:feature-x"', 'image: "checkout api"', 'spec.deploy.overrides.checkout.image', /container image/],
    ['a header name with a space', 'X-Cleanup-Reason: load-test', '"X Cleanup": load-test', 'spec.cleanup[0].http.headers["X Cleanup"]', /HTTP header name; found "X Cleanup"/],
  ])('refuses %s', (_, from, to, path, says) => {
    expect(problemAt(edit(from, to), path)).toMatch(says);
  });

  it('accepts service ARNs, short and long form', () => {
    for (const arn of ['arn:aws:ecs:eu-central-1:123456789012:service/payment', 'arn:aws:ecs:eu-central-1:123456789012:service/payments-loadtest/payment']) {
      expect(validateSpecText(edit('service: Payment_Gateway-1', `service: "${arn}"`)).ok, arn).toBe(true);
    }
  });

  it('checks a long hostile image name in linear time (the length is checked before the pattern)', () => {
    const line = problemAt(edit('image: "registry.example:5000/team/checkout-api:feature-x"', `image: "${'a-'.repeat(5000)}!"`), 'spec.deploy.overrides.checkout.image');
    expect(line).toMatch(/too long.*at most 1024 characters.*found 10001 characters/);
  });
});

describe('spec inputs: numbers have bounds', () => {
  it.each([
    ['targetOrdersPerMinute: 7200', 'targetOrdersPerMinute: 5e-324', 'spec.load.targetOrdersPerMinute', /at least 1/],
    ['targetOrdersPerMinute: 7200', 'targetOrdersPerMinute: .inf', 'spec.load.targetOrdersPerMinute', /at most 10000000/],
    ['targetOrdersPerMinute: 7200', 'targetOrdersPerMinute: .nan', 'spec.load.targetOrdersPerMinute', /a number/],
    ['    plateau: 1h', '    plateau: 1h\n    maxSpawnRatePerWorker: 5e-324', 'spec.load.maxSpawnRatePerWorker', /at least 0.01/],
    ['  load:', '  guards: { maxP99Ms: .inf }\n  load:', 'spec.guards.maxP99Ms', /at most 3600000/],
    ['  load:', '  scale: { caps: { checkout: { maxReplicas: 1e12 } } }\n  load:', 'spec.scale.caps.checkout.maxReplicas', /at most 100000/],
  ])('%s → %s is refused', (from, to, path, says) => {
    expect(problemAt(edit(from, to), path)).toMatch(says);
  });
});

describe('spec inputs: secrets are references, never literals', () => {
  const SECRET = 'sk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

  it.each([
    ['an Authorization header', 'Authorization: { env: CLEANUP_AUTHORIZATION }', `Authorization: "Bearer ${SECRET}"`, 'spec.cleanup[0].http.headers.Authorization', /credential header.*Authorization: \{ env: CLEANUP_AUTHORIZATION \}/],
    ['an API key header', 'X-Api-Key: { file: ~/.config/conductor/webhook-key }', `X-Api-Key: ${SECRET}`, 'spec.notify.webhook.headers.X-Api-Key', /X-Api-Key: \{ env: WEBHOOK_X_API_KEY \}/],
    ['a token-shaped value in an ordinary header', 'X-Cleanup-Reason: load-test', `X-Cleanup-Reason: ${SECRET}`, 'spec.cleanup[0].http.headers.X-Cleanup-Reason', /looks like/],
    ['a webhook URL with ?token=', 'url: { env: WEBHOOK_URL }', `url: "https://hooks.example/x?token=${SECRET}"`, 'spec.notify.webhook.url', /query parameter "token".*url: \{ env: WEBHOOK_URL \}/],
    ['a cleanup URL with user:password@', 'url: https://orders.loadtest/test-orders?createdBy=locust', `url: "https://admin:${SECRET}@orders.loadtest/x"`, 'spec.cleanup[0].http.url', /user name or password.*url: \{ env: CLEANUP_URL \}/],
    ['a Locust URL with a password', 'url: "http://locust.loadtest:8089"', `url: "http://user:${SECRET}@locust.loadtest:8089"`, 'spec.load.locust.url', /a URL without credentials/],
    ['a secret in a cleanup body', 'body: { file: /run/secrets/cleanup-body }', `body: '{"apiKey": "x", "password": "${SECRET}"}'`, 'spec.cleanup[0].http.body', /body: \{ env: CLEANUP_BODY \}/],
  ])('refuses %s and says how to reference it, without showing the value', (_, from, to, path, says) => {
    const text = edit(from, to);
    const line = problemAt(text, path);
    expect(line).toMatch(says);
    const result = validateSpecText(text, 'spec.yaml');
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('refuses a reference that is neither env nor file, or both', () => {
    expect(problemAt(edit('url: { env: WEBHOOK_URL }', 'url: { env: WEBHOOK_URL, file: /x }'), 'spec.notify.webhook.url')).toMatch(/both env and file/);
    expect(problemAt(edit('url: { env: WEBHOOK_URL }', 'url: { env: "not a name" }'), 'spec.notify.webhook.url.env')).toMatch(/environment variable name/);
    expect(problemAt(edit('body: { file: /run/secrets/cleanup-body }', 'body: { file: relative/path }'), 'spec.cleanup[0].http.body.file')).toMatch(/absolute file path/);
  });
});
