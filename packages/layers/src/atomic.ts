/**
 * Crash-safe writes (Node only), the one implementation every file writer of the repo uses: a
 * temporary file beside the target (named with `TMP_PREFIX`, so readers skip it and the next
 * writer removes it), fsync, rename (atomic on POSIX file systems), fsync of the folder.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TMP_PREFIX = '.tmp-';

/** Writes and fsyncs `path`; an error names the file (descriptor writes do not). */
export function writeAndSync(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    // Writes through a descriptor do not say which file failed (disk full, size limit).
    (e as NodeJS.ErrnoException).path ??= path;
    throw e;
  } finally {
    closeSync(fd);
  }
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` atomically: temp file beside it, fsync, rename, fsync the folder. */
export function atomicWriteFile(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  const tmp = join(dir, `${TMP_PREFIX}${process.pid}-${basename(path)}`);
  writeAndSync(tmp, data);
  renameSync(tmp, path);
  syncDir(dir);
}
