/**
 * Metrics of a run: one JSON object per line in `metrics.jsonl` and the same records as a
 * table in `metrics.csv`. Every record carries `step`; on resume the records written after
 * the checkpoint's step (by the run that was interrupted) are dropped, so the files read as
 * one uninterrupted run.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from './checkpoint-files.js';

export type MetricRecord = { step: number } & Record<string, number | string>;

function csvCell(v: number | string | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return String(v);
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export class MetricsLog {
  private readonly records: MetricRecord[] = [];
  private columns: string[] = [];
  readonly jsonlPath: string;
  readonly csvPath: string;

  /** Opens the log in `dir`; with `resumeStep`, keeps the existing records up to that step. */
  constructor(dir: string, resumeStep?: number) {
    this.jsonlPath = join(dir, 'metrics.jsonl');
    this.csvPath = join(dir, 'metrics.csv');
    if (resumeStep !== undefined && existsSync(this.jsonlPath)) {
      const lines = readFileSync(this.jsonlPath, 'utf8').split('\n');
      for (const line of lines) {
        // A killed writer may leave a partial last line; it is after the checkpoint anyway.
        if (line.trim() === '') continue;
        let rec: MetricRecord;
        try {
          rec = JSON.parse(line);
        } catch {
          continue;
        }
        if (rec.step <= resumeStep) this.records.push(rec);
      }
    }
    for (const r of this.records) this.addColumns(r);
    this.rewrite();
  }

  get all(): readonly MetricRecord[] {
    return this.records;
  }

  private addColumns(r: MetricRecord): boolean {
    let added = false;
    for (const k of Object.keys(r)) {
      if (!this.columns.includes(k)) {
        this.columns.push(k);
        added = true;
      }
    }
    return added;
  }

  private csvRow(r: MetricRecord): string {
    return `${this.columns.map((c) => csvCell(r[c])).join(',')}\n`;
  }

  private rewrite(): void {
    atomicWriteFile(this.jsonlPath, this.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    atomicWriteFile(
      this.csvPath,
      `${this.columns.join(',')}\n${this.records.map((r) => this.csvRow(r)).join('')}`,
    );
  }

  /** Whether an evaluation at `step` is already logged (a finished run resumed again). */
  hasEvalAt(step: number): boolean {
    return this.records.some((r) => r.step === step && 'eval_s' in r);
  }

  log(record: MetricRecord): void {
    this.records.push(record);
    if (this.addColumns(record)) {
      // A new column (the first evaluation, say) changes the CSV header: write it afresh.
      this.rewrite();
      return;
    }
    appendFileSync(this.jsonlPath, `${JSON.stringify(record)}\n`);
    appendFileSync(this.csvPath, this.csvRow(record));
  }
}
