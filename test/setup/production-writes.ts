import { afterAll, expect } from 'vitest';
import { sandboxLedger } from '../../electron/sandbox/index.ts';

/**
 * Runs after every test file: whatever the file did, no sandbox it started saw a single mutating
 * request reach production (the Kubernetes production API server or the ECS production cluster).
 */
afterAll(() => {
  const { started, productionWrites } = sandboxLedger();
  if (started > 0) expect(productionWrites, 'mutating requests received by sandbox production').toBe(0);
});
