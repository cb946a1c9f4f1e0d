#!/usr/bin/env node
// Prints a fingerprint of the reference data in ../shared (every file's path, size and
// modification time), or "absent". `pnpm test` hands it to turbo as an environment
// variable of the test task, so cached test passes are replayed only for the same data:
// turbo cannot hash files outside the repository itself.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const shared = fileURLToPath(new URL('../../shared', import.meta.url));
if (!existsSync(shared)) {
  console.log('absent');
  process.exit(0);
}
const hash = createHash('sha256');
const walk = (dir) => {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    const s = statSync(path);
    if (s.isDirectory()) walk(path);
    else hash.update(`${relative(shared, path)}\t${s.size}\t${s.mtimeMs}\n`);
  }
};
walk(shared);
console.log(hash.digest('hex').slice(0, 16));
