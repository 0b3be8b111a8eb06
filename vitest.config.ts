import { configDefaults, defineConfig } from 'vitest/config';

// One config for the whole suite. Renderer component tests opt into a DOM with
// a `// @vitest-environment jsdom` comment at the top of the file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // the conformance suite needs the real plane and runs with its own config (npm run test:conformance)
    exclude: [...configDefaults.exclude, 'test/conformance/**'],
    environment: 'node',
    setupFiles: ['test/setup/production-writes.ts'],
    globalSetup: ['test/setup/build-cli.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
