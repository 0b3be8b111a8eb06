/**
 * The `conductor` CLI run straight from its TypeScript sources (through bin/run-ts.js, i.e. tsx):
 * how the bin started before it ran the bundle; the start-up benchmark compares the two.
 */
import { main } from '../../electron/headless/cli.ts';

process.exitCode = await main(process.argv);
