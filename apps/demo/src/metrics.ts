/**
 * Training curves from a run's metrics JSONL: one JSON object per line.
 * Nested objects are flattened to dotted keys ("train.loss") so the view does
 * not depend on how the trainer groups its fields.
 */
export interface Series {
  key: string;
  points: Array<[number, number]>;
}

export interface MetricsTable {
  xKey: string;
  series: Series[];
}

const X_KEYS = ['step', 'global_step', 'iteration', 'iter', 'epoch'];

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, number>): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out.set(key, v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      flatten(v as Record<string, unknown>, key, out);
    }
  }
}

/**
 * The trainer's accuracies are averages over the sequences that halted in that step
 * (`train/count` of them); with none counted they read 0 but mean "no data", so they
 * are left out rather than plotted as drops to zero.
 */
function dropUncounted(row: Map<string, number>): void {
  for (const [key, v] of row) {
    if (!key.endsWith('count') || v !== 0) continue;
    const group = key.slice(0, -'count'.length);
    for (const k of [...row.keys()])
      if (k.startsWith(group) && /acc/i.test(k.slice(group.length))) row.delete(k);
  }
}

export function parseMetricsJsonl(text: string, source = 'metrics.jsonl'): MetricsTable {
  const records: Array<Record<string, unknown>> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${source}, line ${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(
        `${source}, line ${i + 1}: expected a JSON object, got ${JSON.stringify(value)}`,
      );
    }
    records.push(value as Record<string, unknown>);
  });
  if (records.length === 0) throw new Error(`${source}: no metrics records (the file is empty)`);
  return metricsTable(records, source);
}

/** The series of metric records (a parsed JSONL, or the records a training tab collects). */
export function metricsTable(
  records: Array<Record<string, unknown>>,
  source: string,
): MetricsTable {
  const rows = records.map((record) => {
    const flat = new Map<string, number>();
    flatten(record, '', flat);
    dropUncounted(flat);
    return flat;
  });
  const xKey = X_KEYS.find((k) => rows.some((r) => r.has(k))) ?? '';
  const byKey = new Map<string, Array<[number, number]>>();
  rows.forEach((r, i) => {
    const x = xKey ? r.get(xKey) : i;
    if (x === undefined) return;
    for (const [k, v] of r) {
      if (k === xKey) continue;
      const pts = byKey.get(k) ?? [];
      pts.push([x, v]);
      byKey.set(k, pts);
    }
  });
  if (byKey.size === 0) throw new Error(`${source}: no numeric fields to plot`);
  const series = [...byKey].map(([key, points]) => ({ key, points }));
  return { xKey: xKey || 'record', series };
}

export type ChartGroup = 'loss' | 'accuracy' | 'other';

/** Losses, accuracies and everything else (learning rate, timings) have different scales. */
export function chartGroup(key: string): ChartGroup {
  if (/loss/i.test(key)) return 'loss';
  return /acc/i.test(key) ? 'accuracy' : 'other';
}

/**
 * Plotted until the reader picks others: the losses and accuracies, but not the
 * per-supervision-step breakdowns (`exact_accuracy@3`), which would crowd the chart.
 */
export function shownByDefault(key: string): boolean {
  return chartGroup(key) !== 'other' && !key.includes('@');
}
