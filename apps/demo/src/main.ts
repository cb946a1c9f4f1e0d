import './style.css';
import { gridsEqual, makeGrid, SUDOKU_SHAPES } from '@rrm/puzzles';
import { puzzlesFromArcTask } from './arc-task';
import { type BackendChoice, chooseBackend, isBackendName } from './backend';
import { compareView } from './compare';
import { changedCells, checkSudokuRules, countWrongCells, keptGivens } from './grid';
import {
  type ChartGroup,
  chartGroup,
  type MetricsTable,
  parseMetricsJsonl,
  shownByDefault,
} from './metrics';
import { haltingStep, type Puzzle, type SolveTrace, sigmoid } from './puzzle';
import { FIXED_SAMPLES, sudokuPuzzle, sudokuSamples } from './samples';
import { loadSolver, pickCheckpointFiles, type Solver } from './solver';
import { trainView } from './train-view';
import { lineChart } from './views/chart';
import { h } from './views/dom';
import { captioned, gridView } from './views/grid-view';
import { type SudokuEditor, sudokuEditor } from './views/sudoku-editor';

const STEP_MS = 600;

// `?backend=` forces a backend (the page falls back when it cannot start).
const asked = new URLSearchParams(location.search).get('backend');
const forcedBackend = isBackendName(asked) ? asked : undefined;

interface State {
  backend: BackendChoice | null;
  solver: Solver | null;
  puzzles: Puzzle[];
  puzzle: Puzzle | null;
  editor: SudokuEditor | null;
  trace: { puzzle: Puzzle; result: SolveTrace } | null;
  step: number;
  timer: number | undefined;
}

const state: State = {
  backend: null,
  solver: null,
  puzzles: [...sudokuSamples(SUDOKU_SHAPES['6x6'], 0), ...FIXED_SAMPLES],
  puzzle: null,
  editor: null,
  trace: null,
  step: 1,
  timer: undefined,
};

// ---- layout -------------------------------------------------------------------------------

const backendBadge = h('span', { class: 'badge', 'data-testid': 'backend' }, 'backend: starting…');
const checkpointBadge = h('span', { class: 'badge', 'data-testid': 'checkpoint' }, 'no checkpoint');
// Tabs as the ARIA pattern has them: each names its panel, only the selected one is in the
// tab order, and the arrow keys (Home, End) move between them.
const tab = (id: string, panel: string, selected: boolean, label: string) =>
  h(
    'button',
    {
      role: 'tab',
      id,
      'aria-controls': panel,
      'aria-selected': String(selected),
      tabindex: selected ? 0 : -1,
    },
    label,
  );
const tabSolve = tab('tab-solve', 'panel-solve', true, 'Solve');
const tabCompare = tab('tab-compare', 'panel-compare', false, 'Compare models');
const tabTrain = tab('tab-train', 'panel-train', false, 'Train');

const sampleSelect = h('select', { 'data-testid': 'sample' });
const modelSelect = h(
  'select',
  { 'data-testid': 'model' },
  h('option', { value: 'default' }, '6×6 Sudoku, TRM (default)'),
);
const taskInput = h('input', {
  type: 'file',
  accept: '.json,application/json',
  'data-testid': 'task-file',
});
const ckptInput = h('input', {
  type: 'file',
  multiple: true,
  'data-testid': 'checkpoint-files',
});
const solveButton = h(
  'button',
  { class: 'primary', 'data-testid': 'solve', disabled: true },
  'Solve',
);
const clearButton = h('button', { 'data-testid': 'clear' }, 'Clear board');
const errorBox = h('div', { class: 'error', role: 'alert', 'data-testid': 'error' });
const checkpointNote = h('p', { class: 'note', 'data-testid': 'checkpoint-note' });

