/**
 * The page's comparison: one puzzle through every shipped model of its kind (TRM, HRM, the
 * one-pass baseline; for a Sudoku or a maze), side by side, with each model's answer after
 * its last step, how many cells are wrong after every step, and where its own halting rule
 * would stop.
 */
import { countWrongCells, keptGivens } from './grid';
import { haltingStep, type Puzzle, type SolveTrace } from './puzzle';
import type { Solver } from './solver';
import { lineChart } from './views/chart';
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

function column(
  model: CompareModel,
  puzzle: Puzzle,
  trace: SolveTrace,
  wrong: Array<[number, number]>,
): HTMLElement {
  const last = trace.steps[trace.steps.length - 1].answer;
  const firstRight = wrong.find(([, n]) => n === 0)?.[0];
  const halt = haltingStep(trace);
  const solution = puzzle.solution!;
  return h(
    'div',
    { class: 'compare-column', 'data-testid': `compare-${model.name}` },
    captioned(
      model.title,
      gridView(last, puzzle.kind, {
        shape: puzzle.shape,
        given: keptGivens(puzzle.input, last),
        wrong: Array.from(last.data, (v, i) => v !== solution.data[i]),
        maxPx: 220,
      }),
    ),
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
  const chart = h('div');
  run.addEventListener('click', async () => {
    const puzzle = puzzles.find((p) => p.id === select.value)!;
    const chosen = models.filter((m) => m.task === puzzle.kind);
    run.disabled = true;
    status.dataset.state = 'running';
    columns.replaceChildren();
    chart.replaceChildren();
    try {
      const series = [];
      for (const m of chosen) {
        status.textContent = `running ${m.title}…`;
        const trace = await (await m.solver()).solve(puzzle);
        const wrong = wrongByStep(puzzle, trace);
        columns.append(column(m, puzzle, trace, wrong));
        series.push({ label: m.name, points: wrong });
      }
      chart.append(
        captioned(
          'Wrong cells after each supervision step',
          lineChart(series, {
            width: 460,
            height: 260,
            yRange: [0, puzzle.input.data.length],
            xLabel: 'supervision step',
            testId: 'compare-chart',
          }),
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
    h('div', { class: 'stage' }, columns, chart),
  );
}
