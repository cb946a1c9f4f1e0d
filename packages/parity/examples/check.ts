// Run from the repo root: pnpm exec tsx --conditions=source packages/parity/examples/check.ts
import '@tensorflow/tfjs-backend-cpu';
import { checkParity } from '@rrm/parity';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
const report = await checkParity(
  new URL('../../../../shared/parity/trm_edge_single_cycle', import.meta.url).pathname,
);
console.log(report.ok, report.eval, report.train, report.failures);