const demosArea = h('div', { class: 'demos' });
const inputArea = h('div');
const answerArea = h('div');
const solutionArea = h('div');
const slider = h('input', {
  type: 'range',
  min: 1,
  max: 1,
  value: 1,
  disabled: true,
  'aria-label': 'Supervision step',
  'data-testid': 'step-slider',
});
const playButton = h('button', { disabled: true, 'data-testid': 'play' }, 'Play');
// Results are announced by screen readers as they change (aria-live).
const stepLabel = h(
  'span',
  { 'aria-live': 'polite', 'data-testid': 'step-label' },
  'no answer yet',
);
const verdict = h('div', { class: 'verdict', 'aria-live': 'polite', 'data-testid': 'verdict' });
const filmstrip = h('div', { class: 'filmstrip', 'data-testid': 'filmstrip' });
const attemptsArea = h('div', { class: 'attempts', 'aria-live': 'polite' });
const haltArea = h('div');
const solveStatus = h('div', {
  class: 'note',
  'aria-live': 'polite',
  'data-testid': 'solve-status',
  'data-state': 'idle',
});
const solveBlocker = h('div', { class: 'note', 'data-testid': 'solve-blocker' });

const stepper = h(
  'div',
  { class: 'stepper', id: 'step-controls', tabindex: -1 },
  playButton,
  slider,
  stepLabel,
);
// Keyboard users reach the step controls without tabbing through every cell of the boards.
const skipBoards = h(
  'a',
  { class: 'skip', href: '#step-controls', 'data-testid': 'skip-boards' },
  'Skip past the boards to the step controls',
);
skipBoards.addEventListener('click', (e) => {
  e.preventDefault();
  // The slider once there is an answer to step through; before that, the controls' row.
  (slider.disabled ? stepper : slider).focus();
});

const solvePanel = h(
  'section',
  { class: 'panel', role: 'tabpanel', id: 'panel-solve', 'aria-labelledby': 'tab-solve' },
  h(
    'div',
    { class: 'controls' },
    h('label', {}, 'Model', modelSelect),
    h('label', {}, 'Sample puzzle', sampleSelect),
    h('div', { class: 'row' }, solveButton, clearButton),
    h(
      'span',
      { class: 'hint' },
      'Sudoku boards are editable: type your own puzzle and press Solve.',
    ),
    h(
      'label',
      {},
      'Load an ARC task (JSON)',
      taskInput,
      h('span', { class: 'hint' }, '{"train": [{"input", "output"}...], "test": [{"input"}...]}'),
    ),
    h(
      'label',
      {},
      'Load a checkpoint',
      ckptInput,
      h(
        'span',
        { class: 'hint' },
        'model.safetensors and config.json (rrm-train), or step_N and all_config.yaml (PyTorch); for an ARC model with puzzle embeddings, also its data’s identifiers.json',
      ),
    ),
    solveBlocker,
    errorBox,
    solveStatus,
  ),
  h(
    'div',
    { class: 'stage' },
    demosArea,
    skipBoards,
    h('div', { class: 'boards' }, inputArea, answerArea, solutionArea),
    stepper,
    verdict,
    attemptsArea,
    filmstrip,
    haltArea,
    h(
      'div',
      { class: 'legend-key' },
      h(
        'span',
        {},
        h('span', { class: 'swatch', style: 'background:#fff3bf' }),
        'changed at this step',
      ),
      h(
        'span',
        {},
        h('span', { class: 'swatch', style: 'background:#fff;border-color:#e03131' }),
        h('u', {}, 'underlined'),
        ': differs from the solution',
      ),
    ),
    checkpointNote,
  ),
);

// Filled once the shipped models are listed (listShippedModels).
const comparePanel = h(
  'section',
  {
    class: 'panel',
    role: 'tabpanel',
    id: 'panel-compare',
    'aria-labelledby': 'tab-compare',
    hidden: true,
  },
  h('p', { class: 'note' }, 'No shipped models in this build of the page.'),
);

