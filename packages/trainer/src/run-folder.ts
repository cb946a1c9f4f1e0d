/**
 * The rules of a run folder, in one place: it is a folder we can write, one trainer at a
 * time holds it (a lock file with the holder's pid; a lock whose process is gone is stale
 * and taken over), and what an interrupted write left behind (`.tmp-…`) is removed when the
 * next trainer starts. File-system faults are reported with the path, the step and what to
 * do, never as a bare `ENOSPC … write`.
 */
import {
  accessSync,
  constants,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '@rrm/reasoning';
import { type CheckpointRef, latestCheckpoint, TMP_PREFIX } from './checkpoint-files.js';

export const LOCK_FILE = 'run.lock';

/** The run folder cannot be used as asked, or writing into it failed. */
export class RunFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system or the process file-size limit',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  EIO: 'input/output error',
};

/** `ENOSPC (no space left on device)` for a Node file-system error, else its message. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && code in ERRNO_TEXT) return `${code} (${ERRNO_TEXT[code]})`;
  return (e as Error)?.message ?? String(e);
}

export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

/** Creates the run folder (and its parents) and checks that it can be written. */
export function prepareRunFolder(dir: string): void {
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(dir);
  } catch (e) {
    // Missing, or under a file: mkdir below says which.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw new RunFolderError(`run folder ${dir}: ${describeFsError(e)}`);
  }
  if (st && !st.isDirectory())
    throw new RunFolderError(`run folder ${dir}: exists and is not a folder; choose another --out`);
  try {
    if (!st) mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new RunFolderError(
      `run folder ${dir}: cannot ${st ? 'write into' : 'create'} it: ${st ? describeFsError(e) : whyNotCreated(dir, e)}`,
    );
  }
}

/**
 * Why `mkdir -p dir` failed, told from the nearest folder that exists: Node's recursive
 * mkdir reports ENOENT on a read-only file system, which names nothing useful.
 */
function whyNotCreated(dir: string, e: unknown): string {
  let at = resolve(dir);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  if (!statSync(at).isDirectory()) return `${at} is a file, not a folder`;
  try {
    accessSync(at, constants.W_OK);
  } catch (denied) {
    return `${at} is not writable: ${describeFsError(denied)}`;
  }
  return describeFsError(e);
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export interface RunLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the run folder's lock, or says who holds it. The lock file is written whole under
 * a private name and hard-linked into place, so it is never seen half written and two
 * starters cannot both create it. A lock left by a process that no longer runs on this
 * host is stale and taken over. Released by `release()` or when the process exits.
 */
export function acquireRunLock(dir: string): RunLock {
  const path = join(dir, LOCK_FILE);
  const mine = join(dir, `${TMP_PREFIX}${process.pid}-${LOCK_FILE}`);
  const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  writeFileSync(mine, `${JSON.stringify(info)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      }
      const held = readLock(path);
      if (held && (held.host !== info.host || processAlive(held.pid))) {
        throw new RunFolderError(
          `run folder ${dir} is in use by process ${held.pid} on ${held.host} (since ${held.since}); ` +
            `wait for it or stop it, or delete ${path} if that process is gone`,
        );
      }
      // Stale (its process is gone) or unreadable: take it over.
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readLock(path)?.pid === process.pid) unlinkSync(path);
  };
  process.on('exit', release);
  return { path, release };
}

/**
 * Removes what interrupted writes left in the run folder and its checkpoints: only called
 * with the lock held, so no other writer can own them.
 */
export function removeLeftovers(dir: string, checkpointsDir: string): string[] {
  const removed: string[] = [];
  for (const folder of [dir, checkpointsDir]) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith(TMP_PREFIX)) continue;
      rmSync(join(folder, name), { recursive: true, force: true });
      removed.push(join(folder, name));
    }
  }
  return removed;
}

/** A run folder held by this process: created, locked and cleaned of interrupted writes. */
export interface RunFolder {
  readonly dir: string;
  readonly checkpointsDir: string;
  /** The checkpoint a resumed run continues from; null for a new run. */
  readonly resumeFrom: CheckpointRef | null;
  /** Releases the lock, and removes the folder when opening it created it and it is still empty. */
  release(): void;
  /** `open()`, releasing this folder when it throws: what comes before the trainer owns it. */
  releaseOnError<T>(open: () => T): T;
}

/**
 * Opens `dir` for a run before anything long (building a dataset) starts, so that a bad
 * `--out`, a folder in use, or a resume without a checkpoint is reported first. A new run
 * refuses a folder that holds checkpoints; `resume` needs one.
 */
export function openRunFolder(
  dir: string,
  opts: { resume?: boolean; log?: (line: string) => void } = {},
): RunFolder {
  const checkpointsDir = join(dir, 'checkpoints');
  const existed = existsSync(dir);
  prepareRunFolder(dir);
  const lock = acquireRunLock(dir);
  const release = () => {
    lock.release();
    if (existed) return;
    try {
      rmdirSync(dir);
    } catch {
      // Not empty: something worth keeping was written.
    }
  };
  try {
    for (const path of removeLeftovers(dir, checkpointsDir))
      opts.log?.(`removed ${path}, left by an interrupted write`);
    const latest = latestCheckpoint(checkpointsDir);
    if (opts.resume && !latest)
      throw new ConfigError(`${checkpointsDir}: no checkpoint to resume from`);
    if (!opts.resume && latest) {
      throw new ConfigError(
        `${dir} already holds checkpoints; pass --resume to continue it or choose another --out`,
      );
    }
    const releaseOnError = <T>(open: () => T): T => {
      try {
        return open();
      } catch (e) {
        release();
        throw e;
      }
    };
    return {
      dir,
      checkpointsDir,
      resumeFrom: opts.resume ? latest : null,
      release,
      releaseOnError,
    };
  } catch (e) {
    release();
    throw isFsError(e)
      ? new RunFolderError(
          `${e.path ?? dir}: ${describeFsError(e)} (opening the run folder ${dir})`,
        )
      : e;
  }
}
