/**
 * Node-only file helpers: safetensors files and the crash-safe writer. Kept out of the main entry so that
 * `@rrm/layers` bundles for the browser without `node:fs`.
 */
import { readFile } from 'node:fs/promises';
import { atomicWriteFile } from './atomic';
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

/** Writes atomically (`atomicWriteFile`), so a crash never leaves a half-written file. */
export async function writeSafetensorsFile(
  path: string,
  tensors: Record<string, WritableTensor> | Map<string, WritableTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  atomicWriteFile(path, writeSafetensors(tensors, metadata));
}

export { atomicWriteFile, syncDir, TMP_PREFIX, writeAndSync } from './atomic';