const metricsInput = h('input', {
  type: 'file',
  accept: '.jsonl,.json,.txt',
  'data-testid': 'metrics-file',
});
const metricsError = h('div', { class: 'error', role: 'alert', 'data-testid': 'metrics-error' });
const metricsCharts = h('div', { class: 'charts', 'data-testid': 'metrics-charts' });
const metricsPicker = h('div', { class: 'picker', 'data-testid': 'metrics-picker' });
const trainPanel = h(
  'section',
  {
    class: 'panel',
    role: 'tabpanel',
    id: 'panel-train',
    'aria-labelledby': 'tab-train',
    hidden: true,
  },
  trainView({
    backend: forcedBackend,
    use: (solver, name, note) => {
      useSolver(solver, name, note);
      selectTab(tabSolve);
    },
  }),
  h(
    'div',
    { class: 'train-section' },
    h(
      'div',
      { class: 'controls' },
      h('h2', {}, 'Curves of a run on disk'),
      h(
        'label',
        {},
        'Open a run’s metrics JSONL',
        metricsInput,
        h('span', { class: 'hint' }, 'one JSON object per line, e.g. runs/<name>/metrics.jsonl'),
      ),
      metricsError,
      metricsPicker,
    ),
    h('div', { class: 'stage' }, metricsCharts),
  ),
);

document
  .getElementById('app')!
  .append(
    h('header', {}, h('h1', {}, 'Watch HRM and TRM think'), backendBadge, checkpointBadge),
    h('nav', { role: 'tablist' }, tabSolve, tabCompare, tabTrain),
    solvePanel,
    comparePanel,
    trainPanel,
  );

const tabs = [tabSolve, tabCompare, tabTrain];
const panels = [solvePanel, comparePanel, trainPanel];
function selectTab(selected: HTMLElement): void {
  tabs.forEach((t, i) => {
    const on = t === selected;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    panels[i].hidden = !on;
  });
}
for (const t of tabs) {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length];
    selectTab(next);
    next.focus();
  });
}

// ---- errors -------------------------------------------------------------------------------

function showError(e: unknown, box = errorBox): void {
  box.textContent = e instanceof Error ? e.message : String(e);
}

function clearError(box = errorBox): void {
  box.textContent = '';
}

// ---- puzzles ------------------------------------------------------------------------------

function fillSampleSelect(selectedId?: string): void {
  sampleSelect.replaceChildren(
    ...state.puzzles.map((p) =>
      h('option', { value: p.id, selected: p.id === selectedId }, p.title),
    ),
  );
}

/** Sudoku givens are drawn bold, to tell them from the model's fill-ins. */
function givenMask(p: Puzzle): boolean[] | undefined {
  return p.kind === 'sudoku' ? Array.from(p.input.data, (v) => v !== 0) : undefined;
}

/** The status line speaks of the last solve, so it goes with the answer it describes. */
function clearSolveStatus(): void {
  solveStatus.dataset.state = 'idle';
  solveStatus.textContent = '';
}

function showPuzzle(p: Puzzle): void {
  stopPlaying();
  state.puzzle = p;
  state.trace = null;
  state.editor = null;
  clearSolveStatus();
  demosArea.replaceChildren(
    ...(p.demos ?? []).map((d, i) =>
      h(
        'div',
        { class: 'pair' },
        captioned(`demo ${i + 1} input`, gridView(d.input, 'arc', { maxPx: 110 })),
        h('span', {}, '→'),
        captioned('output', gridView(d.output, 'arc', { maxPx: 110 })),
      ),
    ),
  );
  if (p.kind === 'sudoku' && p.shape) {
    state.editor = sudokuEditor(p.shape, onBoardEdited);
    state.editor.write(p.input);
    inputArea.replaceChildren(captioned('Puzzle (editable)', state.editor.el));
  } else {
    inputArea.replaceChildren(
      captioned(
        p.kind === 'arc' ? 'Test input' : 'Puzzle',
        gridView(p.input, p.kind, { testId: 'puzzle' }),
      ),
    );
  }
  showSolution(p);
  clearButton.hidden = p.kind !== 'sudoku';
  renderTrace();
  updateSolvable();
}

