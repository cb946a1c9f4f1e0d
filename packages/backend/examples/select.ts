// Run from the repo root: pnpm exec tsx --conditions=source packages/backend/examples/select.ts [name]

import { parseBackendName, selectBackend } from '@rrm/backend';
import * as tf from '@tensorflow/tfjs-core';

const name = parseBackendName(process.argv[2], 'argument 1'); // 'auto' when absent
// asyncReads: this script reads with await only, so webgpu may be chosen in Node too.
const chosen = await selectBackend(name, { asyncReads: true }); // logs: backend: … (skipped …)
// data(), not dataSync(): webgpu in Node reads only asynchronously.
console.log(chosen, await tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).data());
