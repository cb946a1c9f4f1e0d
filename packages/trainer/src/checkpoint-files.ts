/**
 * Crash-safe files. A checkpoint is a folder `step_NNNNNNNN` that only ever appears whole:
 * its files are written and fsynced inside a hidden temporary folder, which is then renamed
 * into place (an atomic operation on POSIX file systems) and the parent folder fsynced. A
 * process killed at any moment leaves either the previous set of checkpoints or the new one,
 * plus at worst a temporary folder that readers ignore and the next save removes.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile, syncDir, TMP_PREFIX, writeAndSync } from '@rrm/layers/node';

export { atomicWriteFile, TMP_PREFIX };

const STEP_DIR = /^step_(\d+)$/;
export function checkpointDirName(step: number): string {
  return `step_${String(step).padStart(8, '0')}`;
}

export interface CheckpointRef {
  step: number;
  dir: string;
}

/** Complete checkpoints in `root`, oldest first. */
export function listCheckpoints(root: string): CheckpointRef[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((name) => ({ m: STEP_DIR.exec(name), name }))
    .filter((x) => x.m !== null)
    .map((x) => ({ step: Number(x.m![1]), dir: join(root, x.name) }))
    .sort((a, b) => a.step - b.step);
}

export function latestCheckpoint(root: string): CheckpointRef | null {
  const all = listCheckpoints(root);
  return all.length > 0 ? all[all.length - 1] : null;
}

/**
 * Writes one checkpoint folder atomically, then keeps only the newest `keep` checkpoints.
 * Leftover temporary folders from a killed writer are removed first.
 */
export function writeCheckpointDir(
  root: string,
  step: number,
  files: Record<string, Uint8Array | string>,
  keep: number,
): CheckpointRef {
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) {
    if (name.startsWith(TMP_PREFIX)) rmSync(join(root, name), { recursive: true, force: true });
  }
  const dir = join(root, checkpointDirName(step));
  // A checkpoint at this step already holds this state (a resumed run that stopped at once);
  // replacing it would open a window with no checkpoint at all.
  if (!existsSync(dir)) {
    const tmp = join(root, `${TMP_PREFIX}${process.pid}-${checkpointDirName(step)}`);
    try {
      mkdirSync(tmp);
      for (const [name, data] of Object.entries(files)) writeAndSync(join(tmp, name), data);
      syncDir(tmp);
      renameSync(tmp, dir);
    } catch (e) {
      // A failed write (disk full) gives its space back at once.
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    syncDir(root);
  }
  pruneCheckpoints(root, keep);
  return { step, dir };
}

/** Removes all but the newest `keep` checkpoints. */
export function pruneCheckpoints(root: string, keep: number): void {
  const all = listCheckpoints(root);
  for (const old of all.slice(0, Math.max(0, all.length - keep)))
    rmSync(old.dir, { recursive: true, force: true });
}
