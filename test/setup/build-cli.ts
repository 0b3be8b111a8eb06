/**
 * Vitest global setup: the tests that spawn `bin/conductor.js` run the built CLI (out/cli), so it
 * is built once here when missing or older than its sources — never a stale bundle under test,
 * and no two test processes racing to build it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, cliBundleState } from '../../build/cli-bundle.js';

export default async function setup(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (cliBundleState(root) !== 'fresh') await buildCli(root);
}
