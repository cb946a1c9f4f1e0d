/// <reference lib="webworker" />
/**
 * The worker that trains in the tab, so that generating, training and evaluating never
 * block the page. Steps run one after another; between two of them the worker reads its
 * messages (pause, resume, a checkpoint request), so a checkpoint never sees half a step.
 */
import { generateSudokuDataset, type PuzzleSplit } from '@rrm/puzzles';
import {
  configJson,
  resolveConfig,
  sudokuBuildOptions,
  TrainingLoop,
  totalSteps,
  withDatasetKeys,
} from '@rrm/trainer/browser';
import { chooseBackend } from './backend';
import { type FromWorker, isEvalStep, type ToWorker, TRAIN_PRESETS } from './training';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

let loop: TrainingLoop | null = null;
let paused = false;
let wake: (() => void) | null = null;
let wantCheckpoint = false;

async function sendCheckpoint(l: TrainingLoop): Promise<void> {
  const weights = await l.modelCheckpoint();
  const config = configJson(l.config);
  post({ type: 'checkpoint', step: l.step, config, weights }, [weights.buffer]);
}

async function evaluateNow(l: TrainingLoop, split: PuzzleSplit): Promise<void> {
  const r = await l.evaluate(split);
  const all = r.sets.all;
  post({
    type: 'eval',
    result: {
      step: l.step,
      puzzles: split.metadata.total_puzzles,
      exact: all.exact_accuracy,
      token: all.accuracy,
      byStep: all.by_step.map((s) => s.exact_accuracy),
    },
  });
}

async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const backend = await chooseBackend(m.backend);
  const config = resolveConfig({
    preset: TRAIN_PRESETS[m.board].preset,
    overrides: [
      ['max_steps', m.steps],
      ['seed', m.seed],
    ],
  });
  if (config.build_data?.kind !== 'sudoku') throw new Error('the tab trains on generated Sudoku');
  const data = generateSudokuDataset(
    sudokuBuildOptions(config.build_data, (done, total) =>
      post({ type: 'generating', done, total }),
    ),
  );
  const cfg = withDatasetKeys(config, data.train.metadata);
  const l = new TrainingLoop(cfg, data.train, totalSteps(cfg, data.train.metadata));
  loop = l;
  post({
    type: 'ready',
    backend: backend.name,
    parameters: l.model.parameterCount(),
    totalSteps: l.totalSteps,
    trainPuzzles: data.train.metadata.total_groups,
    testPuzzles: data.test.metadata.total_puzzles,
  });
  await run(l, data.test);
}

async function run(l: TrainingLoop, split: PuzzleSplit): Promise<void> {
  l.startClock();
  while (l.step < l.totalSteps) {
    if (wantCheckpoint) {
      wantCheckpoint = false;
      await sendCheckpoint(l);
    }
    if (paused) {
      l.stopClock();
      post({ type: 'paused', step: l.step });
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      l.startClock();
      post({ type: 'resumed', step: l.step });
      continue;
    }
    post({ type: 'step', record: await l.trainStep() });
    if (isEvalStep(l.step, l.totalSteps)) await evaluateNow(l, split);
    // Let the page's messages (pause, checkpoint) in between two steps.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  l.stopClock();
  post({ type: 'done', step: l.step, elapsed_s: l.elapsedSeconds });
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  const running = loop !== null && !paused && loop.step < loop.totalSteps;
  const job = async () => {
    if (m.type === 'start') await start(m);
    else if (m.type === 'pause') paused = true;
    else if (m.type === 'resume') {
      paused = false;
      wake?.();
      wake = null;
    } else if (m.type === 'checkpoint' && loop) {
      // While steps run, the run loop sends it between two of them.
      if (running) wantCheckpoint = true;
      else await sendCheckpoint(loop);
    }
  };
  job().catch((err: unknown) => {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  });
};
