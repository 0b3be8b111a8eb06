import { defineConfig } from 'vitest/config';

// The conformance suite (`npm run test:conformance`): the adapters and the whole lifecycle against
// real servers — a Kubernetes control plane built from the Go module proxy, moto for ECS, current
// Locust. One plane for the whole suite (./global-setup.ts); files run one at a time on it.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/conformance/**/*.test.ts'],
    environment: 'node',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    setupFiles: ['test/setup/production-writes.ts'],
    globalSetup: ['test/conformance/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
