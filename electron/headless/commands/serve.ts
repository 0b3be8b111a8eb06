import { ConductorError } from '../../../shared/model/errors.ts';
import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../cli-context.ts';
import type { ConductorService, ConductorServiceOptions } from '../../core/service/service-types.ts';
import type { HttpServerHandle } from '../http-server.ts';
import { UsageError } from '../exit-codes.ts';
import { holdingSignals, type SignalSource } from '../signals.ts';
import { isLoopbackHost, parseTimeScale } from '../options.ts';
import { resolveDataDir } from './data-dir.ts';
import { loadSpecCatalog, EMPTY_CATALOG } from '../../core/service/spec-catalog.ts';
import { parseReference, type SecretReference } from '../../core/service/secret-value.ts';
import { HTTP_TRIGGER_PATH } from '../../../shared/contract/index.ts';

/**
 * `conductor serve`: the conductor service behind the HTTP transport, with the cockpit served to a
 * browser. Runs until Ctrl-C; Ctrl-C aborts a running run and waits for the restore to finish.
 */
export const DEFAULT_SERVE_PORT = 18787;

/** the project folder (examples/, out/renderer/), found from this module's place: the sources, or the CLI bundle in out/cli */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

export interface ServeOptions {
  port: number;
  host: string;
  timeScale: number;
  token?: string;
  dataDir: string;
  staticDir: string;
  examplesDir: string;
  /** the specs change events and schedules may run */
  specsDir?: string;
  githubSecret?: SecretReference;
  gitlabToken?: SecretReference;
  /** the cockpit's address for links in the owning teams' messages (default: the address served) */
  publicUrl?: string;
}

export type CreateService = (opts: ConductorServiceOptions) => ConductorService | Promise<ConductorService>;

export type { SignalSource } from '../signals.ts';

export interface ServeDeps {
  createService: CreateService;
  signals: SignalSource;
  env: NodeJS.ProcessEnv;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export interface RunningServe {
  url: string;
  service: ConductorService;
  server: HttpServerHandle;
  /** resolves once the server has shut down (after a signal or stop()) */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Start the service and the HTTP server; shut both down on the first SIGINT/SIGTERM. */
export async function startServe(opts: ServeOptions, deps: ServeDeps): Promise<RunningServe> {
  const catalog = opts.specsDir ? await loadSpecCatalog(opts.specsDir) : EMPTY_CATALOG;
  let served: string | undefined = undefined;
  const secrets = { ...(opts.githubSecret ? { github: opts.githubSecret } : {}), ...(opts.gitlabToken ? { gitlab: opts.gitlabToken } : {}) };
  const service = await deps.createService({
    dataDir: opts.dataDir,
    host: 'http',
    timeScale: opts.timeScale,
    env: deps.env,
    examplesDir: opts.examplesDir,
    catalog,
    events: { secrets },
    publicUrl: () => opts.publicUrl ?? served,
  });
  let server: HttpServerHandle;
  try {
    const { startHttpServer } = await import('../http-server.ts');
    server = await startHttpServer({ service, host: opts.host, port: opts.port, token: opts.token, staticDir: opts.staticDir });
  } catch (err) {
    await service.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      throw new ConductorError(
        'CONFLICT',
        `cannot listen on ${opts.host}:${opts.port} (${e.code === 'EADDRINUSE' ? 'the port is taken — is another `conductor serve` running?' : 'permission denied'}); pick another with --port (0: any free port)`,
      );
    }
    throw err;
  }
  served = server.url;
  if (catalog.dir) {
    const scheduled = [...catalog.specs.values()].filter((s) => s.spec.schedule).length;
    deps.out.write(`specs: ${catalog.specs.size} from ${catalog.dir}${scheduled ? ` (${scheduled} on a schedule)` : ''}\n`);
    if (service.triggers) deps.out.write(`change events: POST ${server.url}${HTTP_TRIGGER_PATH} (${service.triggers.describeAuth(opts.token !== undefined)})\n`);
  }
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await service.close(); // aborts a running run and restores the test environment
      } finally {
        await server.close();
      }
    })();
    return stopping;
  };
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((r) => (requestStop = r));
  // the signals are held until the server is down: a second or third Ctrl-C never interrupts the restore
  const done = holdingSignals(
    deps.signals,
    (count) => {
      if (count === 1) {
        deps.err.write('\nstopping: aborting any run in progress and restoring the test environment…\n');
        requestStop();
      } else deps.err.write('still restoring the test environment; waiting for it to finish (only kill -9 interrupts it; `conductor recover` then finishes the job)\n');
    },
    async () => {
      await stopRequested;
      await stop();
    },
  );
  return {
    url: server.url,
    service,
    server,
    done,
    stop: () => {
      requestStop();
      return done;
    },
  };
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the cockpit and the ConductorApi over HTTP (server-sent events for run events); loopback only unless --host and --token are given')
    .option('--port <n>', `port to listen on (0: any free port)`, String(DEFAULT_SERVE_PORT))
    .option('--host <host>', 'address to bind; anything but loopback requires --token', '127.0.0.1')
    .option('--time-scale <n>', 'simulated seconds per real second for sandbox runs', '1')
    .option('--token <token>', 'bearer token required on every API call (or CONDUCTOR_TOKEN)')
    .option('--data-dir <dir>', 'where journals, history and reports live (or CONDUCTOR_DATA_DIR)')
    .option('--static-dir <dir>', 'the built cockpit (default out/renderer)')
    .option('--specs <dir>', 'a folder of LoadTest specs that change events (POST /api/triggers/event) and schedules may run, queued one at a time per test environment')
    .option('--github-secret <ref>', "GitHub webhooks' secret, by reference: env:NAME or file:/path (signatures in X-Hub-Signature-256)")
    .option('--gitlab-token <ref>', "GitLab webhooks' secret token, by reference: env:NAME or file:/path (X-Gitlab-Token)")
    .option('--public-url <url>', 'the cockpit as the owning teams reach it, for links in their messages (default: the address served)')
    .action(async (raw: RawServeOptions) => {
      const env = ctx.io.env ?? process.env;
      const opts = resolveServeOptions(raw, env);
      const createService = await loadServiceFactory();
      const running = await startServe(opts, { createService, signals: process, env, out: ctx.io.stdout, err: ctx.io.stderr });
      const shown = opts.token ? `${running.url}/#token=${encodeURIComponent(opts.token)}` : `${running.url}/`;
      ctx.io.stdout.write(`conductor cockpit: ${shown}\n`);
      if (!existsSync(join(opts.staticDir, 'index.html'))) {
        ctx.io.stderr.write(`note: the cockpit is not built (${opts.staticDir} has no index.html); run \`npm run build\` — the API works meanwhile\n`);
      }
      ctx.io.stdout.write('press Ctrl-C to stop (a running run is aborted and the test environment restored)\n');
      await running.done;
      ctx.io.stdout.write('stopped\n');
    });
}

