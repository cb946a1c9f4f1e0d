// Run from the repo root: pnpm exec tsx --conditions=source packages/backend/examples/select.ts [name]

import { parseBackendName, selectBackend } from '@rrm/backend';
import * as tf from '@tensorflow/tfjs-core';

const name = parseBackendName(process.argv[2], 'argument 1'); // 'auto' when absent
const chosen = await selectBackend(name); // logs: backend: wasm (skipped ...: why; ...)
console.log(chosen, tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync());
