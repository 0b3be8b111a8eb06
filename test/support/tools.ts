import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * The external tools some tests drive — real Locust, kubectl, the aws CLI, Prometheus, Chromium —
 * found where CONTRIBUTING.md says they are installed. A test that needs one asks for it here and,
 * when it is missing, fails with a message naming the tool and the command that installs it,
 * instead of an obscure ENOENT from a spawn (and never skips).
 */
export interface ToolLocation {
  /** an absolute path, or a command name looked up on PATH */
  path: string;
  /** the command that installs it, for the message */
  install: string;
  /** an environment variable that, when set, names the executable instead */
  env?: string;
}

export class MissingToolError extends Error {
  constructor(name: string, where: string, install: string) {
    super(`${name} is not installed (looked for ${where}); install it with: ${install}`);
    this.name = 'MissingToolError';
  }
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The executable of `name`, or a MissingToolError naming it and how to install it. */
export function requireTool(name: string, tool: ToolLocation): string {
  const override = tool.env ? process.env[tool.env] : undefined;
  const wanted = override || tool.path;
  if (isAbsolute(wanted) || wanted.includes('/')) {
    if (executable(wanted)) return wanted;
    throw new MissingToolError(name, wanted + (override ? ` from $${tool.env}` : ''), tool.install);
  }
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const found = dirs.map((d) => join(d, wanted)).find(executable);
  if (found) return found;
  throw new MissingToolError(name, `${wanted} on PATH`, tool.install);
}

/** The tools of the integration and e2e tiers, as the machine image and .ci/run install them. */
export const TOOLS = {
  /** Debian's Locust 2.12 (its own python3; the first python3 on PATH may not import locust) */
  locust: { path: '/usr/bin/locust', install: 'apt-get install -y python3-locust' },
  kubectl: { path: '/usr/bin/kubectl', env: 'KUBECTL', install: 'apt-get install -y kubernetes-client (or a kubectl binary at /usr/bin/kubectl, or set KUBECTL)' },
  aws: { path: '/usr/bin/aws', install: 'apt-get install -y --no-install-recommends awscli' },
  prometheus: { path: 'prometheus', install: 'apt-get install -y --no-install-recommends prometheus' },
  chromium: { path: '/usr/bin/chromium', env: 'CHROMIUM_PATH', install: 'apt-get install -y chromium (or set CHROMIUM_PATH)' },
} satisfies Record<string, ToolLocation>;

export type ToolName = keyof typeof TOOLS;

/** requireTool for one of TOOLS */
export const tool = (name: ToolName): string => requireTool(name, TOOLS[name]);
