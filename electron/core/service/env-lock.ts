import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConductorError, SubstrateError, errorMessage } from '../../../shared/model/errors.ts';
import type { Logger } from '../../base/logger.ts';
import type { KubernetesWriter, LeaseRecord, LeaseWrite } from '../../substrates/types.ts';

/**
 * One run per test environment. Taken before the snapshot, renewed while the run lives, held
 * through restore and cleanup, released at the end:
 * - with a Kubernetes test side: a coordination.k8s.io/v1 Lease in the test cluster (namespace and
 *   name from spec.test.lock), so runs from any machine exclude each other;
 * - with an ECS-only test side: a lock file in the data directory — per machine (runs started
 *   elsewhere are not excluded), and it says so.
 * A second run is refused naming the holder, or waits (`wait`). A lease its holder stopped
 * renewing (a conductor killed with -9) expires and is taken over; a file whose process is gone
 * is taken over. `recover` takes over the lock of the run it recovers.
 */

export interface LockOwner {
  runId: string;
  specName: string;
  user: string;
  host: string;
  pid: number;
}

export interface LockHolder {
  runId: string;
  /** user@host */
  owner: string;
  /** ISO time the holder took the lock */
  since: string;
  pid: number | null;
  host: string | null;
}

export interface HeldLock {
  /** where the lock lives, for messages ("Lease default/conductor-lock in context loadtest-eu") */
  readonly where: string;
  /** aborted when the lock was lost (another conductor took the lease over) */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export type LockTarget =
  | { kind: 'lease'; writer: Pick<KubernetesWriter, 'readLease' | 'writeLease' | 'target'>; namespace: string; name: string }
  | { kind: 'file'; dir: string; key: string; describe: string };

export interface AcquireOptions {
  /** wait for the holder to finish instead of refusing */
  wait?: boolean;
  /** cancels a wait (Ctrl-C) */
  signal?: AbortSignal;
  /** told once per holder while waiting */
  onWaiting?: (holder: LockHolder) => void;
  /** may this holder's lock be taken over at once? (recover: the dead run it recovers) */
  takeOver?: (holder: LockHolder) => boolean;
  /** is this process alive? (file locks; default: a signal-0 probe on this host) */
  isAlive?: (pid: number, host: string) => boolean;
  logger: Logger;
  /** real ms; defaults: lease 60 s, renewed every 15 s, polled every 5 s while waiting */
  leaseSeconds?: number;
  renewEveryMs?: number;
  pollMs?: number;
  /** real time (ms since the epoch); default Date.now */
  now?: () => number;
}

/** The test environment is taken by another run. */
export class LockHeldError extends ConductorError {
  constructor(
    readonly where: string,
    readonly holder: LockHolder,
  ) {
    super(
      'LOCKED',
      `the test environment is in use by run ${holder.runId} (${holder.owner}, since ${holder.since}; ${where}); wait for it to finish (--wait waits), or recover it if its conductor died (\`conductor recover ${holder.runId}\`)`,
      { where, holder },
    );
  }
}

const ANNOTATION = { runId: 'conductor.io/run-id', owner: 'conductor.io/owner', since: 'conductor.io/since', pid: 'conductor.io/pid', host: 'conductor.io/host', spec: 'conductor.io/spec' } as const;

export async function acquireTestLock(target: LockTarget, owner: LockOwner, opts: AcquireOptions): Promise<HeldLock> {
  return target.kind === 'lease' ? acquireLease(target, owner, opts) : acquireFile(target, owner, opts);
}

function holderOfLease(l: LeaseRecord): LockHolder {
  const a = l.annotations;
  const pid = Number(a[ANNOTATION.pid]);
  return {
    runId: a[ANNOTATION.runId] ?? l.holderIdentity ?? 'unknown',
    owner: a[ANNOTATION.owner] ?? l.holderIdentity ?? 'unknown',
    since: a[ANNOTATION.since] ?? l.acquireTime ?? 'unknown',
    pid: Number.isInteger(pid) && pid > 0 ? pid : null,
    host: a[ANNOTATION.host] ?? null,
  };
}

const isConflict = (err: unknown) => err instanceof SubstrateError && (err.status === 409 || err.status === 422);

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('aborted'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function acquireLease(target: Extract<LockTarget, { kind: 'lease' }>, owner: LockOwner, opts: AcquireOptions): Promise<HeldLock> {
  const { writer, namespace, name } = target;
  const now = opts.now ?? Date.now;
  const leaseSeconds = opts.leaseSeconds ?? 60;
  const where = `Lease ${namespace}/${name} in context ${writer.target.context}`;
  const identity = `${owner.user}@${owner.host}/${owner.runId}`;
  const since = new Date(now()).toISOString();
  const mine = (renew: number): LeaseWrite => ({
    holderIdentity: identity,
    leaseDurationSeconds: leaseSeconds,
    acquireTime: since,
    renewTime: new Date(renew).toISOString(),
    annotations: {
      [ANNOTATION.runId]: owner.runId,
      [ANNOTATION.owner]: `${owner.user}@${owner.host}`,
      [ANNOTATION.since]: since,
      [ANNOTATION.pid]: String(owner.pid),
      [ANNOTATION.host]: owner.host,
      [ANNOTATION.spec]: owner.specName,
    },
  });
  let told = '';
  let held: LeaseRecord | null = null;
  for (let attempt = 0; held === null; attempt++) {
    opts.signal?.throwIfAborted();
    const cur = await writer.readLease(namespace, name, opts.signal);
    const free = !cur || !cur.holderIdentity;
    const expired = cur && cur.renewTime !== null && Date.parse(cur.renewTime) + (cur.leaseDurationSeconds || leaseSeconds) * 1000 < now();
    const holder = cur && !free ? holderOfLease(cur) : null;
    if (free || expired || (holder && opts.takeOver?.(holder))) {
      try {
        held = await writer.writeLease(namespace, name, mine(now()), cur ? cur.resourceVersion : null, opts.signal);
        if (expired && holder) opts.logger.warn(`took over the expired lock of run ${holder.runId} (${holder.owner}) on ${where}`);
      } catch (err) {
        if (!isConflict(err) || attempt > 100) throw err;
      }
      continue;
    }
    if (!opts.wait) throw new LockHeldError(where, holder!);
    if (told !== holder!.runId) {
      told = holder!.runId;
      opts.onWaiting?.(holder!);
    }
    await sleep(opts.pollMs ?? 5_000, opts.signal);
  }

  const lost = new AbortController();
  let lease: LeaseRecord = held;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async () => {
    try {
      lease = await writer.writeLease(namespace, name, mine(now()), lease.resourceVersion);
    } catch (err) {
      // someone wrote the lease: still ours (a retried write of our own)? else it was taken over
      const cur = await writer.readLease(namespace, name).catch(() => null);
      if (cur && cur.holderIdentity === identity) lease = cur;
      else if (!lost.signal.aborted) {
        const by = cur?.holderIdentity ? ` by ${holderOfLease(cur).runId} (${holderOfLease(cur).owner})` : '';
        opts.logger.error(`lost the test environment lock (${where})${by}: ${errorMessage(err)}`);
        lost.abort(new ConductorError('LOCKED', `lost the test environment lock (${where})${by}`));
      }
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, opts.renewEveryMs ?? Math.max(1_000, (leaseSeconds * 1000) / 4));
  timer.unref?.();
  let released = false;
  return {
    where,
    lost: lost.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await renewing;
      if (lost.signal.aborted) return;
      try {
        await writer.writeLease(namespace, name, { ...mine(now()), holderIdentity: null, annotations: {} }, lease.resourceVersion);
      } catch (err) {
        opts.logger.warn(`releasing the test environment lock (${where}) failed: ${errorMessage(err)}; it expires by itself within ${leaseSeconds} s`);
      }
    },
  };
}

interface FileLockContent {
  runId: string;
  owner: string;
  since: string;
  pid: number;
  host: string;
  spec: string;
}

async function acquireFile(target: Extract<LockTarget, { kind: 'file' }>, owner: LockOwner, opts: AcquireOptions): Promise<HeldLock> {
  const dir = join(target.dir, 'locks');
  const path = join(dir, `${createHash('sha256').update(target.key).digest('hex').slice(0, 32)}.lock`);
  const where = `lock file ${path} for ${target.describe} (per machine: runs started on other machines are not excluded)`;
  const isAlive = opts.isAlive ?? defaultIsAlive;
  const content: FileLockContent = { runId: owner.runId, owner: `${owner.user}@${owner.host}`, since: new Date((opts.now ?? Date.now)()).toISOString(), pid: owner.pid, host: owner.host, spec: owner.specName };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let told = '';
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(content));
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw err;
    }
    let cur: FileLockContent | null = null;
    try {
      cur = JSON.parse(await readFile(path, 'utf8')) as FileLockContent;
    } catch {
      cur = null; // torn or unreadable: its writer died mid-write
    }
    const holder: LockHolder | null = cur ? { runId: cur.runId, owner: cur.owner, since: cur.since, pid: cur.pid, host: cur.host } : null;
    if (!holder || !isAlive(holder.pid ?? 0, holder.host ?? '') || opts.takeOver?.(holder)) {
      if (holder) opts.logger.warn(`took over the lock of run ${holder.runId} (${holder.owner}): its process is gone`);
      await rm(path, { force: true });
      continue;
    }
    if (!opts.wait) throw new LockHeldError(where, holder);
    if (told !== holder.runId) {
      told = holder.runId;
      opts.onWaiting?.(holder);
    }
    await sleep(opts.pollMs ?? 5_000, opts.signal);
  }
  let released = false;
  return {
    where,
    lost: new AbortController().signal,
    async release() {
      if (released) return;
      released = true;
      try {
        const cur = JSON.parse(await readFile(path, 'utf8')) as FileLockContent;
        if (cur.runId === owner.runId) await rm(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/** Is this pid a live process? Another host's pid cannot be probed, and this process is alive: both count as alive. */
export function defaultIsAlive(pid: number, host: string): boolean {
  if (!pid) return false;
  if (host !== hostname() || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
