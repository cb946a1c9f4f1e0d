/**
 * The "train in this tab" view: start, pause and resume a small TRM trained by the worker,
 * its loss and accuracy drawn live, the held-out accuracy as it is measured, and the
 * result used at once in the Solve tab or downloaded as `rrm-eval` reads it.
 */
import type { BackendName } from './backend';
import { metricsTable } from './metrics';
import { loadSolver, type Solver } from './solver';
import { type FromWorker, type HeldOut, TRAIN_PRESETS, type TrainBoard } from './training';
import { lineChart } from './views/chart';
import { h } from './views/dom';
import { captioned } from './views/grid-view';

export interface TrainViewOptions {
  backend?: BackendName;
  /** Hands a trained model to the Solve tab. */
  use(solver: Solver, name: string, note: string): void;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const DEFAULT_STEPS: Record<TrainBoard, number> = { '4x4': 300, '6x6': 2000 };

export function trainView(opts: TrainViewOptions): HTMLElement {
  const board = h(
    'select',
    { 'data-testid': 'train-board' },
    ...Object.entries(TRAIN_PRESETS).map(([k, p]) => h('option', { value: k }, p.title)),
  );
  const steps = h('input', {
    type: 'number',
    min: 1,
    max: 100000,
    value: DEFAULT_STEPS['4x4'],
    'data-testid': 'train-steps',
  });
  board.addEventListener('change', () => {
    steps.value = String(DEFAULT_STEPS[board.value as TrainBoard]);
  });
  const startButton = h(
    'button',
    { class: 'primary', 'data-testid': 'train-start' },
    'Start training',
  );
  const pauseButton = h('button', { disabled: true, 'data-testid': 'train-pause' }, 'Pause');
  const useButton = h(
    'button',
    { disabled: true, 'data-testid': 'train-use' },
    'Use in the Solve tab',
  );
  const downloads = h('div', { class: 'row', 'data-testid': 'train-downloads' });
  const status = h('div', {
    class: 'note',
    'aria-live': 'polite',
    'data-testid': 'train-status',
    'data-state': 'idle',
  });
  const heldOut = h('div', {
    class: 'note',
    'aria-live': 'polite',
    'data-testid': 'train-heldout',
  });
  const error = h('div', { class: 'error', role: 'alert', 'data-testid': 'train-error' });
  const charts = h('div', { class: 'charts', 'data-testid': 'train-charts' });

  let worker: Worker | null = null;
  let records: Array<Record<string, unknown>> = [];
  let total = 0;
  let backend = '';
  let useNext = false;
  let drawPending = false;
  let urls: string[] = [];

  const setState = (s: string, text: string) => {
    status.dataset.state = s;
    status.textContent = text;
  };

  function draw(): void {
    drawPending = false;
    if (records.length === 0) return;
    const table = metricsTable(records, 'this tab');
    const group = (keys: string[]) =>
      table.series
        .filter((x) => keys.includes(x.key))
        .map((x) => ({ label: x.key, points: x.points }));
    charts.replaceChildren(
      captioned(
        'Loss (training batches)',
        lineChart(group(['train/loss', 'train/lm_loss']), {
          width: 460,
          height: 240,
          xLabel: 'step',
          testId: 'train-loss',
        }),
      ),
      captioned(
        'Accuracy (halted training sequences; held out: all steps)',
        lineChart(group(['train/accuracy', 'train/exact_accuracy', 'heldout/exact_accuracy']), {
          width: 460,
          height: 254,
          yRange: [0, 1],
          xLabel: 'step',
          testId: 'train-accuracy',
        }),
      ),
    );
  }
  // At most one redraw a frame, however fast the steps come.
  const scheduleDraw = () => {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(draw);
  };

  function offerDownloads(config: string, weights: Uint8Array, step: number): void {
    for (const u of urls) URL.revokeObjectURL(u);
    const files: Array<[string, BlobPart, string]> = [
      ['config.json', config, 'application/json'],
      ['model.safetensors', weights as Uint8Array<ArrayBuffer>, 'application/octet-stream'],
    ];
    urls = files.map(([, body, type]) => URL.createObjectURL(new Blob([body], { type })));
    downloads.replaceChildren(
      h('span', { class: 'hint' }, `Checkpoint of step ${step} (both files in one folder):`),
      ...files.map(([name], i) =>
        h('a', { href: urls[i], download: name, 'data-testid': `train-download-${name}` }, name),
      ),
    );
  }

  function showHeldOut(r: HeldOut): void {
    records.push({ step: r.step, 'heldout/exact_accuracy': r.exact });
    heldOut.textContent = `Held out after step ${r.step}: ${pct(r.exact)} exact (${r.puzzles} puzzles, all supervision steps), ${pct(r.token)} of cells; after each supervision step: ${r.byStep.map(pct).join(', ')}`;
    scheduleDraw();
  }

  async function onMessage(m: FromWorker): Promise<void> {
    switch (m.type) {
      case 'generating':
        setState('generating', `Generating puzzles: ${m.done} / ${m.total}…`);
        break;
      case 'ready':
        total = m.totalSteps;
        backend = m.backend;
        setState(
          'training',
          `Training ${m.parameters.toLocaleString('en')} parameters on ${m.backend}: ${m.trainPuzzles} training puzzles (with their augmentations), ${m.testPuzzles} held out…`,
        );
        pauseButton.disabled = false;
        useButton.disabled = false;
        break;
      case 'step': {
        const r = m.record;
        records.push(r);
        const loss = Number(r['train/loss']).toFixed(3);
        setState(
          'training',
          `Step ${r.step} / ${total} on ${backend} · loss ${loss} · ${Number(r.time_s).toFixed(1)} s`,
        );
        scheduleDraw();
        break;
      }
      case 'eval':
        showHeldOut(m.result);
        break;
      case 'paused':
        setState('paused', `Paused at step ${m.step} / ${total}.`);
        pauseButton.textContent = 'Resume';
        pauseButton.disabled = false;
        break;
      case 'resumed':
        pauseButton.textContent = 'Pause';
        pauseButton.disabled = false;
        break;
      case 'done':
        setState(
          'done',
          `Done: ${m.step} steps in ${m.elapsed_s.toFixed(1)} s on ${backend}, held-out evaluations included.`,
        );
        pauseButton.disabled = true;
        startButton.disabled = false;
        worker?.postMessage({ type: 'checkpoint' });
        break;
      case 'checkpoint': {
        offerDownloads(m.config, m.weights, m.step);
        if (!useNext) break;
        useNext = false;
        const solver = await loadSolver(
          { name: 'config.json', text: m.config },
          { name: 'model.safetensors', bytes: m.weights },
        );
        opts.use(
          solver,
          `trained in this tab (step ${m.step})`,
          `Trained in this tab for ${m.step} steps on ${backend}.`,
        );
        break;
      }
      case 'error':
        error.textContent = m.message;
        setState('error', 'Training stopped.');
        startButton.disabled = false;
        pauseButton.disabled = true;
        break;
    }
  }

  startButton.addEventListener('click', () => {
    const n = Number(steps.value);
    if (!Number.isInteger(n) || n < 1) {
      error.textContent = `Steps must be a whole number of at least 1, got "${steps.value}".`;
      return;
    }
    error.textContent = '';
    worker?.terminate();
    records = [];
    charts.replaceChildren();
    heldOut.textContent = '';
    downloads.replaceChildren();
    pauseButton.textContent = 'Pause';
    startButton.disabled = true;
    worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      onMessage(e.data).catch((err: unknown) => {
        error.textContent = err instanceof Error ? err.message : String(err);
      });
    };
    worker.onerror = (e) => {
      error.textContent = `the training worker failed: ${e.message}`;
      startButton.disabled = false;
    };
    setState('starting', 'Starting the worker…');
    worker.postMessage({
      type: 'start',
      board: board.value as TrainBoard,
      steps: n,
      seed: 0,
      backend: opts.backend,
    });
  });

  pauseButton.addEventListener('click', () => {
    pauseButton.disabled = true;
    worker?.postMessage({ type: pauseButton.textContent === 'Pause' ? 'pause' : 'resume' });
  });

  useButton.addEventListener('click', () => {
    useNext = true;
    worker?.postMessage({ type: 'checkpoint' });
  });

  return h(
    'div',
    { class: 'train-section train-here' },
    h(
      'div',
      { class: 'controls' },
      h('h2', {}, 'Train a TRM in this tab'),
      h('label', {}, 'Board', board),
      h('label', {}, 'Training steps (batches of 32)', steps),
      h('div', { class: 'row' }, startButton, pauseButton, useButton),
      h(
        'span',
        { class: 'hint' },
        'A worker generates the puzzles and trains the sudoku-4x4 or sudoku-small preset of rrm-train; the page stays responsive.',
      ),
      status,
      heldOut,
      error,
      downloads,
    ),
    h('div', { class: 'stage' }, charts),
  );
}