function showSolution(p: Puzzle): void {
  solutionArea.replaceChildren(
    p.solution
      ? captioned(
          'Known solution',
          gridView(p.solution, p.kind, { shape: p.shape, given: givenMask(p), testId: 'solution' }),
        )
      : h('p', { class: 'note' }, p.note ?? ''),
  );
}

/** The board as typed now: an edited Sudoku is a new puzzle, solved afresh for checking. */
function currentPuzzle(): Puzzle | null {
  const p = state.puzzle;
  if (!p?.shape || !state.editor) return p;
  const typed = state.editor.read();
  if (gridsEqual(typed, p.input)) return p;
  return sudokuPuzzle('typed', 'your Sudoku', p.shape, typed.data);
}

function onBoardEdited(): void {
  const p = currentPuzzle();
  if (p) showSolution(p);
  // The answer, filmstrip and verdict were for the board as it was: they would contradict it.
  if (state.trace && p && !gridsEqual(state.trace.puzzle.input, p.input)) {
    stopPlaying();
    state.trace = null;
    clearSolveStatus();
    renderTrace();
  }
  updateSolvable();
}

function updateSolvable(): void {
  const p = currentPuzzle();
  const why = !state.solver
    ? 'no checkpoint loaded'
    : p
      ? state.solver.cannotSolve(p)
      : 'no puzzle';
  solveButton.disabled = why !== null;
  solveButton.title = why ?? '';
  solveBlocker.textContent =
    why && p && state.solver ? `The loaded checkpoint cannot solve this: ${why}.` : '';
}

sampleSelect.addEventListener('change', () => {
  clearError();
  const p = state.puzzles.find((x) => x.id === sampleSelect.value);
  if (p) showPuzzle(p);
});

clearButton.addEventListener('click', () => {
  const p = state.puzzle;
  if (!p || !state.editor) return;
  state.editor.write(makeGrid(p.input.rows, p.input.cols));
  onBoardEdited();
});

taskInput.addEventListener('change', async () => {
  const file = taskInput.files?.[0];
  taskInput.value = '';
  if (!file) return;
  clearError();
  try {
    const loaded = puzzlesFromArcTask(await file.text(), file.name);
    state.puzzles = [...state.puzzles.filter((p) => !loaded.some((l) => l.id === p.id)), ...loaded];
    fillSampleSelect(loaded[0].id);
    showPuzzle(loaded[0]);
  } catch (e) {
    showError(e);
  }
});

// ---- solving and the step view ------------------------------------------------------------

solveButton.addEventListener('click', async () => {
  const p = currentPuzzle();
  const solver = state.solver;
  if (!p || !solver) return;
  clearError();
  stopPlaying();
  solveButton.disabled = true;
  solveStatus.dataset.state = 'solving';
  solveStatus.textContent = `Solving on ${state.backend?.name}…`;
  const shown = state.puzzle;
  try {
    const result = await solver.solve(p, (k, total) => {
      solveStatus.textContent = `Solving on ${state.backend?.name}: step ${k} / ${total}…`;
    });
    // Another puzzle was chosen or the board edited meanwhile: this answer is not for it.
    const now = currentPuzzle();
    if (state.puzzle !== shown || !now || !gridsEqual(now.input, p.input))
      return clearSolveStatus();
    state.trace = { puzzle: p, result };
    solveStatus.textContent = `${result.steps.length} supervision steps in ${result.ms.toFixed(0)} ms on ${state.backend?.name}.`;
    solveStatus.dataset.state = 'done';
    state.step = 1;
    renderTrace();
    play();
  } catch (e) {
    solveStatus.dataset.state = 'error';
    solveStatus.textContent = '';
    showError(e);
  } finally {
    updateSolvable();
  }
});

