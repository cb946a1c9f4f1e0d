#!/usr/bin/env node
/**
 * rrm-eval: evaluate a checkpoint on a dataset folder the way the papers report results:
 * exact and token accuracy, accuracy after each supervision step, halting statistics, and
 * for ARC pass@k with a Kaggle-style submission.json. Prints a table, or JSON with --json.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { arcEvaluatorForDataset, arcTestPuzzlesSource } from '@rrm/arc/node';
import { parseBackendName, selectBackend } from '@rrm/backend';
import { Progress } from '@rrm/progress';
import { readSplit } from '@rrm/puzzles/node';
import { ConfigError } from '@rrm/reasoning';
import {
  checkFiniteWeights,
  checkModelFitsDataset,
  evaluate,
  modelFromCheckpoint,
  readCheckpoint,
} from '@rrm/trainer';
import { type EvalReport, formatReport } from './report.js';

const USAGE = `Usage: rrm-eval CHECKPOINT [options]

CHECKPOINT is an rrm checkpoint folder (model.safetensors + config.json) or run folder
(its newest checkpoint), a reference PyTorch checkpoint file (step_N, with all_config.yaml
beside it) or a reference run folder (its newest step_N).

Options:
  --data DIR          dataset folder (default: the config's data_paths[0])
  --batch-size N      test batch size (default: the config's eval batch size)
  --steps N           supervision steps to run (default: the config's halt_max_steps)
  --backend NAME      auto | tensorflow | native | wasm | cpu (default auto)
  --json              print the result as JSON instead of a table
  --out FILE          also write the JSON result to FILE
  --submission FILE   ARC datasets: write the Kaggle-style submission.json to FILE
  -h, --help          this text`;

const say = (line: string) => process.stderr.write(`${line}\n`);

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      'batch-size': { type: 'string' },
      steps: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      submission: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    say(USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new ConfigError(
      `expected one checkpoint or run folder, got ${positionals.length}\n${USAGE}`,
    );
  const batchSize = positiveInt(values['batch-size'], '--batch-size');
  const backend = await selectBackend(parseBackendName(values.backend), {
    log: say,
    asyncReads: true,
  });

  const read = readCheckpoint(positionals[0]);
  const steps = positiveInt(values.steps, '--steps');
  // More steps than it was trained with let a model keep refining, e.g. on a bigger board.
  const ckpt =
    steps === undefined
      ? read
      : {
          ...read,
          config: { ...read.config, arch: { ...read.config.arch, halt_max_steps: steps } },
        };
  const dataset = values.data ?? ckpt.config.data_paths[0];
  const split = readSplit(dataset, 'test');
  const { model, config } = modelFromCheckpoint(ckpt, split.metadata);
  say(
    `checkpoint: ${ckpt.weights} (${ckpt.format === 'torch' ? 'PyTorch format' : 'safetensors'})`,
  );
  // A NaN weight or another dataset's vocabulary would score without a word of warning.
  await checkFiniteWeights([...model.stateDict()], ckpt.weights);
  checkModelFitsDataset(config.arch, split.metadata, {
    model: `checkpoint ${ckpt.weights}`,
    dataset,
  });
  const wantArc = config.evaluators.includes('arc') || values.submission !== undefined;
  if (wantArc) say(arcTestPuzzlesSource(dataset));
  const arc = wantArc ? arcEvaluatorForDataset(dataset) : null;
  let bar: Progress | null = null;
  const result = await evaluate(model, split, {
    batchSize: batchSize ?? config.eval_batch_size ?? config.global_batch_size,
    evaluators: arc ? [arc] : [],
    onProgress: (_done, total) => {
      bar ??= new Progress({ total, label: 'eval' });
      bar.tick(1);
    },
  });
  (bar as Progress | null)?.finish();
  split.close();
  model.dispose();

  const report: EvalReport = {
    checkpoint: ckpt.weights,
    step: ckpt.step,
    dataset,
    backend,
    result,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (values.out) writeFileSync(values.out, json);
  if (values.submission) {
    writeFileSync(values.submission, `${JSON.stringify(arc!.result().submission)}\n`);
    say(`submission: ${values.submission}`);
  }
  process.stdout.write(values.json ? json : formatReport(report));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // Bad input is reported in one line; RRM_DEBUG=1 shows where.
    say(
      `rrm-eval: ${process.env.RRM_DEBUG ? ((e as Error)?.stack ?? String(e)) : ((e as Error)?.message ?? String(e))}`,
    );
    process.exit(2);
  },
);
