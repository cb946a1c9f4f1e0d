/**
 * Draws the figures of docs/results.md from the shipped models' files, so anyone can redraw
 * them: `pnpm exec tsx docs/results/plot.ts`. Reads `models/<name>/metrics.jsonl` (what
 * rrm-train wrote) and `models/<name>/eval/<band>.json` (what `rrm-eval --json` wrote);
 * writes SVG beside this file. A few dozen lines of SVG are simpler than a plotting
 * dependency for two line charts.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const models = join(root, 'models');
const out = import.meta.dirname;

interface Series {
  name: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

function lineChart(
  series: Series[],
  o: { title: string; x: string; y: string; yMax: number; xMax?: number },
): string {
  const W = 640;
  const H = 380;
  const m = { l: 56, r: 180, t: 36, b: 46 };
  const xMax = o.xMax ?? Math.max(...series.flatMap((s) => s.points.map((p) => p[0])));
  const px = (x: number) => m.l + (x / xMax) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (y / o.yMax) * (H - m.t - m.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${o.title}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="20" text-anchor="middle" font-size="14">${o.title}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const y = (o.yMax * i) / 5;
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${+y.toFixed(2)}</text>`,
    );
  }
  // Supervision steps are whole numbers: one tick each; otherwise five divisions.
  const xTicks =
    Number.isInteger(xMax) && xMax <= 16
      ? Array.from({ length: xMax + 1 }, (_, i) => i)
      : [0, 1, 2, 3, 4, 5].map((i) => (xMax * i) / 5);
  for (const x of xTicks)
    parts.push(
      `<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${xMax >= 10 ? Math.round(x) : +x.toFixed(1)}</text>`,
    );
  parts.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${o.x}</text>`,
    `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${o.y}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points.map(
      ([x, y], k) => `${k ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`,
    );
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(
      `<path d="${d.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
      `<line x1="${W - m.r + 12}" x2="${W - m.r + 36}" y1="${m.t + 18 * i}" y2="${m.t + 18 * i}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${W - m.r + 42}" y="${m.t + 18 * i + 4}">${s.name}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Mean over a trailing window, so that per-batch noise does not hide the trend. */
function smooth(points: Array<[number, number]>, window: number): Array<[number, number]> {
  return points.map(([x], i) => {
    const slice = points.slice(Math.max(0, i - window + 1), i + 1);
    return [x, slice.reduce((a, p) => a + p[1], 0) / slice.length];
  });
}

/** Exact accuracy after each supervision step of one evaluated set (`sets.all`). */
type EvalSet = { by_step: Array<{ step: number; exact_accuracy: number }> };
const stepCurve = (set: EvalSet): Array<[number, number]> =>
  set.by_step.map((st) => [st.step, st.exact_accuracy]);
/** `sets.all` of an `rrm-eval --json` file (`result`) or of a run's summary.json (`final`). */
const finalSet = (file: string): EvalSet & { exact_accuracy: number } => {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return (report.result ?? report.final).sets.all;
};

const names = readdirSync(models).filter((n) => existsSync(join(models, n, 'metrics.jsonl')));