function renderTrace(): void {
  const t = state.trace;
  slider.disabled = playButton.disabled = !t;
  if (!t) {
    answerArea.replaceChildren();
    attemptsArea.replaceChildren();
    haltArea.replaceChildren();
    filmstrip.replaceChildren();
    verdict.textContent = '';
    verdict.className = 'verdict';
    stepLabel.textContent = 'no answer yet';
    return;
  }
  const { puzzle, result } = t;
  const steps = result.steps;
  const k = state.step;
  const answer = steps[k - 1].answer;
  const solution = puzzle.solution;
  const sameShape = solution && solution.rows === answer.rows && solution.cols === answer.cols;
  const view = gridView(answer, puzzle.kind, {
    shape: puzzle.shape,
    changed: changedCells(k > 1 ? steps[k - 2].answer : null, answer),
    given: puzzle.kind === 'sudoku' ? keptGivens(puzzle.input, answer) : undefined,
    wrong: sameShape ? Array.from(answer.data, (v, i) => v !== solution.data[i]) : undefined,
    testId: 'answer',
  });
  view.dataset.step = String(k);
  answerArea.replaceChildren(captioned(`Model’s answer after step ${k}`, view));

  // Every step at a glance: the refinement is easiest to see side by side.
  filmstrip.replaceChildren(
    ...steps.map((s, i) => {
      const thumb = h(
        'button',
        { class: i + 1 === k ? 'thumb current' : 'thumb', title: `show step ${i + 1}` },
        gridView(s.answer, puzzle.kind, {
          shape: puzzle.shape,
          changed: changedCells(i > 0 ? steps[i - 1].answer : null, s.answer),
          maxPx: 84,
        }),
        h('span', {}, `step ${i + 1}`),
      );
      thumb.addEventListener('click', () => {
        stopPlaying();
        state.step = i + 1;
        renderTrace();
      });
      return thumb;
    }),
  );

  slider.max = String(steps.length);
  slider.value = String(k);
  const pHalt = sigmoid(steps[k - 1].haltLogit);
  stepLabel.textContent = `step ${k} / ${steps.length} · P(halt) = ${pHalt.toFixed(3)}`;
  slider.setAttribute('aria-valuetext', `step ${k} of ${steps.length}`);

  const stopAt = haltingStep(result);
  const halting =
    stopAt === null
      ? `it never passes 0.5, so the model runs all ${steps.length} steps`
      : `the model would stop at step ${stopAt}`;
  haltArea.replaceChildren(
    captioned(
      `Halting probability per step (this model halts when ${result.haltRule}): ${halting}`,
      lineChart(
        [{ label: 'P(halt)', points: steps.map((s, i) => [i + 1, sigmoid(s.haltLogit)]) }],
        {
          yRange: [0, 1],
          threshold: 0.5,
          markX: k,
          dots: true,
          xLabel: 'supervision step',
          testId: 'halt-chart',
        },
      ),
    ),
  );

  renderAttempts(puzzle, result);
  verdict.className = 'verdict';
  if (solution) {
    const nWrong = countWrongCells(answer, solution);
    verdict.classList.add(nWrong === 0 ? 'ok' : 'bad');
    verdict.textContent =
      nWrong === 0
        ? `Step ${k}: matches the known solution.`
        : nWrong < 0
          ? `Step ${k}: wrong shape (${answer.rows}×${answer.cols}, solution is ${solution.rows}×${solution.cols}).`
          : `Step ${k}: ${nWrong} of ${answer.data.length} cells differ from the known solution.`;
  } else if (puzzle.kind === 'sudoku' && puzzle.shape) {
    // No single solution to compare with: the rules still say whether the answer is one.
    const { clashing, changedGivens, blanks } = checkSudokuRules(
      puzzle.input,
      answer,
      puzzle.shape,
    );
    const faults = [
      clashing && `${clashing} cells repeat a digit in their row, column or box`,
      changedGivens && `${changedGivens} givens changed`,
      blanks && `${blanks} cells left blank`,
    ].filter(Boolean);
    verdict.classList.add(faults.length === 0 ? 'ok' : 'bad');
    verdict.textContent =
      faults.length === 0
        ? `Step ${k}: a valid solution by the Sudoku rules (${puzzle.note}).`
        : `Step ${k}: breaks the Sudoku rules: ${faults.join('; ')} (${puzzle.note}).`;
  } else {
    verdict.textContent = `Step ${k}: no known solution to check against (${puzzle.note ?? 'none given'}).`;
  }
}

