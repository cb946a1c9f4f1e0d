import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadSolver, type Solver } from '../src/solver';

export const CHECKPOINT_DIR = fileURLToPath(new URL('../public/checkpoint/', import.meta.url));

/** The shipped default checkpoint, run in this process on the cpu backend. */
export async function loadShippedSolver(): Promise<Solver> {
  await tf.setBackend('cpu');
  return loadSolver(
    { name: 'config.json', text: readFileSync(`${CHECKPOINT_DIR}config.json`, 'utf8') },
    {
      name: 'model.safetensors',
      bytes: new Uint8Array(readFileSync(`${CHECKPOINT_DIR}model.safetensors`)),
    },
  );
}
