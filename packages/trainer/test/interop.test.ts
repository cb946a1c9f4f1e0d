/**
 * Checkpoints across trainers: an rrm run converted to a reference run folder and read
 * back, genuine reference runs, fine-tuning from either (`init_from`), and the ARC
 * evaluator on data without test_puzzles.json.
 */
import '@tensorflow/tfjs-backend-cpu';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arcEvaluatorForDataset, arcTestPuzzlesSource } from '@rrm/arc/node';
import { readSplit } from '@rrm/puzzles/node';
import { ConfigError } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  convertCheckpoint,
  evaluate,
  loadModel,
  type Model,
  readCheckpoint,
  type TrainResult,
} from '../src/index.js';
import { openTrainer, tempDir, tinyConfig } from './fixture.js';

const root = tempDir('interop');
const data = join(root, 'data');
const shared = fileURLToPath(new URL('../../../../shared', import.meta.url));
const haveShared = existsSync(join(shared, 'parity/trm_mlp_t/reference_checkpoint'));
if (!haveShared)
  console.warn(`reference run tests skipped: ${shared}/parity/*/reference_checkpoint not found`);

let run: TrainResult;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const t = await openTrainer({ config: tinyConfig(data), outDir: join(root, 'run') });
  run = await t.run();
  t.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const weightsOf = (m: Model) => [...m.stateDict()].map(([n, v]) => [n, Array.from(v.dataSync())]);

describe('an rrm run as a reference run folder', () => {
  it('converts to step_N + all_config.yaml that read back to the same model and scores', async () => {
    const out = join(root, 'torch');
    const r = convertCheckpoint(readCheckpoint(join(root, 'run')), 'torch', out);
    expect(r.files).toEqual([join(out, 'step_8'), join(out, 'all_config.yaml')]);
    expect(r.notCarried.join('\n')).toMatch(/optimiser moments/);
    const yaml = readFileSync(join(out, 'all_config.yaml'), 'utf8');
    expect(yaml).toMatch(/name: recursive_reasoning\.trm@TinyRecursiveReasoningModel_ACTV1/);
    expect(yaml).not.toMatch(/seq_len|vocab_size/); // the reference takes them from the data

    const test = readSplit(data, 'test');
    const a = loadModel(run.checkpoint!.dir);
    // RoPE: nothing in the weights spans the sequence, so the dataset gives its length.
    expect(() => loadModel(out)).toThrow(
      /sequence length is in neither the config nor the weights/,
    );
    const b = loadModel(out, test.metadata);
    expect(readCheckpoint(out)).toMatchObject({ format: 'torch', step: 8 });
    expect(weightsOf(b.model)).toEqual(weightsOf(a.model));
    const score = async (m: Model) => (await evaluate(m, test, { batchSize: 8 })).sets.all;
    expect(await score(b.model)).toEqual(await score(a.model));
    test.close();
    a.model.dispose();
    b.model.dispose();
  });
});

describe('init_from', () => {
  it('starts a run from the converted checkpoint', async () => {
    const t = await openTrainer({
      config: { ...tinyConfig(data), init_from: join(root, 'torch') },
      outDir: join(root, 'tuned'),
    });
    const { model } = loadModel(run.checkpoint!.dir);
    expect(weightsOf(t.model)).toEqual(weightsOf(model));
    model.dispose();
    t.dispose();
  });

  it('lists the architecture mismatches by name before training starts', async () => {
    const wider = tinyConfig(data, [['arch.hidden_size', 32]]);
    let message = '';
    try {
      await openTrainer({
        config: { ...wider, init_from: run.checkpoint!.dir },
        outDir: join(root, 'bad'),
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^config key "init_from": .* does not fit this model \(arch\.hidden_size 32 here, 16 there\)/,
    );
    expect(message).toMatch(
      /mis-shaped: .*inner\.embed_tokens\.embedding_weight is \[6, 16\], the model needs \[6, 32\]/,
    );
    expect(existsSync(join(root, 'bad', 'metrics.jsonl'))).toBe(false);
  });
});

describe.skipIf(!haveShared)('genuine reference runs', () => {
  it('loads a reference run folder (newest step_N, all_config.yaml)', () => {
    const { model, config } = loadModel(join(shared, 'parity/trm_mlp_t/reference_checkpoint'));
    expect(config).toMatchObject({
      model: 'trm',
      global_batch_size: 5,
      seed: 21,
      eval_interval: null,
    });
    expect(config.arch).toMatchObject({
      seq_len: 16,
      vocab_size: 11,
      num_puzzle_identifiers: 3,
      mlp_t: true,
    });
    model.dispose();
  });

  it('says what is missing when a reference file has no all_config.yaml beside it', () => {
    const lone = join(root, 'lone');
    cpSync(join(shared, 'parity/hrm_rope/reference_checkpoint/step_3'), join(lone, 'step_3'));
    expect(() => readCheckpoint(join(lone, 'step_3'))).toThrow(
      /needs the run's all_config\.yaml beside it/,
    );
  });

  it('builds the ARC evaluator the app passes on data without test_puzzles.json', async () => {
    const arc = join(root, 'arc');
    cpSync(join(shared, 'arc/official-layout-mini'), arc, { recursive: true });
    rmSync(join(arc, 'test_puzzles.json'));
    const lines: string[] = [];
    const t = await openTrainer({
      config: { ...tinyConfig(arc), build_data: null, evaluators: ['arc'] },
      outDir: join(root, 'arc-run'),
      evaluators: {
        arc: (dir) => {
          lines.push(arcTestPuzzlesSource(dir));
          return arcEvaluatorForDataset(dir);
        },
      },
    });
    t.dispose();
    expect(lines.join('\n')).toMatch(
      /evaluator "arc": .*test_puzzles\.json not found .* taken from the test split's un-augmented puzzles/,
    );
  });
});
