// Ad hoc: the trained (not EMA-averaged) weights of a checkpoint, as a model.safetensors.
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint } from '@rrm/act';
import { readSafetensors } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from './src/index.js';
await tf.setBackend('cpu');
const [dir, out] = process.argv.slice(2);
const { model } = loadModel(dir);
const saved = readSafetensors(readFileSync(join(dir, 'state.safetensors'))).tensors;
let n = 0;
for (const [name, v] of model.trainableNamedParameters()) {
  const t = saved.get(`train.${name}`);
  if (!t) throw new Error(`no train.${name}`);
  v.assign(tf.tensor(t.data as Float32Array, t.shape, 'float32'));
  n++;
}
writeFileSync(out, saveCheckpoint(model));
console.log(`${n} tensors -> ${out}`);
