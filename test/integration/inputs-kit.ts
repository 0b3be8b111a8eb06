/**
 * Hostile files for the input tests of the CLI and the HTTP API: a FIFO, /dev/zero, a directory
 * and an AWS credentials file, each given as a spec's kubeconfig; and the spec that names one.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** the secret in the credentials file: it must never appear in an error */
export const CREDENTIAL = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export async function hostileKubeconfigs(dir: string): Promise<{ name: string; path: string; says: RegExp }[]> {
  const fifo = join(dir, 'kubeconfig-fifo');
  execFileSync('mkfifo', [fifo]);
  const folder = join(dir, 'kubeconfig-dir');
  await mkdir(folder);
  const credentials = join(dir, 'credentials');
  await writeFile(credentials, `[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${CREDENTIAL}\n`);
  return [
    { name: 'a FIFO', path: fifo, says: /is a named pipe \(FIFO\), not a regular file; expected a kubeconfig file: a regular file of at most 1 MiB/ },
    { name: '/dev/zero', path: '/dev/zero', says: /is a character device, not a regular file; expected a kubeconfig file/ },
    { name: 'a directory', path: folder, says: /is a directory, not a regular file; expected a kubeconfig file/ },
    { name: 'an AWS credentials file', path: credentials, says: /is not a kubeconfig: invalid YAML: .*\(line \d+, column \d+\); expected a YAML kubeconfig/ },
  ];
}

/** A spec on "real" clusters through a kubeconfig path (nothing is reached: the kubeconfig is refused first). */
export function specWithKubeconfig(kubeconfig: string): string {
  return `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: hostile-kubeconfig }
spec:
  production: { kubernetes: { context: prod, kubeconfig: ${JSON.stringify(kubeconfig)} } }
  test: { kubernetes: { context: test, kubeconfig: ${JSON.stringify(kubeconfig)} } }
  applications: [{ name: cart, kubernetes: { namespace: shop, deployment: cart } }]
  load:
    locust: { url: "http://127.0.0.1:9" }
    kpi: { locustRequest: POST /orders }
    targetOrdersPerMinute: 600
    rampUp: 2m
    plateau: 2m
`;
}

/** no line of the file: neither its keys nor its secret */
export function quotesNothing(text: string): boolean {
  return !text.includes(CREDENTIAL) && !text.includes('aws_access_key_id') && !text.includes('AKIA');
}