/** An ARC model's two attempts after its last step, with their votes and their check. */
function renderAttempts(puzzle: Puzzle, result: SolveTrace): void {
  const a = result.attempts;
  if (!a) {
    attemptsArea.replaceChildren();
    return;
  }
  const solution = puzzle.solution;
  const n = a.versions - 1;
  const versions = `${a.versions} versions of the task (as given and ${n} augmentation${n === 1 ? '' : 's'}, ${
    a.learned
      ? 'each with the puzzle embedding the model learned for it'
      : 'no learned puzzle embedding'
  })`;
  attemptsArea.replaceChildren(
    h(
      'p',
      { class: 'note' },
      `Two attempts after step ${result.steps.length}, voted by ${versions}:`,
    ),
    h(
      'div',
      { class: 'boards' },
      ...a.best.map((c, i) => {
        const check = solution ? (gridsEqual(c.grid, solution) ? ', right' : ', wrong') : '';
        // A canvas with no colour at its corner crops to no grid at all.
        const empty = c.grid.data.length === 0 ? ', no grid' : '';
        return captioned(
          `Attempt ${i + 1}: ${c.votes} of ${a.versions} votes${check}${empty}`,
          gridView(c.grid, 'arc', { testId: `attempt-${i + 1}`, maxPx: 160 }),
        );
      }),
    ),
  );
}

slider.addEventListener('input', () => {
  stopPlaying();
  state.step = Number(slider.value);
  renderTrace();
});

function stopPlaying(): void {
  if (state.timer !== undefined) clearInterval(state.timer);
  state.timer = undefined;
  playButton.textContent = 'Play';
}

function play(): void {
  const t = state.trace;
  if (!t) return;
  if (state.step >= t.result.steps.length) state.step = 1;
  renderTrace();
  playButton.textContent = 'Pause';
  state.timer = window.setInterval(() => {
    if (state.step >= t.result.steps.length) return stopPlaying();
    state.step += 1;
    renderTrace();
  }, STEP_MS);
}

playButton.addEventListener('click', () => (state.timer === undefined ? play() : stopPlaying()));

// ---- checkpoints --------------------------------------------------------------------------

/**
 * `name` tells checkpoints of the same architecture apart in the header; `firstId` is
 * the sample to open with (the default checkpoint's `first_sample`).
 */
function useSolver(solver: Solver, name: string, note: string, firstId?: string): void {
  state.solver?.dispose();
  state.solver = solver;
  checkpointBadge.textContent = `${name} · ${solver.summary}`;
  showInPicker(name);
  checkpointNote.textContent = note;
  if (solver.sudoku) {
    const { shape, minGivens } = solver.sudoku;
    state.puzzles = [
      ...sudokuSamples(shape, minGivens),
      ...state.puzzles.filter((p) => p.kind !== 'sudoku'),
    ];
  }
  // Offer the kind of puzzle this checkpoint was trained on first.
  const first =
    state.puzzles.find((p) => p.id === firstId) ??
    state.puzzles.find((p) => solver.cannotSolve(p) === null) ??
    state.puzzles[0];
  fillSampleSelect(first?.id);
  if (first) showPuzzle(first);
}

/**
 * The picker names the model in use: a shipped one (or the default) by its entry; one from
 * disk or trained in the tab by an entry of its own, so that choosing a shipped model
 * again is a change.
 */
function showInPicker(name: string): void {
  modelSelect.querySelector('option[data-loaded]')?.remove();
  const listed = [...modelSelect.options].find((o) => o.value === name);
  if (listed) {
    modelSelect.value = name;
    return;
  }
  modelSelect.append(h('option', { value: '', 'data-loaded': '' }, `${name} (loaded)`));
  modelSelect.value = '';
}

