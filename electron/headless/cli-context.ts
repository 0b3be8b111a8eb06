/** What every CLI command gets (electron/headless/commands/*): where to print, and how to set the exit code. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** environment variables (KUBECONFIG, HOME, CONDUCTOR_DATA_DIR …); defaults to process.env */
  env?: NodeJS.ProcessEnv;
}

export interface CliContext {
  io: CliIo;
  setExitCode(code: number): void;
}
