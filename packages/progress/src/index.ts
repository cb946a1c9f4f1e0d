/**
 * Progress bars for long work. On a TTY the bar redraws in place; elsewhere
 * (CI logs, files) it prints one line at most every `logEveryMs`, so logs stay short.
 */

export interface ProgressOptions {
  total: number;
  label: string;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  logEveryMs?: number;
  /** Injected clock, for tests. */
  now?: () => number;
}

export type Fields = Record<string, string | number>;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function formatField(v: string | number): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 || v === 0 ? v.toFixed(1) : v.toPrecision(4);
}

export class Progress {
  readonly total: number;
  private done_ = 0;
  private fields: Fields = {};
  private readonly start: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly tty: boolean;
  private readonly logEveryMs: number;
  private readonly now: () => number;
  private finished = false;

  constructor(private readonly opts: ProgressOptions) {
    if (!(opts.total >= 0)) throw new Error(`Progress: total must be >= 0, got ${opts.total}`);
    this.total = opts.total;
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.logEveryMs = opts.logEveryMs ?? 5000;
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
  }

  get done(): number {
    return this.done_;
  }

  /** Advance by n and update the displayed fields (loss, accuracy, ...). */
  tick(n = 1, fields?: Fields): void {
    this.done_ = Math.min(this.total, this.done_ + n);
    if (fields) this.fields = { ...this.fields, ...fields };
    const t = this.now();
    const interval = this.tty ? 100 : this.logEveryMs;
    if (t - this.lastDraw >= interval || this.done_ === this.total) {
      this.lastDraw = t;
      this.draw();
    }
  }

  /** The current line, without terminal control characters. */
  line(): string {
    const elapsed = (this.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.done_ / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.done_) / rate : Number.NaN;
    const frac = this.total > 0 ? this.done_ / this.total : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const extra = Object.entries(this.fields)
      .map(([k, v]) => `${k} ${formatField(v)}`)
      .join('  ');
    const rateText =
      rate >= 1 || rate === 0 ? `${rate.toFixed(1)}/s` : `${(1 / rate).toFixed(1)}s/it`;
    return (
      `${this.opts.label} [${bar}] ${this.done_}/${this.total} ${(frac * 100).toFixed(0)}% ` +
      `${rateText} ${formatDuration(elapsed)}<${formatDuration(eta)}${extra ? `  ${extra}` : ''}`
    );
  }

  private draw(): void {
    if (this.tty) {
      const cols = this.stream.columns ?? 120;
      this.stream.write(`\r${this.line().slice(0, cols - 1)}\x1b[K`);
    } else {
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** Final draw, then an optional summary line. */
  finish(summary?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.lastDraw === Number.NEGATIVE_INFINITY || this.tty) this.draw();
    if (this.tty) this.stream.write('\n');
    if (summary) this.stream.write(`${summary}\n`);
  }
}

/** Peak resident memory of this process so far, in MB. */
export function peakRssMb(): number {
  // maxRSS is in kilobytes on Linux and macOS.
  return process.resourceUsage().maxRSS / 1024;
}
