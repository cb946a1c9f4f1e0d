/** The readable table rrm-eval prints: one block per dataset set, then evaluator metrics. */
import type { EvalResult } from '@rrm/trainer';

export interface EvalReport {
  checkpoint: string;
  step: number | null;
  dataset: string;
  backend: string;
  result: EvalResult;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatReport(r: EvalReport): string {
  const lines = [
    `checkpoint ${r.checkpoint}${r.step === null ? '' : ` (step ${r.step})`}`,
    `dataset ${r.dataset}, backend ${r.backend}, ${r.result.wall_s.toFixed(1)} s`,
    '',
  ];
  const sets = Object.entries(r.result.sets);
  lines.push(
    table([
      ['set', 'puzzles', 'exact', 'token', 'q_halt acc', 'mean halt step'],
      ...sets.map(([name, m]) => [
        name,
        String(m.count),
        pct(m.exact_accuracy),
        pct(m.accuracy),
        pct(m.q_halt_accuracy),
        m.halting.mean_halt_step.toFixed(2),
      ]),
    ]),
  );
  lines.push(
    '',
    'exact accuracy after each supervision step, and where q_halt first turns positive:',
  );
  for (const [name, m] of sets) {
    lines.push(
      table([
        [name, ...m.by_step.map((s) => `step ${s.step}`)],
        ['exact', ...m.by_step.map((s) => pct(s.exact_accuracy))],
        ['token', ...m.by_step.map((s) => pct(s.accuracy))],
        ['halts here', ...m.halting.histogram.map(String)],
      ]),
    );
  }
  const extra = Object.entries(r.result.metrics);
  if (extra.length > 0) {
    lines.push('', table([['metric', 'value'], ...extra.map(([k, v]) => [k, pct(v)])]));
  }
  return `${lines.join('\n')}\n`;
}
