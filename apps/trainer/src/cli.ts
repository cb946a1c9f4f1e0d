#!/usr/bin/env node
/**
 * rrm-train: resolve a config, pick a backend, train with a progress bar, and end with the
 * held-out accuracy. SIGINT/SIGTERM (any number of them) save a checkpoint after the current
 * step and exit; `--resume --out DIR` continues from it.
 */
import { arcEvaluatorForDataset, arcTestPuzzlesSource } from '@rrm/arc/node';
import { parseBackendName, selectBackend } from '@rrm/backend';
import { formatDuration, Progress, peakRssMb } from '@rrm/progress';
import type { ProgressCallback } from '@rrm/puzzles';
import { ConfigError } from '@rrm/reasoning';
import {
  DEFAULT_PRESET,
  type EvalResult,
  type MetricRecord,
  openRunFolder,
  openTrainingData,
  presetNames,
  readRunConfig,
  resolveConfig,
  setDotted,
  type TrainConfig,
  Trainer,
  validateTrainConfig,
} from '@rrm/trainer';
import { parseTrainArgs, readConfigFile, type TrainArgs, USAGE } from './args.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A progress bar created on the first report, so its total is known. */
function lazyBar(label: string): ProgressCallback {
  let bar: Progress | null = null;
  return (done, total, fields) => {
    if (!bar || done < bar.done) bar = new Progress({ total, label });
    bar.tick(done - bar.done, fields);
    if (done === total) {
      bar.finish();
      bar = null;
    }
  };
}

/**
 * What the progress bar shows: the loss and accuracies over the last `size` steps. A single
 * step's accuracies only cover the sequences that halted in it (often none).
 */
function recentAverages(size = 50): (rec: MetricRecord) => Record<string, number> {
  const window: MetricRecord[] = [];
  const sum = (key: string, weighted: boolean) =>
    window.reduce((s, r) => s + Number(r[key]) * (weighted ? Number(r['train/count']) : 1), 0);
  return (rec) => {
    window.push(rec);
    if (window.length > size) window.shift();
    const count = Math.max(sum('train/count', false), 1);
    return {
      loss: sum('train/loss', false) / window.length,
      acc: sum('train/accuracy', true) / count,
      exact: sum('train/exact_accuracy', true) / count,
      lr: Number(rec['train/lr']),
    };
  };
}

function timestamp(): string {
  return new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

function resolveRun(args: TrainArgs): { config: TrainConfig; outDir: string; name: string } {
  if (args.resume) {
    if (!args.out) throw new ConfigError('--resume needs --out DIR, the run folder to continue');
    if (args.preset || args.configFile) {
      throw new ConfigError('--resume reads the config from the run folder; give overrides only');
    }
    let cfg: Record<string, unknown> = { ...readRunConfig(args.out) };
    for (const [key, value] of args.overrides) cfg = setDotted(cfg, key, value);
    return { config: validateTrainConfig(cfg), outDir: args.out, name: args.out };
  }
  const file = args.configFile ? readConfigFile(args.configFile) : undefined;
  const name = args.preset ?? file?.preset ?? DEFAULT_PRESET;
  const config = resolveConfig({ preset: name, file: file?.layer, overrides: args.overrides });
  return { config, outDir: args.out ?? `runs/${name}-${timestamp()}`, name };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function printResult(final: EvalResult): void {
  for (const [set, m] of Object.entries(final.sets)) {
    const bySteps = m.by_step.map((s) => `${s.step}: ${pct(s.exact_accuracy)}`).join('  ');
    say(`held-out exact accuracy (${set}, ${m.count} puzzles): ${pct(m.exact_accuracy)}`);
    say(
      `  token accuracy ${pct(m.accuracy)}; exact accuracy after each supervision step: ${bySteps}`,
    );
  }
  for (const [k, v] of Object.entries(final.metrics)) say(`  ${k}: ${pct(v)}`);
}

async function main(argv: string[]): Promise<number> {
  const args = parseTrainArgs(argv);
  if (args.help) {
    say(USAGE);
    return 0;
  }
  if (args.listPresets) {
    for (const p of presetNames()) say(`${p.name.padEnd(22)} ${p.description}`);
    return 0;
  }
  const { config, outDir, name } = resolveRun(args);
  const backend = await selectBackend(parseBackendName(args.backend), {
    log: say,
    asyncReads: true,
  });

  // One stop, however many signals arrive: Ctrl-C under `pnpm train` or tsx reaches this
  // process twice (from the terminal's process group and relayed by the parent), and a
  // second signal must not undo the save the first one asked for. Ctrl-\ (SIGQUIT) still
  // ends the process at once.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return;
    say(`\n${signal}: saving a checkpoint after this step, then exiting`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Says once where the ARC evaluator's test puzzles come from (built again at every eval).
  let toldArcSource = false;
  const arcEvaluator = (dir: string) => {
    if (!toldArcSource) say(arcTestPuzzlesSource(dir));
    toldArcSource = true;
    return arcEvaluatorForDataset(dir);
  };
  // The run folder first: a bad --out is reported before a dataset build that can be long.
  const run = openRunFolder(outDir, { resume: args.resume, log: say });
  const data = run.releaseOnError(() =>
    openTrainingData(config, { onProgress: lazyBar('building dataset'), log: say }),
  );
  const trainer = await Trainer.open({
    config,
    run,
    data,
    backend,
    log: say,
    evaluators: { arc: arcEvaluator },
  });
  const c = trainer.config;
  say(
    `${name}: ${c.model.toUpperCase()} (${trainer.model.parameterCount().toLocaleString('en-US')} parameters), ` +
      `dataset ${trainer.dataDir}, ${trainer.totalSteps} steps of ${c.global_batch_size}; run folder ${outDir}`,
  );
  const startStep = trainer.step;
  const bar = new Progress({ total: trainer.totalSteps - startStep, label: 'train' });
  const averages = recentAverages();
  const result = await trainer.run({
    signal: stop.signal,
    onStep: (step, rec) => bar.tick(1, { step, ...averages(rec) }),
    onEvalProgress: lazyBar('eval'),
  });
  bar.finish();
  trainer.dispose();

  const time = `${formatDuration(result.elapsed_s)} training, peak RSS ${Math.round(peakRssMb())} MB, backend ${backend}`;
  switch (result.status) {
    case 'completed':
      printResult(result.final!);
      say(`done: ${result.step} steps, ${time}; checkpoint ${result.checkpoint?.dir}`);
      return 0;
    case 'stopped':
      say(
        `${result.message}; checkpoint ${result.checkpoint?.dir}; continue with --resume --out ${outDir}`,
      );
      return 130;
    case 'nan':
      say(`error: ${result.message}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // Bad input (config keys, files, datasets) is reported in one line; RRM_DEBUG=1 shows where.
    say(
      `rrm-train: ${process.env.RRM_DEBUG ? ((e as Error)?.stack ?? String(e)) : ((e as Error)?.message ?? String(e))}`,
    );
    process.exit(2);
  },
);
