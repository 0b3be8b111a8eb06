import { describe, expect, it } from 'vitest';
import { formatSpecIssue, type SpecIssue } from '../../../../shared/model/errors.ts';
import { MAX_ISSUES, describeTestEnvironment, resolvedSpecYaml, validateSpecText } from '../../../../shared/spec/validate.ts';

/** A valid spec on real clusters; every invalid case below is one edit of it. */
const BASE = `apiVersion: conductor/v1
kind: LoadTest
metadata:
  name: rehearsal
spec:
  production:
    kubernetes:
      context: prod-eu
    ecs:
      region: eu-central-1
      cluster: payments-prod
      profile: prod-readonly
  test:
    kubernetes:
      context: loadtest-eu
    ecs:
      region: eu-central-1
      cluster: payments-loadtest
      profile: loadtest
  applications:
    - name: checkout
      kubernetes:
        namespace: shop
        deployment: checkout-api
        containers: [api, envoy]
    - name: payment-gateway
      ecs:
        service: payment-gateway
  deploy:
    overrides:
      checkout:
        image: registry.example/checkout-api:feature-x
  scale:
    caps:
      checkout:
        maxReplicas: 10
  load:
    locust:
      url: http://locust.loadtest:8089
    kpi:
      locustRequest: POST /orders
    targetOrdersPerMinute: 7200
    rampUp: 30m
    plateau: 1h
  guards:
    maxErrorRate: 0.02
  cleanup:
    - http:
        url: https://orders.loadtest/test-orders
`;

