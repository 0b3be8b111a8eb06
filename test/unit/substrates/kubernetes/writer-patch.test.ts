import { describe, expect, it } from 'vitest';
import { assertNotProduction, deploymentPatch, rolloutStatusOf } from '../../../../electron/substrates/kubernetes/index.ts';
import { endpointKey as normalizeServer } from '../../../../shared/net/address.ts';
import { ProductionWriteRefused, SubstrateError } from '../../../../shared/model/errors.ts';

const ref = { app: 'checkout', namespace: 'shop', deployment: 'checkout-api' };
const dep = {
  metadata: { name: 'checkout-api', generation: 3 },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'checkout-api', image: 'r/checkout-api:1', resources: { requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '1Gi' }, limits: { cpu: '500m' } } },
          { name: 'envoy', image: 'r/envoy:1' },
        ],
      },
    },
  },
  status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
};

describe('deploymentPatch', () => {
  it('contains only what differs, containers by name, and replaces cpu/memory of requests and limits', () => {
    expect(
      deploymentPatch(ref, dep, {
        replicas: 6,
        images: { 'checkout-api': 'r/checkout-api:2', envoy: 'r/envoy:1' },
        resources: { 'checkout-api': { requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } } },
      }),
    ).toEqual({
      spec: {
        replicas: 6,
        template: { spec: { containers: [{ name: 'checkout-api', image: 'r/checkout-api:2', resources: { requests: { cpu: '500m', memory: null }, limits: { cpu: '1', memory: '1Gi' } } }] } },
      },
    });
  });

  it('is undefined when the deployment already matches, and refuses unknown containers', () => {
    expect(deploymentPatch(ref, dep, { replicas: 2, images: { envoy: 'r/envoy:1' }, resources: { 'checkout-api': { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m' } } } })).toBeUndefined();
    expect(deploymentPatch(ref, dep, {})).toBeUndefined();
    expect(() => deploymentPatch(ref, dep, { images: { app: 'x' } }, 'loadtest-eu')).toThrow(SubstrateError);
  });
});

describe('rolloutStatusOf', () => {
  it('follows kubectl rollout status: generation observed, all updated, no old replicas, all available', () => {
    expect(rolloutStatusOf(dep)).toEqual({ observed: true, desired: 2, updated: 2, ready: 2, available: 2, complete: true });
    expect(rolloutStatusOf({ ...dep, metadata: { generation: 4 } }).complete).toBe(false);
    expect(rolloutStatusOf({ ...dep, status: { ...dep.status, replicas: 3 } }).complete).toBe(false);
    expect(rolloutStatusOf({ ...dep, status: { ...dep.status, availableReplicas: 1 } }).complete).toBe(false);
  });
});

describe('production guard', () => {
  it('treats loopback names, default ports and trailing slashes as the same server', () => {
    expect(normalizeServer('https://API.example.com/')).toBe(normalizeServer('https://api.example.com:443'));
    expect(normalizeServer('http://localhost:16443')).toBe(normalizeServer('http://127.0.0.1:16443/'));
    expect(normalizeServer('https://a.example:6443')).not.toBe(normalizeServer('https://b.example:6443'));
  });

  it('refuses the production server + namespace, allows other namespaces and servers', () => {
    const prod = [{ server: 'https://prod.example:6443', context: 'prod-eu', namespaces: ['shop'] }];
    expect(() => assertNotProduction({ context: 'loadtest-eu', server: 'https://prod.example:6443/' }, 'shop', prod, 'patch')).toThrow(ProductionWriteRefused);
    expect(() => assertNotProduction({ context: 'loadtest-eu', server: 'https://prod.example:6443' }, 'loadtest', prod, 'patch')).not.toThrow();
    expect(() => assertNotProduction({ context: 'loadtest-eu', server: 'https://test.example:6443' }, 'shop', prod, 'patch')).not.toThrow();
    expect(() => assertNotProduction({ context: 'x', server: 'https://prod.example:6443' }, 'any', [{ server: 'https://prod.example:6443' }], 'patch')).toThrow(ProductionWriteRefused);
  });
});
