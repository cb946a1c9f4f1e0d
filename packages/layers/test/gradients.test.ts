import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { registerGradients } from '../src/gradients';
import '../src/index';

test('importing @rrm/layers registers the gradient functions', async () => {
  expect(tf.getGradient('Square')).toBeDefined();
  await registerGradients(); // idempotent
  expect(tf.getGradient('BatchMatMul')).toBeDefined();
});

test('gradients also work in plain Node (tsx, no bundler), as the CLIs run', () => {
  const script = fileURLToPath(new URL('./fixtures/node-gradients.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=source', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // d/dx of -log softmax(x)_0 at x = (0, 0) is softmax - onehot = (-0.5, 0.5).
  expect(JSON.parse(out)).toEqual([-0.5, 0.5]);
});
