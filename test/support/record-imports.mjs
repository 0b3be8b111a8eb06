// `node --import ./test/support/record-imports.mjs …`: records every module the process resolves
// through the ESM loader (one URL a line) in the file named by CONDUCTOR_RECORD_IMPORTS, so a test
// can prove which packages a command loads. Uses Node's module customization hooks.
import { register } from 'node:module';

register(new URL('./record-imports-hooks.mjs', import.meta.url), { data: { file: process.env.CONDUCTOR_RECORD_IMPORTS } });