function edit(...pairs: [string, string][]): string {
  let text = BASE;
  for (const [from, to] of pairs) {
    if (!text.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} is not in the base spec`);
    text = text.replace(from, to);
  }
  return text;
}

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`test setup: ${JSON.stringify(needle)} not found`);
  return text.slice(0, at).split('\n').length;
}

function problems(text: string): SpecIssue[] {
  const result = validateSpecText(text, 'spec.yaml');
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.issues;
}

interface Case {
  name: string;
  text: string;
  path: string;
  /** text on the line the problem must point at */
  lineAt?: string;
  /** words the message/expected/found must contain */
  says?: RegExp;
}

const cases: Case[] = [
  { name: 'wrong apiVersion', text: edit(['apiVersion: conductor/v1', 'apiVersion: conductor/v2']), path: 'apiVersion', lineAt: 'apiVersion', says: /conductor\/v1.*found "conductor\/v2"/ },
  { name: 'wrong kind', text: edit(['kind: LoadTest', 'kind: Deployment']), path: 'kind', lineAt: 'kind:', says: /"LoadTest"/ },
  { name: 'missing metadata', text: edit(['metadata:\n  name: rehearsal\n', '']), path: 'metadata', says: /required/ },
  { name: 'name not a DNS label', text: edit(['name: rehearsal', 'name: Cyber_Week']), path: 'metadata.name', lineAt: 'Cyber_Week', says: /DNS-1123/ },
  { name: 'unknown top-level field', text: edit(['kind: LoadTest', 'kind: LoadTest\nstatus: {}']), path: 'status', lineAt: 'status:', says: /unknown field/ },
  { name: 'typo in a field name', text: edit(['    rampUp: 30m', '    rampup: 30m']), path: 'spec.load.rampup', lineAt: 'rampup', says: /did you mean "rampUp"/ },
  { name: 'missing rampUp', text: edit(['    rampUp: 30m\n', '']), path: 'spec.load.rampUp', lineAt: '  load:', says: /required.*duration/ },
  { name: 'rampUp not a duration', text: edit(['rampUp: 30m', 'rampUp: 1d']), path: 'spec.load.rampUp', lineAt: 'rampUp', says: /duration such as 90s.*found "1d"/ },
  { name: 'rampUp a number', text: edit(['rampUp: 30m', 'rampUp: 30']), path: 'spec.load.rampUp', lineAt: 'rampUp', says: /found 30/ },
  { name: 'plateau above 24h', text: edit(['plateau: 1h', 'plateau: 25h']), path: 'spec.load.plateau', lineAt: 'plateau', says: /between 1s and 24h/ },
  { name: 'rampUp + plateau above 24h', text: edit(['rampUp: 30m', 'rampUp: 20h'], ['plateau: 1h', 'plateau: 5h']), path: 'spec.load.plateau', lineAt: 'plateau', says: /24h/ },
  { name: 'controlInterval longer than rampUp', text: edit(['rampUp: 30m', 'rampUp: 2m\n    controlInterval: 5m']), path: 'spec.load.controlInterval', lineAt: 'controlInterval', says: /at most the rampUp/ },
  { name: 'default controlInterval longer than rampUp', text: edit(['rampUp: 30m', 'rampUp: 30s']), path: 'spec.load.rampUp', lineAt: 'rampUp', says: /default controlInterval 60s/ },
  { name: 'target zero', text: edit(['targetOrdersPerMinute: 7200', 'targetOrdersPerMinute: 0']), path: 'spec.load.targetOrdersPerMinute', lineAt: 'targetOrdersPerMinute', says: /at least 1.*found 0/ },
  { name: 'target negative', text: edit(['targetOrdersPerMinute: 7200', 'targetOrdersPerMinute: -5']), path: 'spec.load.targetOrdersPerMinute', lineAt: 'targetOrdersPerMinute', says: /at least 1/ },
  { name: 'target the smallest double', text: edit(['targetOrdersPerMinute: 7200', 'targetOrdersPerMinute: 5e-324']), path: 'spec.load.targetOrdersPerMinute', lineAt: 'targetOrdersPerMinute', says: /at least 1.*found 5e-324/ },
  { name: 'target a string', text: edit(['targetOrdersPerMinute: 7200', 'targetOrdersPerMinute: lots']), path: 'spec.load.targetOrdersPerMinute', lineAt: 'targetOrdersPerMinute', says: /a number.*"lots" \(a string\)/ },
  { name: 'no KPI source', text: edit(['    kpi:\n      locustRequest: POST /orders\n', '    kpi: {}\n']), path: 'spec.load.kpi', lineAt: 'kpi', says: /exactly one of locustRequest/ },
  { name: 'two KPI sources', text: edit(['      locustRequest: POST /orders\n', '      locustRequest: POST /orders\n      prometheus: { url: "http://prom:9090", query: "sum(x)" }\n']), path: 'spec.load.kpi', lineAt: 'kpi', says: /two KPI sources/ },
  { name: 'Locust URL not http', text: edit(['url: http://locust.loadtest:8089', 'url: ftp://locust']), path: 'spec.load.locust.url', lineAt: 'ftp://', says: /http:\/\/ or https:\/\// },
  { name: 'Locust URL missing without sandbox', text: edit(['    locust:\n      url: http://locust.loadtest:8089\n', '    locust: {}\n']), path: 'spec.load.locust.url', lineAt: 'locust:', says: /Locust master URL is required/ },
  { name: 'maxErrorRate above 1', text: edit(['maxErrorRate: 0.02', 'maxErrorRate: 2']), path: 'spec.guards.maxErrorRate', lineAt: 'maxErrorRate', says: /at most 1/ },
  { name: 'algorithm not allowed', text: edit(['    plateau: 1h', '    plateau: 1h\n    algorithm: pid']), path: 'spec.load.algorithm', lineAt: 'algorithm', says: /"adaptive", "baseline".*found "pid"/ },
  { name: 'no applications', text: BASE.replace(/ {2}applications:\n[\s\S]*?(?= {2}deploy:)/, '  applications: []\n'), path: 'spec.applications', lineAt: 'applications: []', says: /at least 1 item/ },
  { name: 'duplicate application names', text: edit(['    - name: payment-gateway', '    - name: checkout']), path: 'spec.applications[1].name', lineAt: '- name: checkout\n      ecs', says: /duplicate application name/ },
  { name: 'application on both substrates', text: edit(['        service: payment-gateway', '        service: payment-gateway\n      kubernetes: { namespace: pay, deployment: gw }']), path: 'spec.applications[1].ecs', lineAt: '      ecs:\n        service: payment-gateway\n      kubernetes', says: /both kubernetes and ecs/ },
  { name: 'application on neither substrate', text: edit(['      ecs:\n        service: payment-gateway\n', '']), path: 'spec.applications[1]', lineAt: 'name: payment-gateway', says: /neither/ },
  { name: 'application name missing', text: edit(['    - name: payment-gateway\n      ecs:', '    - ecs:']), path: 'spec.applications[1].name', lineAt: '- ecs:', says: /required/ },
  { name: 'namespace not a DNS label', text: edit(['namespace: shop', 'namespace: Shop!']), path: 'spec.applications[0].kubernetes.namespace', lineAt: 'Shop!', says: /DNS-1123/ },
  { name: 'override for an app not in scope', text: edit(['      checkout:\n        image:', '      checkout-v2:\n        image:']), path: 'spec.deploy.overrides.checkout-v2', lineAt: 'checkout-v2:', says: /not in scope.*checkout, payment-gateway/ },
  { name: 'override for an unknown container', text: edit(['        image: registry.example/checkout-api:feature-x', '        containers: { sidecar: registry.example/sidecar:2 }']), path: 'spec.deploy.overrides.checkout.containers.sidecar', lineAt: 'sidecar', says: /one of api, envoy/ },
  { name: 'override with no image', text: edit(['        image: registry.example/checkout-api:feature-x', '        {}']).replace('checkout:\n        {}', 'checkout: {}'), path: 'spec.deploy.overrides.checkout', lineAt: 'checkout: {}', says: /gives no image/ },
  { name: 'scale cap for an app not in scope', text: edit(['    caps:\n      checkout:', '    caps:\n      basket:']), path: 'spec.scale.caps.basket', lineAt: 'basket', says: /not in scope/ },
  { name: 'Kubernetes cap on an ECS app', text: edit(['    caps:\n      checkout:', '    caps:\n      payment-gateway:']), path: 'spec.scale.caps.payment-gateway.maxReplicas', lineAt: 'maxReplicas', says: /runs on ECS/ },
  { name: 'scale cap quantity malformed', text: edit(['        maxReplicas: 10', '        maxCpu: two cores']), path: 'spec.scale.caps.checkout.maxCpu', lineAt: 'two cores', says: /Kubernetes quantity/ },
  { name: 'test kubernetes context equal to production', text: edit(['context: loadtest-eu', 'context: prod-eu']), path: 'spec.test.kubernetes.context', lineAt: '      context: prod-eu\n    ecs:\n      region: eu-central-1\n      cluster: payments-loadtest', says: /test environment is production/ },
  { name: 'test ECS cluster equal to production', text: edit(['cluster: payments-loadtest', 'cluster: payments-prod']), path: 'spec.test.ecs.cluster', lineAt: 'cluster: payments-prod\n      profile: loadtest', says: /same ECS region and cluster/ },
  { name: 'production without kubernetes while an app needs it', text: edit(['  production:\n    kubernetes:\n      context: prod-eu\n', '  production:\n']), path: 'spec.production.kubernetes', lineAt: '  production:', says: /"checkout" runs on Kubernetes/ },
  { name: 'no test environment at all', text: edit(['  test:\n    kubernetes:\n      context: loadtest-eu\n    ecs:\n      region: eu-central-1\n      cluster: payments-loadtest\n      profile: loadtest\n', '']), path: 'spec.test', says: /test environment needs/ },
  { name: 'ECS region malformed', text: edit(['      region: eu-central-1\n      cluster: payments-loadtest', '      region: Frankfurt\n      cluster: payments-loadtest']), path: 'spec.test.ecs.region', lineAt: 'Frankfurt', says: /AWS region/ },
  { name: 'sandbox combined with production', text: edit(['spec:\n', 'spec:\n  sandbox: {}\n']), path: 'spec.production', lineAt: '  production:', says: /cannot be combined/ },
  { name: 'cleanup hook with no action', text: edit(['    - http:\n        url: https://orders.loadtest/test-orders', '    - {}']), path: 'spec.cleanup[0]', lineAt: '- {}', says: /no action/ },
  { name: 'cleanup method not allowed', text: edit(['        url: https://orders.loadtest/test-orders', '        url: https://orders.loadtest/test-orders\n        method: PURGE']), path: 'spec.cleanup[0].http.method', lineAt: 'PURGE', says: /"DELETE"/ },
  { name: 'document is a list', text: '- a\n- b\n', path: '', says: /not a LoadTest.*a list of 2 items/ },
  { name: 'document is a scalar', text: 'hello\n', path: '', says: /not a LoadTest/ },
];

describe('validateSpecText: invalid specs', () => {
  it('the base spec is valid', () => {
    const result = validateSpecText(BASE);
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('$name → $path', ({ text, path, lineAt, says }) => {
    const issues = problems(text);
    const issue = issues.find((i) => i.path === path);
    expect(issue, `no problem at ${JSON.stringify(path)}; got ${issues.map((i) => formatSpecIssue(i)).join(' | ')}`).toBeDefined();
    const line = formatSpecIssue(issue!, 'spec.yaml');
    expect(line).toContain(path ? `: ${path}: ` : 'spec.yaml:');
    if (lineAt) expect(issue!.line, line).toBe(lineOf(text, lineAt));
    expect(issue!.column ?? 1).toBeGreaterThanOrEqual(1);
    if (says) expect(line).toMatch(says);
    // every problem says what was expected and what was found
    for (const i of issues) {
      expect(i.expected, formatSpecIssue(i)).toBeTruthy();
      expect(i.found, formatSpecIssue(i)).toBeTruthy();
    }
  });

  it('reports every problem at once, in file order', () => {
    const text = edit(['apiVersion: conductor/v1', 'apiVersion: v0'], ['rampUp: 30m', 'rampUp: soon'], ['maxErrorRate: 0.02', 'maxErrorRate: -1'], ['cluster: payments-loadtest', 'cluster: payments-prod']);
    const issues = problems(text);
    expect(issues.map((i) => i.path)).toEqual(['apiVersion', 'spec.test.ecs.cluster', 'spec.load.rampUp', 'spec.guards.maxErrorRate']);
    const lines = issues.map((i) => i.line ?? 0);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it('shows at most MAX_ISSUES problems and says how many more there are', () => {
    const text = BASE.replace(/ {2}applications:\n[\s\S]*?(?= {2}deploy:)/, '  applications:\n' + '    - { name: Upper }\n'.repeat(200));
    const issues = problems(text);
    expect(issues).toHaveLength(MAX_ISSUES + 1);
    expect(issues.at(-1)!.message).toMatch(/^and \d+ more problems not shown$/);
    expect(issues[0]!.line).toBeLessThanOrEqual(issues[MAX_ISSUES - 1]!.line!);
  });

  it('points at the column of the value', () => {
    const issue = problems(edit(['rampUp: 30m', 'rampUp: 1d'])).find((i) => i.path === 'spec.load.rampUp')!;
    expect(issue.column).toBe('    rampUp: '.length + 1);
  });

  it('positions problems in JSON documents too', () => {
    const json = JSON.stringify({ apiVersion: 'conductor/v1', kind: 'LoadTest', metadata: { name: 'x' }, spec: { sandbox: {}, applications: [{ name: 'a', kubernetes: { namespace: 'n', deployment: 'd' } }], load: { kpi: { locustRequest: 'POST /orders' }, targetOrdersPerMinute: 'many', rampUp: '1m', plateau: '1m' } } }, null, 2);
    const issue = problems(json).find((i) => i.path === 'spec.load.targetOrdersPerMinute')!;
    expect(issue.line).toBe(lineOf(json, '"targetOrdersPerMinute"'));
  });
});

describe('validateSpecText: valid specs', () => {
  it('applies defaults and resolves durations to milliseconds', () => {
    const result = validateSpecText(BASE);
    if (!result.ok) throw new Error('invalid');
    expect(result.spec.spec.load.rampUp).toBe(30 * 60_000);
    expect(result.spec.spec.load.plateau).toBe(3_600_000);
    expect(result.spec.spec.load.controlInterval).toBe(60_000);
    expect(result.spec.spec.deploy.productionVersions).toBe(true);
    expect(result.spec.spec.cleanup[0]?.http?.method).toBe('DELETE');
    expect(result.spec.spec.guards.stallSamples).toBe(3);
  });

  it('allows a sandbox spec without environments or a Locust URL', () => {
    const text = `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: sb }
spec:
  sandbox: {}
  applications: [{ name: a, ecs: { service: a } }]
  load: { locust: {}, kpi: { locustRequest: POST /orders }, targetOrdersPerMinute: 100, rampUp: 1m, plateau: 1m, controlInterval: 10s }
`;
    const result = validateSpecText(text);
    expect(result.issues).toEqual([]);
    if (!result.ok) return;
    expect(describeTestEnvironment(result.spec)).toBe('the embedded sandbox');
  });

  it('accepts a test environment that differs from production only by kubeconfig file', () => {
    const text = edit(['      context: loadtest-eu', '      context: prod-eu\n      kubeconfig: /etc/loadtest/kubeconfig']);
    expect(validateSpecText(text).issues).toEqual([]);
  });

  it('accepts a few harmless YAML anchors and aliases', () => {
    const text = edit(['    - name: checkout\n      kubernetes:\n        namespace: shop', '    - name: checkout\n      kubernetes:\n        namespace: &ns shop'], ['        service: payment-gateway', '        service: payment-gateway\n    - name: cart\n      kubernetes: { namespace: *ns, deployment: cart }']);
    const result = validateSpecText(text);
    expect(result.issues).toEqual([]);
    if (result.ok) expect(result.spec.spec.applications[2]?.kubernetes?.namespace).toBe('shop');
  });

  it('describes the test environment for confirmations', () => {
    const result = validateSpecText(BASE);
    if (!result.ok) throw new Error('invalid');
    expect(describeTestEnvironment(result.spec)).toBe('kubernetes context loadtest-eu, ECS cluster payments-loadtest (eu-central-1, profile loadtest)');
  });

  it('prints a resolved spec that validates to the same spec and shows defaults as strings', () => {
    const first = validateSpecText(BASE);
    if (!first.ok) throw new Error('invalid');
    const printed = resolvedSpecYaml(first.spec);
    expect(printed).toContain('controlInterval: 60s');
    expect(printed).toContain('rolloutTimeout: 10m');
    expect(printed).toContain('rampUp: 30m');
    expect(printed).toContain('plateau: 1h');
    const second = validateSpecText(printed);
    expect(second.issues).toEqual([]);
    if (second.ok) expect(second.spec).toEqual(first.spec);
  });

  it('prints sub-second durations without losing them', () => {
    const text = edit(['  cleanup:\n    - http:\n        url: https://orders.loadtest/test-orders', '  cleanup:\n    - http:\n        url: https://orders.loadtest/test-orders\n        timeout: 1s500ms']);
    const first = validateSpecText(text);
    if (!first.ok) throw new Error('invalid: ' + first.issues.map((i) => formatSpecIssue(i)).join(', '));
    expect(first.spec.spec.cleanup[0]?.http?.timeout).toBe(1500);
    const second = validateSpecText(resolvedSpecYaml(first.spec));
    if (second.ok) expect(second.spec.spec.cleanup[0]?.http?.timeout).toBe(1500);
    else throw new Error('printed spec invalid');
  });
});