ckptInput.addEventListener('change', async () => {
  const files = [...(ckptInput.files ?? [])];
  ckptInput.value = '';
  if (files.length === 0) return;
  clearError();
  try {
    const { config, weights, identifiers } = pickCheckpointFiles(files);
    const solver = await loadSolver(
      { name: config.name, text: await config.text() },
      { name: weights.name, bytes: new Uint8Array(await weights.arrayBuffer()) },
      identifiers && { name: identifiers.name, text: await identifiers.text() },
    );
    const names = [weights, config, ...(identifiers ? [identifiers] : [])].map((f) => f.name);
    useSolver(
      solver,
      weights.name,
      `Loaded from ${names.slice(0, -1).join(', ')} and ${names.at(-1)}.`,
    );
  } catch (e) {
    showError(e);
  }
});

/** How the shipped checkpoint was made, shown under the puzzle (public/checkpoint/about.json). */
interface About {
  description: string;
  /** The run's metrics JSONL beside the checkpoint, if shipped. */
  metrics: string | null;
  /**
   * The sample shown first: the first in the page's order that this checkpoint solves
   * after its last step (test/first-sample.test.ts checks that it is).
   */
  first_sample?: string;
}

/** A trained model shipped with the site (models/index.json, written at build). */
interface ShippedModel {
  name: string;
  title: string;
  task: string;
  accuracy: Array<{ set: string; puzzles: number; exact: number }>;
}
let shipped: ShippedModel[] = [];

/** Fetches `name` under `dir` of the site, naming the file when it is missing. */
async function fetchSite(dir: string, name: string): Promise<Response> {
  const res = await fetch(new URL(`./${dir}/${name}`, document.baseURI));
  if (!res.ok) throw new Error(`${dir}/${name}: HTTP ${res.status}`);
  return res;
}

/** The solver of a checkpoint folder of the site. */
async function siteSolver(dir: string): Promise<Solver> {
  const [config, weights] = await Promise.all([
    fetchSite(dir, 'config.json'),
    fetchSite(dir, 'model.safetensors'),
  ]);
  return loadSolver(
    { name: `${dir}/config.json`, text: await config.text() },
    { name: `${dir}/model.safetensors`, bytes: new Uint8Array(await weights.arrayBuffer()) },
  );
}

async function loadDefaultCheckpoint(): Promise<void> {
  const about = (await (await fetchSite('checkpoint', 'about.json')).json()) as About;
  const solver = await siteSolver('checkpoint');
  useSolver(solver, 'default', `Default checkpoint: ${about.description}`, about.first_sample);
  if (about.metrics)
    showMetrics(
      await (await fetchSite('checkpoint', about.metrics)).text(),
      `checkpoint/${about.metrics}`,
    );
}

