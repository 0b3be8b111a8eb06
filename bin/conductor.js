#!/usr/bin/env node
// The `conductor` command: runs the TypeScript CLI through tsx's loader, so no build step is needed.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../electron/headless/cli.ts');
process.exitCode = await main(process.argv);
