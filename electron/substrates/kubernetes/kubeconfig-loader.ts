import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { ConductorError } from '../../../shared/model/errors.ts';
import { printable } from '../../../shared/model/text.ts';
import { runStepsAsync } from '../../../shared/spec/steps.ts';
import { readYamlSteps } from '../../../shared/spec/yaml-tree.ts';
import { FileReadError, readBoundedFile, readBoundedText } from '../../base/bounded-file.ts';
import type { K8sTarget } from '../types.ts';
import { ExecCredentialAuth, type ExecPlugin } from './exec-credential.ts';

/**
 * Kubeconfig loading the standard way — an explicit path; else $KUBECONFIG (several files merged
 * in order, the first to define a cluster, user, context or current-context winning, missing files
 * skipped, as kubectl does); else ~/.kube/config — but bounded and quiet: every file (the
 * kubeconfigs and the certificate, key and token files they name) must be a regular file under a
 * size limit, decided from fstat before a byte is read (a FIFO, /dev/zero or a directory fails at
 * once), and is read asynchronously. The YAML is parsed here, not by @kubernetes/client-node
 * (whose loadFromFile reads synchronously and whose errors quote the file): an error names the
 * file, the line and what was expected, never a line of it. File references of the selected
 * context are read into data once; exec plugins run through ExecCredentialAuth (bounded in time);
 * the gcp and azure auth-providers (which run commands synchronously, and which kubectl dropped)
 * are refused. A kubeconfig that cannot be used is a USAGE error (exit 2, HTTP 400).
 */
export interface KubeconfigLoadOptions {
  /** the context to use; default the kubeconfig's current-context */
  context?: string;
  /** an explicit kubeconfig file (instead of KUBECONFIG / ~/.kube/config) */
  kubeconfigPath?: string;
  /** environment to read KUBECONFIG and HOME from (and exec plugins inherit); default process.env */
  env?: Record<string, string | undefined>;
  /** real ms an exec credential plugin may take; default 20000 */
  execTimeoutMs?: number;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  target: K8sTarget;
}

export const KUBECONFIG_LIMITS = {
  /** a kubeconfig file (hundreds of clusters with embedded certificates fit) */
  maxBytes: 1024 * 1024,
  /** a certificate, key or token file it names */
  maxCredentialFileBytes: 256 * 1024,
} as const;

/** A kubeconfig that cannot be used is bad input (exit 2, HTTP 400), not an unreachable cluster: nothing was tried yet. */
const configError = (message: string, target = 'kubeconfig') => new ConductorError('USAGE', message, { substrate: 'kubernetes', target });

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A loaded KubeConfig with one context selected, on a copy: selecting this adapter's context must
 * not move the caller's (or another adapter's) current context — the client's Watch reads the
 * current context of the object it is given.
 */
export function selectContext(source: KubeConfig, context?: string, where = 'the given kubeconfig'): LoadedKubeconfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: source.clusters, users: source.users, contexts: source.contexts, currentContext: source.getCurrentContext() });
  return select(kc, context, where);
}

/** Load the kubeconfig files and select a context (see the module comment). */
export async function loadKubeconfig(source: KubeConfig | KubeconfigLoadOptions, contextOverride?: string): Promise<LoadedKubeconfig> {
  if (source instanceof KubeConfig) return selectContext(source, contextOverride);
  const context = contextOverride ?? source.context;
  const env = source.env ?? process.env;
  const explicit = source.kubeconfigPath !== undefined || env.KUBECONFIG !== undefined;
  const files = source.kubeconfigPath ? [source.kubeconfigPath] : env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME ?? homedir(), '.kube', 'config')];
  const where = files.join(delimiter);

  const merged: Merged = { clusters: new Map(), users: new Map(), contexts: new Map() };
  let read = 0;
  for (const file of files.slice(0, 64)) {
    const doc = await readKubeconfigFile(file);
    if (doc === null) continue;
    read++;
    mergeFirstWins(merged, doc, file);
  }
  if (read === 0) {
    throw configError(explicit ? `kubeconfig not found: ${where}` : `no kubeconfig found: expected $KUBECONFIG, an explicit kubeconfig path, or ${where}`);
  }

  const kc = new KubeConfig();
  const names = [...merged.contexts.keys()];
  const chosen = context ?? merged.current;
  if (!chosen) throw configError(`no kubeconfig context selected in ${where}: pass a context (one of: ${listed(names)})`);
  const ctx = merged.contexts.get(chosen);
  if (!ctx) throw configError(`kubeconfig context "${printable(chosen)}" not found in ${where}; expected one of: ${listed(names)}`, chosen);
  const cluster = merged.clusters.get(ctx.context.cluster);
  if (!cluster) throw configError(`kubeconfig context "${chosen}" names cluster "${printable(ctx.context.cluster)}", which ${where} does not define`, chosen);
  const userName = ctx.context.user;
  const user = userName !== undefined ? merged.users.get(userName) : undefined;
  if (userName !== undefined && !user) throw configError(`kubeconfig context "${chosen}" names user "${printable(userName)}", which ${where} does not define`, chosen);

  const plugins = new Map<string, ExecPlugin>();
  const clusters: Cluster[] = [await toCluster(cluster, chosen)];
  const users: User[] = user ? [await toUser(user, chosen, plugins)] : [];
  const contexts: Context[] = [{ name: chosen, cluster: cluster.name, user: user?.name ?? '', ...(ctx.context.namespace ? { namespace: ctx.context.namespace } : {}) }];
  kc.loadFromOptions({ clusters, users, contexts, currentContext: chosen });
  if (plugins.size > 0) kc.addAuthenticator(new ExecCredentialAuth(plugins, { context: chosen, env: env as NodeJS.ProcessEnv, ...(source.execTimeoutMs ? { timeoutMs: source.execTimeoutMs } : {}) }));
  return select(kc, chosen, where);
}

