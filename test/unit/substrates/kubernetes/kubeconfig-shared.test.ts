import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { selectContext } from '../../../../electron/substrates/kubernetes/kubeconfig-loader.ts';

describe('one KubeConfig shared by several adapters', () => {
  it('selecting a context for one adapter does not move the others (or the caller) to it', () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'prod', server: 'http://127.0.0.1:1', skipTLSVerify: true },
        { name: 'test', server: 'http://127.0.0.1:2', skipTLSVerify: true },
      ],
      users: [{ name: 'u', token: 't' }],
      contexts: [
        { name: 'sandbox-prod', cluster: 'prod', user: 'u' },
        { name: 'sandbox-test', cluster: 'test', user: 'u' },
      ],
      currentContext: 'sandbox-test',
    });
    const production = selectContext(kc, 'sandbox-prod');
    const test = selectContext(kc, 'sandbox-test');
    expect(production.target.server).toBe('http://127.0.0.1:1');
    expect(production.kc.getCurrentContext()).toBe('sandbox-prod');
    expect(production.kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
    expect(test.kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:2');
    expect(kc.getCurrentContext()).toBe('sandbox-test');
  });
});