/** The service with this host's shared sandbox; loaded when `serve` runs so other commands never pay for it. */
async function loadServiceFactory(): Promise<CreateService> {
  const [{ createConductorService }, { SandboxHost }] = await Promise.all([import('../../core/service/service.ts'), import('../../sandbox/index.ts')]);
  return (o) => createConductorService({ ...o, sandbox: new SandboxHost({ timeScale: o.timeScale ?? 1 }) });
}

export interface RawServeOptions {
  port: string;
  host: string;
  timeScale: string;
  token?: string;
  dataDir?: string;
  staticDir?: string;
  specs?: string;
  githubSecret?: string;
  gitlabToken?: string;
  publicUrl?: string;
}

export function resolveServeOptions(raw: RawServeOptions, env: NodeJS.ProcessEnv): ServeOptions {
  const port = Number(raw.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected an integer between 0 and 65535, found "${raw.port}"`);
  const timeScale = parseTimeScale(raw.timeScale) ?? 1;
  const host = raw.host.trim();
  if (host === '') throw new UsageError('--host: expected an address such as 127.0.0.1');
  const token = raw.token ?? env.CONDUCTOR_TOKEN;
  if (!isLoopbackHost(host) && !token) {
    throw new UsageError(`refusing to serve on ${host} without a token: pass --token (or set CONDUCTOR_TOKEN) when binding to a non-loopback address`);
  }
  const dataDir = resolveDataDir(raw.dataDir, env);
  const root = projectRoot();
  const ref = (text: string | undefined, option: string) => {
    if (text === undefined) return undefined;
    try {
      return parseReference(text, option);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  };
  const githubSecret = ref(raw.githubSecret, '--github-secret');
  const gitlabToken = ref(raw.gitlabToken, '--gitlab-token');
  if (raw.publicUrl !== undefined && !/^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/.test(raw.publicUrl)) throw new UsageError(`--public-url: expected an http(s) URL without credentials, query or fragment, such as https://conductor.example`);
  return {
    ...(raw.specs !== undefined ? { specsDir: resolve(raw.specs) } : {}),
    ...(githubSecret ? { githubSecret } : {}),
    ...(gitlabToken ? { gitlabToken } : {}),
    ...(raw.publicUrl !== undefined ? { publicUrl: raw.publicUrl } : {}),
    port,
    host,
    timeScale,
    ...(token ? { token } : {}),
    dataDir,
    staticDir: resolve(raw.staticDir ?? join(root, 'out', 'renderer')),
    examplesDir: join(root, 'examples'),
  };
}