function select(kc: KubeConfig, context: string | undefined, where: string): LoadedKubeconfig {
  const names = kc.getContexts().map((c) => c.name);
  if (context) {
    if (!names.includes(context)) throw configError(`kubeconfig context "${printable(context)}" not found in ${where}; expected one of: ${listed(names)}`, context);
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  if (!current || !names.includes(current)) throw configError(`no kubeconfig context selected in ${where}: pass a context (one of: ${listed(names)})`);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw configError(`kubeconfig context "${current}" has no cluster server in ${where}`, current);
  return { kc, target: { context: current, server: cluster.server } };
}

/** The context names of these kubeconfig files (unreadable ones contribute none): for pickers, never credentials. */
export async function kubeconfigContextNames(files: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const file of files.slice(0, 64)) {
    const doc = await readKubeconfigFile(file).catch(() => null);
    const contexts = Array.isArray(doc?.contexts) ? doc.contexts : [];
    for (const c of contexts) if (isRec(c) && str(c.name)) names.add(c.name as string);
  }
  return [...names].sort();
}

const listed = (names: string[]) => (names.length ? names.slice(0, 30).map((n) => printable(n)).join(', ') + (names.length > 30 ? ` and ${names.length - 30} more` : '') : '(none)');

// ---- the kubeconfig document, as kubectl reads it ------------------------------------------------

type Rec = Record<string, unknown>;
interface Named<T> {
  name: string;
  /** the kubeconfig file that defined it (relative paths are relative to its folder) */
  file: string;
  entry: T;
}
interface RawContext {
  cluster: string;
  user?: string;
  namespace?: string;
}
interface Merged {
  clusters: Map<string, Named<Rec> & { name: string }>;
  users: Map<string, Named<Rec>>;
  contexts: Map<string, { name: string; file: string; context: RawContext }>;
  current?: string;
}

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** One kubeconfig file as plain data; null when it does not exist (kubectl skips those). */
export async function readKubeconfigFile(file: string): Promise<Rec | null> {
  let text: string;
  try {
    text = await readBoundedText(file, { maxBytes: KUBECONFIG_LIMITS.maxBytes, what: 'a kubeconfig file' });
  } catch (err) {
    if (err instanceof FileReadError && err.problem === 'missing' && err.reason.startsWith('no such file')) return null;
    if (err instanceof FileReadError) throw configError(`kubeconfig ${err.message}`);
    throw err;
  }
  const read = await runStepsAsync(readYamlSteps(text), { pause: yieldToEventLoop });
  if (!read.ok) {
    const first = read.issues[0];
    const at = first?.offset !== undefined && read.tree ? read.tree.position(first.offset) : undefined;
    // the reader's message names the problem; its `found` may quote the file, so it is left out
    throw configError(`kubeconfig ${file} is not a kubeconfig: ${first?.message ?? 'not valid YAML'}${at ? ` (line ${at.line}, column ${at.column})` : ''}; expected a YAML kubeconfig (apiVersion: v1, kind: Config, clusters, users, contexts)`);
  }
  if (!isRec(read.value) || !('clusters' in read.value || 'contexts' in read.value || 'users' in read.value || 'current-context' in read.value)) {
    throw configError(`kubeconfig ${file} is not a kubeconfig: it holds no clusters, users or contexts; expected a YAML kubeconfig (apiVersion: v1, kind: Config, clusters, users, contexts)`);
  }
  return read.value;
}

