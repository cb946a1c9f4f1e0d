/** Node-only checkpoint file helpers; the main entry stays free of `node:fs` for browsers. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Module } from '@rrm/layers';
import { type LoadOptions, loadCheckpoint, saveCheckpoint } from './checkpoint';

export async function loadCheckpointFile(
  model: Module,
  path: string,
  opts: Omit<LoadOptions, 'source'> = {},
): Promise<void> {
  loadCheckpoint(model, await readFile(path), { ...opts, source: path });
}

/** Written through a temporary file and a rename, so a crash never leaves half a checkpoint. */
export async function saveCheckpointFile(
  model: Module,
  path: string,
  opts: { prefix?: string; metadata?: Record<string, string> } = {},
): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, saveCheckpoint(model, opts));
  await rename(tmp, path);
}
