import { describe, expect, it } from 'vitest';
import { MissingToolError, requireTool, TOOLS } from '../../support/tools.ts';

/** A test that needs Locust, kubectl, aws, Prometheus or Chromium says which is missing and how to install it. */
describe('requireTool', () => {
  it('names the missing tool, where it looked and the command that installs it', () => {
    const missing = () => requireTool('locust', { path: '/nonexistent/bin/locust', install: TOOLS.locust.install });
    expect(missing).toThrow(MissingToolError);
    expect(missing).toThrow('locust is not installed (looked for /nonexistent/bin/locust); install it with: apt-get install -y python3-locust');
    expect(() => requireTool('prometheus', { path: 'no-such-prometheus-here', install: TOOLS.prometheus.install })).toThrow(
      'prometheus is not installed (looked for no-such-prometheus-here on PATH); install it with: apt-get install -y --no-install-recommends prometheus',
    );
  });

  it('finds an absolute path, a command on PATH, and an override from the environment', () => {
    expect(requireTool('node', { path: process.execPath, install: 'n/a' })).toBe(process.execPath);
    expect(requireTool('sh', { path: 'sh', install: 'n/a' })).toMatch(/\/sh$/);
    const saved = process.env.CONDUCTOR_TEST_TOOL;
    try {
      process.env.CONDUCTOR_TEST_TOOL = process.execPath;
      expect(requireTool('kubectl', { path: '/nonexistent/kubectl', env: 'CONDUCTOR_TEST_TOOL', install: 'n/a' })).toBe(process.execPath);
      process.env.CONDUCTOR_TEST_TOOL = '/nonexistent/override';
      expect(() => requireTool('kubectl', { path: '/usr/bin/kubectl', env: 'CONDUCTOR_TEST_TOOL', install: 'set it right' })).toThrow(
        'kubectl is not installed (looked for /nonexistent/override from $CONDUCTOR_TEST_TOOL); install it with: set it right',
      );
    } finally {
      if (saved === undefined) delete process.env.CONDUCTOR_TEST_TOOL;
      else process.env.CONDUCTOR_TEST_TOOL = saved;
    }
  });
});
