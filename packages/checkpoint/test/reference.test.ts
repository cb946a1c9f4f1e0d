/**
 * Genuine reference-format files (`../shared/parity/<case>/reference_checkpoint/`, written by
 * PyTorch's torch.save): read without Python and compared with the case's weights.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHRM } from '@rrm/hrm';
import { readSafetensors } from '@rrm/layers';
import { createTRM } from '@rrm/trm';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointTensors,
  dataKeysFromWeights,
  loadWeights,
  parseReferenceConfig,
  readTorchCheckpoint,
  readWeights,
} from '../src';
import { locateReferenceCheckpoint, readReferenceCheckpoint } from '../src/node';

const parity = fileURLToPath(new URL('../../../../shared/parity', import.meta.url));
const CASES = ['trm_mlp_t', 'trm_att_rope', 'hrm_rope'];
const present = existsSync(`${parity}/trm_mlp_t/reference_checkpoint`);
if (!present)
  console.warn(`reference checkpoint tests skipped: ${parity}/*/reference_checkpoint not found`);

/** float32 rounded to bfloat16 (round to nearest even), as torch's .to(torch.bfloat16). */
function toBf16(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0];
  const rounded = (u + 0x7fff + ((u >> 16) & 1)) & 0xffff0000;
  return new Float32Array(new Uint32Array([rounded >>> 0]).buffer)[0];
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!present).each(CASES)('reference checkpoint %s', (name) => {
  const dir = `${parity}/${name}`;
  const weights = () => readSafetensors(readFileSync(`${dir}/weights.safetensors`)).tensors;

  it('holds the case weights: float32 exactly, bfloat16 buffers as rounded', () => {
    const got = readTorchCheckpoint(readFileSync(`${dir}/reference_checkpoint/step_3`), name);
    const want = weights();
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, w] of want) {
      const t = got.get(k)!;
      expect(t.shape, k).toEqual(w.shape);
      const bf16 = t.dtype === 'BF16';
      expect(bf16, k).toBe(name === 'hrm_rope' && /inner\.[HL]_init$/.test(k));
      expect(Array.from(t.data), k).toEqual(Array.from(w.data, (x) => (bf16 ? toBf16(x) : x)));
    }
  });

  it('run folder and config give the architecture; the weights load strictly and name-for-name', () => {
    const loc = locateReferenceCheckpoint(`${dir}/reference_checkpoint`)!;
    expect(loc).toMatchObject({ step: 3 });
    const { config, tensors } = readReferenceCheckpoint(loc);
    const caseConfig = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8'));
    expect(config.model).toBe(caseConfig.model);
    expect(config.loss_type).toBe('stablemax_cross_entropy');
    const keys = dataKeysFromWeights(config.model, config.arch, tensors);
    expect(keys.vocab_size).toBe(caseConfig.arch.vocab_size);
    expect(keys.num_puzzle_identifiers).toBe(caseConfig.arch.num_puzzle_identifiers);
    if (name === 'trm_mlp_t') expect(keys.seq_len).toBe(caseConfig.arch.seq_len);
    else expect(keys.seq_len).toBeUndefined(); // RoPE: the dataset says
    const create = config.model === 'trm' ? createTRM : createHRM;
    const model = create(
      { ...config.arch, ...keys, seq_len: caseConfig.arch.seq_len, batch_size: 1 },
      { seed: 0 },
    );
    loadWeights(model, tensors, { source: loc.weights });
    // What rrm writes back carries exactly the reference's names and shapes.
    const written = checkpointTensors(model);
    expect(new Map([...written].map(([k, t]) => [k, t.shape]))).toEqual(
      new Map([...tensors].map(([k, t]) => [k, t.shape])),
    );
    model.dispose();
  });
});

describe.skipIf(!present)('format detection', () => {
  it('tells safetensors from the torch zip by their bytes', () => {
    const dir = `${parity}/trm_att_rope`;
    expect(readWeights(readFileSync(`${dir}/weights.safetensors`)).format).toBe('safetensors');
    expect(readWeights(readFileSync(`${dir}/reference_checkpoint/step_3`)).format).toBe('torch');
  });

  it('reads the reference config keys', () => {
    const text = readFileSync(`${parity}/hrm_rope/reference_checkpoint/all_config.yaml`, 'utf8');
    const cfg = parseReferenceConfig(text);
    expect(cfg).toMatchObject({
      model: 'hrm',
      train: { global_batch_size: 6, lr: 0.0001, seed: 41 },
    });
    expect(cfg.arch).not.toHaveProperty('name');
    expect(cfg.arch).toMatchObject({
      H_layers: 2,
      pos_encodings: 'rope',
      forward_dtype: 'bfloat16',
    });
  });
});
