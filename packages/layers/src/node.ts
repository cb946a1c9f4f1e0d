/**
 * Node-only file helpers for safetensors. Kept out of the main entry so that
 * `@rrm/layers` bundles for the browser without `node:fs`.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  readSafetensors,
  SafetensorsError,
  type SafetensorsFile,
  type WritableTensor,
  writeSafetensors,
} from './safetensors';

export async function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new SafetensorsError(path, `cannot read: ${(e as Error).message}`);
  }
  return readSafetensors(bytes, path);
}

/** Writes through a temporary file and a rename, so a crash never leaves a half-written file. */
export async function writeSafetensorsFile(
  path: string,
  tensors: Record<string, WritableTensor> | Map<string, WritableTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, writeSafetensors(tensors, metadata));
  await rename(tmp, path);
}