const training: Series[] = names.map((name) => {
  const records = readFileSync(join(models, name, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>)
    .filter((r) => 'train/accuracy' in r && r['train/count'] > 0);
  return {
    name,
    points: smooth(
      records.map((r) => [r.step, r['train/accuracy']]),
      25,
    ),
  };
});
writeFileSync(
  join(out, 'training.svg'),
  lineChart(training, {
    title: 'Training: token accuracy of halted sequences (mean of 25 steps)',
    x: 'training step',
    y: 'token accuracy',
    yMax: 1,
  }),
);

// Recursive models only (a single pass has one step), the four difficulty bands.
const BANDS = ['g36-40', 'g30-33', 'g24-27', 'minimal'];
const byStep: Series[] = [];
for (const name of names) {
  for (const band of BANDS) {
    const file = join(models, name, 'eval', `${band}.json`);
    if (!existsSync(file)) continue;
    const points = stepCurve(finalSet(file));
    if (points.length < 2) continue;
    byStep.push({
      name: `${name.startsWith('hrm') ? 'HRM' : 'TRM'} ${band.replace(/^g/, '')}`,
      points,
      dashed: name.startsWith('hrm'),
    });
  }
}
writeFileSync(
  join(out, 'by-step.svg'),
  lineChart(byStep, {
    title: 'Held-out exact accuracy after each supervision step',
    x: 'supervision step',
    y: 'exact accuracy',
    yMax: 1,
  }),
);
/** Grouped bars: one group per band, one bar per model, the value printed above it. */
function barChart(
  groups: string[],
  bars: Array<{ name: string; values: number[] }>,
  title: string,
): string {
  const W = 640;
  const H = 360;
  const m = { l: 56, r: 180, t: 36, b: 46 };
  const gw = (W - m.l - m.r) / groups.length;
  const bw = (gw * 0.8) / bars.length;
  const py = (y: number) => H - m.b - y * (H - m.t - m.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${title}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py(i / 5)}" y2="${py(i / 5)}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${py(i / 5) + 4}" text-anchor="end">${i * 20} %</text>`,
    );
  }
  groups.forEach((g, gi) => {
    const x0 = m.l + gi * gw + gw * 0.1;
    parts.push(`<text x="${x0 + gw * 0.4}" y="${H - m.b + 16}" text-anchor="middle">${g}</text>`);
    bars.forEach((b, bi) => {
      const v = b.values[gi];
      const x = x0 + bi * bw;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${py(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(py(0) - py(v)).toFixed(1)}" fill="${COLORS[bi % COLORS.length]}"/>`,
        `<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(py(v) - 3).toFixed(1)}" text-anchor="middle" font-size="10">${Math.round(100 * v)}</text>`,
      );
    });
  });
  bars.forEach((b, bi) => {
    const y = m.t + 18 * bi;
    parts.push(
      `<rect x="${W - m.r + 12}" y="${y - 6}" width="24" height="10" fill="${COLORS[bi % COLORS.length]}"/>`,
      `<text x="${W - m.r + 42}" y="${y + 4}">${b.name}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const exact = (name: string, band: string): number =>
  finalSet(join(models, name, 'eval', `${band}.json`)).exact_accuracy;
const banded = names.filter((n) =>
  BANDS.every((b) => existsSync(join(models, n, 'eval', `${b}.json`))),
);
writeFileSync(
  join(out, 'bands.svg'),
  barChart(
    ['36–40', '30–33', '24–27', 'minimal'],
    banded.map((name) => ({ name, values: BANDS.map((b) => exact(name, b)) })),
    'Held-out exact accuracy by givens band (64 puzzles each)',
  ),
);

// Mazes: the shipped maze model on each of its evaluation sets, step by step.
const mazeModel = join(models, 'trm-maze', 'eval');
const mazeSets = existsSync(mazeModel)
  ? readdirSync(mazeModel).filter((f) => f.endsWith('.json'))
  : [];
const mazeSeries: Series[] = mazeSets.sort().map((f) => ({
  name: f.slice(0, -5),
  points: stepCurve(finalSet(join(mazeModel, f))),
}));
if (mazeSeries.length > 0)
  writeFileSync(
    join(out, 'maze-by-step.svg'),
    lineChart(mazeSeries, {
      title: 'trm-maze: held-out exact accuracy after each step',
      x: 'supervision step',
      y: 'exact accuracy',
      yMax: 1,
    }),
  );

// The maze studies: TRM, HRM and one pass, the mean of three seeds on each set.
const studyModels = ['trm', 'hrm', 'single'];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function studyChart(
  folder: string,
  sets: Array<{ label: string; file: (model: string, seed: number) => string }>,
  title: string,
  svg: string,
): void {
  if (!existsSync(join(out, folder))) return;
  const bars = studyModels.flatMap((m) => {
    const perSet = sets.map(({ file }) =>
      [0, 1, 2]
        .map((seed) => join(out, folder, file(m, seed)))
        .filter(existsSync)
        .map((f) => finalSet(f).exact_accuracy),
    );
    const seeds = Math.min(...perSet.map((xs) => xs.length));
    const name = `${m === 'single' ? 'one pass' : m.toUpperCase()} (mean of ${seeds})`;
    return seeds > 0 ? [{ name, values: perSet.map(mean) }] : [];
  });
  writeFileSync(
    join(out, svg),
    barChart(
      sets.map((s) => s.label),
      bars,
      title,
    ),
  );
}
studyChart(
  'maze-9x9-study',
  [
    { label: 'own 9×9', file: (m, s) => `${m}-s${s}-own9.json` },
    { label: 'gen.-maze 15×15', file: (m, s) => `${m}-s${s}-gen15.json` },
    { label: 'gen.-maze 30×30', file: (m, s) => `${m}-s${s}-gen30.json` },
  ],
  'Mazes: trained on 9×9, exact accuracy held out',
  'maze-study.svg',
);
studyChart(
  'maze-15x15-study',
  [
    { label: 'own 15×15', file: (m, s) => `${m}-s${s}-summary.json` },
    { label: 'gen.-maze 15×15', file: (m, s) => `${m}-s${s}-eval-generate-maze-15x15.json` },
    { label: 'gen.-maze 30×30', file: (m, s) => `${m}-s${s}-eval-generate-maze-30x30.json` },
  ],
  'Mazes: trained on 15×15 (1000 steps), exact accuracy held out',
  'maze-15x15-study.svg',
);

// maze-15x15 at 3500 steps against 1000 steps (three seeds): the step-by-step curves on
// the preset's own 500 test mazes, from each run's summary.json.
const runs15: Series[] = [
  {
    name: '3500 steps, seed 0',
    points: stepCurve(finalSet(join(out, 'maze-15x15-grid', 'summary.json'))),
  },
  ...[0, 1, 2]
    .map((seed) => ({ seed, file: join(out, 'maze-15x15-study', `trm-s${seed}-summary.json`) }))
    .filter(({ file }) => existsSync(file))
    .map(({ seed, file }) => ({
      name: `1000 steps, seed ${seed}`,
      points: stepCurve(finalSet(file)),
      dashed: true,
    })),
];
writeFileSync(
  join(out, 'maze-15x15-by-step.svg'),
  lineChart(runs15, {
    title: 'maze-15x15: own 500 test mazes, exact after each step',
    x: 'supervision step',
    y: 'exact accuracy',
    yMax: 1,
  }),
);
// The two Sudoku mixers on the four bands, at 1000 steps (side by side on one machine) and
// at 5000 (token mixing: the shipped model; Sudoku mixing at 3000 as well).
const mixerRuns: Array<{ name: string; file: (band: string) => string }> = [
  {
    name: 'token mixing, 1000',
    file: (b) => join(out, 'sudoku-9x9-1000-steps', `mlp-eval-band-${b}.json`),
  },
  {
    name: 'Sudoku mixing, 1000',
    file: (b) => join(out, 'sudoku-9x9-1000-steps', `smix-eval-band-${b}.json`),
  },
  { name: 'Sudoku mixing, 3000', file: (b) => join(out, 'sudoku-9x9-smix', 'eval', `${b}.json`) },
  { name: 'token mixing, 5000', file: (b) => join(models, 'trm-sudoku-9x9', 'eval', `${b}.json`) },
  {
    name: 'Sudoku mixing, 5000',
    file: (b) => join(out, 'sudoku-9x9-smix-5000', 'eval', `${b}.json`),
  },
];
writeFileSync(
  join(out, 'sudoku-mixers.svg'),
  barChart(
    ['36–40', '30–33', '24–27', 'minimal'],
    mixerRuns.map((r) => ({
      name: r.name,
      values: BANDS.map((b) => finalSet(r.file(b)).exact_accuracy),
    })),
    'Sudoku: the two mixers by band and steps (64 puzzles each)',
  ),
);
console.log(`wrote the figures in ${out}`);
