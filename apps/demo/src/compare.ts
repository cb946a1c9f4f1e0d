/**
 * The page's comparison: one puzzle through every shipped model of its kind (TRM, HRM, the
 * one-pass baseline; for a Sudoku or a maze), side by side and step by step: each model's
 * answer after the step a slider picks, how many cells are wrong after every step, and its
 * halting probability per step by its own rule, with the step where that rule would stop.
 */
import { countWrongCells, keptGivens } from './grid';
import { haltingStep, type Puzzle, type SolveTrace, sigmoid } from './puzzle';
import type { Solver } from './solver';
import { type ChartOptions, type ChartSeries, lineChart } from './views/chart';
import { h } from './views/dom';
import { captioned, gridView } from './views/grid-view';

export interface CompareModel {
  name: string;
  title: string;
  /** The puzzle kind it solves; a puzzle runs through the models of its kind. */
  task: string;
  /** Loaded on first use and kept. */
  solver(): Promise<Solver>;
}

const steps = (n: number) => (n === 1 ? '1 step' : `${n} steps`);

/** Step k → wrong cells after it, for a puzzle with a known solution. */
function wrongByStep(puzzle: Puzzle, trace: SolveTrace): Array<[number, number]> {
  return trace.steps.map((s, i) => [i + 1, countWrongCells(s.answer, puzzle.solution!)]);
}

/** One model's column; `show(k)` draws its answer after step k (its last, if it has fewer). */
function column(
  model: CompareModel,
  puzzle: Puzzle,
  trace: SolveTrace,
  wrong: Array<[number, number]>,
): { el: HTMLElement; show(k: number): void } {
  const firstRight = wrong.find(([, n]) => n === 0)?.[0];
  const halt = haltingStep(trace);
  const solution = puzzle.solution!;
  const board = h('div');
  const show = (k: number) => {
    const i = Math.min(k, trace.steps.length) - 1;
    const { answer, haltLogit } = trace.steps[i];
    const view = gridView(answer, puzzle.kind, {
      shape: puzzle.shape,
      given: keptGivens(puzzle.input, answer),
      wrong: Array.from(answer.data, (v, j) => v !== solution.data[j]),
      maxPx: 220,
      testId: 'compare-answer',
    });
    view.dataset.step = String(i + 1);
    board.replaceChildren(
      captioned(
        `${model.title}: step ${i + 1}, ${wrong[i][1]} wrong, P(halt) ${sigmoid(haltLogit).toFixed(2)}`,
        view,
      ),
    );
  };
  const el = h(
    'div',
    { class: 'compare-column', 'data-testid': `compare-${model.name}` },
    board,
    h(
      'p',
      { class: 'compare-result', 'data-testid': 'compare-result' },
      firstRight === undefined
        ? `not solved in ${steps(trace.steps.length)}: ${wrong[wrong.length - 1][1]} cells wrong after the last`
        : `solved from step ${firstRight} of ${trace.steps.length}`,
      '; ',
      halt === null
        ? `its rule (${trace.haltRule}) never says stop`
        : `its rule (${trace.haltRule}) stops at step ${halt}`,
    ),
    h(
      'p',
      { class: 'compare-steps' },
      `wrong cells per step: ${wrong.map(([, n]) => n).join(' ')}`,
    ),
  );
  return { el, show };
}

/** The compare panel's body: pick a puzzle, run every model of its kind on it. */
export function compareView(models: CompareModel[], puzzles: Puzzle[]): HTMLElement {
  const select = h(
    'select',
    { 'data-testid': 'compare-puzzle' },
    ...puzzles.map((p) => h('option', { value: p.id }, p.title)),
  );
  const run = h('button', { class: 'primary', 'data-testid': 'compare-run' }, 'Run every model');
  const status = h('div', {
    class: 'note',
    'aria-live': 'polite',
    'data-testid': 'compare-status',
    'data-state': 'idle',
  });
  const columns = h('div', { class: 'compare-columns' });
  const slider = h('input', {
    type: 'range',
    min: 1,
    max: 1,
    value: 1,
    'aria-label': 'Supervision step of every model',
    'data-testid': 'compare-step',
  });
  const stepLabel = h('span', { 'aria-live': 'polite', 'data-testid': 'compare-step-label' });
  const stepper = h('div', { class: 'stepper', hidden: true }, slider, stepLabel);
  let shown: Array<{ show(k: number): void }> = [];
  const showStep = (k: number, of: number) => {
    for (const c of shown) c.show(k);
    stepLabel.textContent = `step ${k} of ${of}`;
    slider.setAttribute('aria-valuetext', stepLabel.textContent);
  };
  slider.addEventListener('input', () => showStep(Number(slider.value), Number(slider.max)));
  const chart = h('div', { class: 'compare-charts' });
  run.addEventListener('click', async () => {
    const puzzle = puzzles.find((p) => p.id === select.value)!;
    const chosen = models.filter((m) => m.task === puzzle.kind);
    run.disabled = true;
    status.dataset.state = 'running';
    columns.replaceChildren();
    chart.replaceChildren();
    stepper.hidden = true;
    shown = [];
    try {
      const series: ChartSeries[] = [];
      const halting: ChartSeries[] = [];
      let most = 1;
      for (const m of chosen) {
        status.textContent = `running ${m.title}…`;
        const trace = await (await m.solver()).solve(puzzle);
        const wrong = wrongByStep(puzzle, trace);
        const c = column(m, puzzle, trace, wrong);
        columns.append(c.el);
        shown.push(c);
        most = Math.max(most, trace.steps.length);
        series.push({ label: m.name, points: wrong });
        halting.push({
          label: m.name,
          points: trace.steps.map((s, i): [number, number] => [i + 1, sigmoid(s.haltLogit)]),
        });
      }
      // Every model at its last step first; the slider walks them all through their steps.
      slider.max = String(most);
      slider.value = String(most);
      stepper.hidden = false;
      showStep(most, most);
      const plot = (title: string, s: ChartSeries[], opts: ChartOptions, testId: string) =>
        captioned(
          title,
          lineChart(s, { width: 460, height: 260, xLabel: 'supervision step', testId, ...opts }),
        );
      chart.append(
        plot(
          'Wrong cells after each supervision step',
          series,
          { yRange: [0, puzzle.input.data.length] },
          'compare-chart',
        ),
        plot(
          'P(halt) after each step, by each model’s own rule (it stops above 0.5)',
          halting,
          { yRange: [0, 1], threshold: 0.5, dots: true },
          'compare-halt-chart',
        ),
      );
      status.textContent = `${puzzle.title}: ${chosen.length} models`;
      status.dataset.state = 'done';
    } catch (e) {
      status.textContent = e instanceof Error ? e.message : String(e);
      status.dataset.state = 'error';
    } finally {
      run.disabled = false;
    }
  });
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'controls' },
      h('label', {}, 'Puzzle', select),
      run,
      h(
        'span',
        { class: 'hint' },
        'The same puzzle through each shipped model of its kind: TRM, HRM and the one-pass baseline.',
      ),
      status,
    ),
    h('div', { class: 'stage' }, stepper, columns, chart),
  );
}
