import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeconfigFor, kubeconfigYaml } from '../../../../electron/sandbox/kubernetes/index.ts';
import { loadKubeconfig } from '../../../../electron/substrates/kubernetes/index.ts';
import { SubstrateError } from '../../../../shared/model/errors.ts';

describe('loadKubeconfig', () => {
  let dir: string;
  let a: string;
  let b: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kc-'));
    a = join(dir, 'a.yaml');
    b = join(dir, 'b.yaml');
    writeFileSync(a, kubeconfigYaml(kubeconfigFor([{ name: 'prod', url: 'https://prod.example:6443' }], [{ name: 'prod-eu', cluster: 'prod' }])));
    writeFileSync(
      b,
      kubeconfigYaml(
        kubeconfigFor(
          [
            { name: 'prod', url: 'https://shadowed.example:6443' },
            { name: 'loadtest', url: 'https://loadtest.example:6443' },
          ],
          [{ name: 'loadtest-eu', cluster: 'loadtest', namespace: 'shop' }],
          { user: 'other' },
        ),
      ),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges the files of KUBECONFIG in order, the first definition winning, and selects a context', () => {
    const env = { KUBECONFIG: [a, join(dir, 'absent.yaml'), b].join(delimiter) };
    const prod = loadKubeconfig({ env });
    expect(prod.target).toEqual({ context: 'prod-eu', server: 'https://prod.example:6443' });
    const test = loadKubeconfig({ env, context: 'loadtest-eu' });
    expect(test.target).toEqual({ context: 'loadtest-eu', server: 'https://loadtest.example:6443' });
    expect(test.kc.getCurrentUser()?.name).toBe('other');
  });

  it('falls back to ~/.kube/config, takes an explicit path, or a loaded KubeConfig', () => {
    const home = join(dir, 'home');
    const kube = join(home, '.kube');
    mkdirSync(kube, { recursive: true });
    writeFileSync(join(kube, 'config'), kubeconfigYaml(kubeconfigFor([{ name: 'c', url: 'http://127.0.0.1:1' }], [{ name: 'home-ctx', cluster: 'c' }])));
    expect(loadKubeconfig({ env: { HOME: home } }).target.context).toBe('home-ctx');
    expect(loadKubeconfig({ kubeconfigPath: b, env: { HOME: home } }).target.context).toBe('loadtest-eu');
    const kc = new KubeConfig();
    kc.loadFromFile(a);
    expect(loadKubeconfig(kc).target.server).toBe('https://prod.example:6443');
  });

  it('names what is wrong: a missing file, an unknown context, no kubeconfig at all', () => {
    expect(() => loadKubeconfig({ kubeconfigPath: join(dir, 'nope.yaml') })).toThrow(`kubeconfig not found: ${join(dir, 'nope.yaml')}`);
    const err = (() => {
      try {
        loadKubeconfig({ kubeconfigPath: a, context: 'staging' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as Error).message).toBe(`kubeconfig context "staging" not found in ${a}; expected one of: prod-eu`);
    expect(() => loadKubeconfig({ env: { HOME: join(dir, 'empty') } })).toThrow(/no kubeconfig found: expected \$KUBECONFIG, an explicit kubeconfig path, or .*empty\/\.kube\/config/);
  });
});