/** Lists the shipped models in the picker; a site built without them lists the default only. */
async function listShippedModels(): Promise<void> {
  const res = await fetch(new URL('./models/index.json', document.baseURI));
  if (!res.ok) return;
  shipped = (await res.json()) as ShippedModel[];
  modelSelect.append(...shipped.map((m) => h('option', { value: m.name }, m.title)));
  // The side-by-side view compares the 9×9 Sudoku models, and the maze models.
  const models = shipped
    .filter((m) => m.task === 'sudoku' || m.task === 'maze')
    .map((m) => {
      let solver: Promise<Solver> | null = null;
      return { ...m, solver: () => (solver ??= siteSolver(`models/${m.name}`)) };
    });
  // Generated as the page's samples are, stopped at 36 and at 30 givens: the bands where
  // the shipped models differ (docs/results.md); then the bundled mazes, where the recursion
  // of the maze models differs most at 30×30.
  const nine = SUDOKU_SHAPES['9x9'];
  const puzzles = [
    ...[36, 30].flatMap((givens) =>
      sudokuSamples(nine, givens, 2).map((p) => ({
        ...p,
        id: `${p.id}-g${givens}`,
        title: `${p.title}, ${givens} givens`,
      })),
    ),
    ...(models.some((m) => m.task === 'maze')
      ? FIXED_SAMPLES.filter((p) => p.kind === 'maze')
      : []),
  ];
  if (models.length > 0) comparePanel.replaceChildren(compareView(models, puzzles));
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function loadShippedModel(name: string): Promise<void> {
  const m = shipped.find((x) => x.name === name);
  if (!m) return loadDefaultCheckpoint();
  const solver = await siteSolver(`models/${name}`);
  const measured = m.accuracy.map((a) => `${a.set} ${pct(a.exact)} (${a.puzzles})`).join(', ');
  useSolver(solver, name, `${m.title}. Held-out exact accuracy after its last step: ${measured}.`);
  showMetrics(
    await (await fetchSite(`models/${name}`, 'metrics.jsonl')).text(),
    `models/${name}/metrics.jsonl`,
  );
}

modelSelect.addEventListener('change', async () => {
  clearError();
  modelSelect.disabled = true;
  try {
    await loadShippedModel(modelSelect.value);
  } catch (e) {
    showError(e);
  } finally {
    modelSelect.disabled = false;
  }
});

// ---- training curves ----------------------------------------------------------------------

interface MetricsView {
  table: MetricsTable;
  source: string;
  shown: Set<string>;
}

const CHART_TITLES: Record<ChartGroup, string> = {
  loss: 'Loss',
  accuracy: 'Accuracy',
  other: 'Other',
};

function renderMetrics(view: MetricsView): void {
  const { table, source, shown } = view;
  metricsPicker.replaceChildren(
    ...table.series.map((x) => {
      const box = h('input', { type: 'checkbox', checked: shown.has(x.key) });
      box.addEventListener('change', () => {
        if (box.checked) shown.add(x.key);
        else shown.delete(x.key);
        renderMetrics(view);
      });
      return h('label', { class: 'pick' }, box, x.key);
    }),
  );
  const groups = (['loss', 'accuracy', 'other'] as const).map((g) => ({
    g,
    series: table.series.filter((x) => shown.has(x.key) && chartGroup(x.key) === g),
  }));
  metricsCharts.replaceChildren(
    ...groups
      .filter(({ series }) => series.length > 0)
      .map(({ g, series }) =>
        captioned(
          `${CHART_TITLES[g]} (${source})`,
          lineChart(
            series.map((x) => ({ label: x.key, points: x.points })),
            {
              width: 460,
              height: 240 + 14 * Math.ceil(series.length / 2),
              xLabel: table.xKey,
              testId: `metrics-${g}`,
            },
          ),
        ),
      ),
  );
}

function showMetrics(text: string, source: string): void {
  clearError(metricsError);
  try {
    const table = parseMetricsJsonl(text, source);
    renderMetrics({
      table,
      source,
      shown: new Set(table.series.map((x) => x.key).filter(shownByDefault)),
    });
  } catch (e) {
    metricsPicker.replaceChildren();
    metricsCharts.replaceChildren();
    showError(e, metricsError);
  }
}

metricsInput.addEventListener('change', async () => {
  const file = metricsInput.files?.[0];
  metricsInput.value = '';
  if (file) showMetrics(await file.text(), file.name);
});

// ---- start --------------------------------------------------------------------------------

async function start(): Promise<void> {
  fillSampleSelect();
  if (state.puzzles[0]) showPuzzle(state.puzzles[0]);
  const forced = forcedBackend;
  try {
    state.backend = await chooseBackend(forced);
  } catch (e) {
    backendBadge.textContent = 'backend: none';
    throw e;
  }
  const { name, skipped } = state.backend;
  backendBadge.replaceChildren('backend: ', h('b', {}, name));
  // Asked for one the browser cannot start: say so in the header, not only in the tooltip.
  if (forced && forced !== name) backendBadge.append(` (${forced} unavailable)`);
  backendBadge.title = skipped.join('\n');
  await Promise.all([loadDefaultCheckpoint(), listShippedModels()]);
}

start()
  .catch((e) => showError(e))
  .finally(() => {
    document.body.dataset.status = 'ready';
  });