/** kubectl's merge rule: the first file to define a name (or current-context) wins; later duplicates are ignored. */
function mergeFirstWins(into: Merged, doc: Rec, file: string): void {
  const list = (key: string): Rec[] => (Array.isArray(doc[key]) ? (doc[key] as unknown[]).filter(isRec) : []);
  list('clusters').forEach((c, i) => {
    const name = str(c.name);
    if (!name || !isRec(c.cluster)) throw configError(`kubeconfig ${file}: clusters[${i}] needs a name and a cluster`);
    if (!into.clusters.has(name)) into.clusters.set(name, { name, file, entry: c.cluster });
  });
  list('users').forEach((u, i) => {
    const name = str(u.name);
    if (!name) throw configError(`kubeconfig ${file}: users[${i}] needs a name`);
    if (!into.users.has(name)) into.users.set(name, { name, file, entry: isRec(u.user) ? u.user : {} });
  });
  list('contexts').forEach((c, i) => {
    const name = str(c.name);
    const context = isRec(c.context) ? c.context : undefined;
    const cluster = str(context?.cluster);
    if (!name || !context || !cluster) throw configError(`kubeconfig ${file}: contexts[${i}] needs a name and a context with a cluster`);
    const raw: RawContext = { cluster };
    const user = str(context.user);
    const namespace = str(context.namespace);
    if (user) raw.user = user;
    if (namespace) raw.namespace = namespace;
    if (!into.contexts.has(name)) into.contexts.set(name, { name, file, context: raw });
  });
  into.current ??= str(doc['current-context']);
}

/** a file a kubeconfig names, relative to the kubeconfig's folder, read into base64 data */
async function fileData(owner: { file: string }, path: string, what: string, context: string): Promise<string> {
  const full = isAbsolute(path) ? path : join(dirname(owner.file), path);
  try {
    return Buffer.from(await readBoundedFile(full, { maxBytes: KUBECONFIG_LIMITS.maxCredentialFileBytes, what })).toString('base64');
  } catch (err) {
    if (err instanceof FileReadError) throw configError(`kubeconfig ${owner.file}, context "${context}": ${what} ${err.message}`, context);
    throw err;
  }
}

async function toCluster(c: Named<Rec>, context: string): Promise<Cluster> {
  const server = str(c.entry.server);
  if (!server) throw configError(`kubeconfig context "${context}" has no cluster server in ${c.file}`, context);
  const caFile = str(c.entry['certificate-authority']);
  const caData = caFile ? await fileData(c, caFile, 'the certificate authority file', context) : str(c.entry['certificate-authority-data']);
  const cluster: Cluster = { name: c.name, server: server.replace(/\/$/, ''), skipTLSVerify: c.entry['insecure-skip-tls-verify'] === true };
  const tlsServerName = str(c.entry['tls-server-name']);
  const proxyUrl = str(c.entry['proxy-url']);
  return { ...cluster, ...(caData ? { caData } : {}), ...(tlsServerName ? { tlsServerName } : {}), ...(proxyUrl ? { proxyUrl } : {}) };
}

async function toUser(u: Named<Rec>, context: string, plugins: Map<string, ExecPlugin>): Promise<User> {
  const e = u.entry;
  const certFile = str(e['client-certificate']);
  const keyFile = str(e['client-key']);
  const tokenFile = str(e['token-file']);
  const certData = certFile ? await fileData(u, certFile, 'the client certificate file', context) : str(e['client-certificate-data']);
  const keyData = keyFile ? await fileData(u, keyFile, 'the client key file', context) : str(e['client-key-data']);
  const token = str(e.token) ?? (tokenFile ? Buffer.from(await fileData(u, tokenFile, 'the token file', context), 'base64').toString('utf8').trim() : undefined);
  const user: Record<string, unknown> = { name: u.name };
  if (certData) user.certData = certData;
  if (keyData) user.keyData = keyData;
  if (token) user.token = token;
  if (str(e.username)) user.username = e.username;
  if (str(e.password)) user.password = e.password;
  if (str(e.as)) user.impersonateUser = e.as;

  const provider = isRec(e['auth-provider']) ? e['auth-provider'] : undefined;
  if (provider) {
    const name = str(provider.name);
    if (name === 'gcp' || name === 'azure') {
      throw configError(`kubeconfig user "${printable(u.name)}" uses the ${name} auth-provider, which kubectl no longer supports (and which runs commands unbounded); use its exec plugin instead (${name === 'gcp' ? 'gke-gcloud-auth-plugin' : 'kubelogin'})`, context);
    }
    const config = isRec(provider.config) ? provider.config : {};
    const providerTokenFile = str(config.tokenFile);
    // FileAuth re-reads a rotating token file each minute: it must be a regular, small file
    if (providerTokenFile) await fileData(u, providerTokenFile, 'the auth-provider token file', context);
    user.authProvider = provider;
  }
  const exec = isRec(e.exec) ? e.exec : undefined;
  if (exec) {
    const command = str(exec.command);
    if (!command) throw configError(`kubeconfig user "${printable(u.name)}": exec needs a command`, context);
    const args = Array.isArray(exec.args) ? exec.args.filter((a): a is string => typeof a === 'string') : [];
    const env = Array.isArray(exec.env) ? exec.env.filter(isRec).flatMap((x) => (str(x.name) && typeof x.value === 'string' ? [{ name: x.name as string, value: x.value }] : [])) : [];
    const installHint = str(exec.installHint);
    plugins.set(u.name, { user: u.name, command, args, env, apiVersion: str(exec.apiVersion) ?? 'client.authentication.k8s.io/v1beta1', dir: dirname(u.file), ...(installHint ? { installHint } : {}) });
  }
  return user as unknown as User;
}
