import { s } from './dom';

export interface ChartSeries {
  label: string;
  points: Array<[number, number]>;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  /** Fixed y range; otherwise fitted to the data. */
  yRange?: [number, number];
  /** Draw a dashed horizontal line here (e.g. the 0.5 halting threshold). */
  threshold?: number;
  /** Mark the point at this x (the step the slider shows). */
  markX?: number;
  xLabel?: string;
  /** Draw dots at each point (always done for series of 40 points or fewer). */
  dots?: boolean;
  testId?: string;
}

const COLOURS = ['#0b6bcb', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#495057'];

/**
 * Shortest readable label for a tick value. Ticks are multiples of a round step
 * (`niceTicks`), so below 10 they print as they are: rounding them to two digits made
 * the ticks of a narrow range (1.92, 1.94) read the same.
 */
export function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return `${(v / 1000).toFixed(a >= 10000 ? 0 : 1)}k`;
  return a >= 10 ? v.toFixed(0) : String(v);
}

/**
 * Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi] with
 * at most about `count` ticks.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = power * ([1, 2, 5, 10].find((f) => f * power >= raw) ?? 10);
  const ticks: number[] = [];
  // Multiples of `step`, computed from integers so that 0.1 * 3 prints as 0.3.
  for (let i = Math.ceil(lo / step); i * step <= hi + step * 1e-9; i++)
    ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** A small SVG line chart with axes, ticks and a legend. */
export function lineChart(series: ChartSeries[], opts: ChartOptions = {}): SVGElement {
  const W = opts.width ?? 360;
  const H = opts.height ?? 180;
  const m = { l: 40, r: 10, t: 10, b: 30 + 14 * Math.ceil(series.length / 2) };
  const all = series.flatMap((x) => x.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  let [y0, y1] = opts.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);

  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    class: 'chart',
    'data-testid': opts.testId,
  });
  svg.append(
    s('line', { x1: m.l, y1: H - m.b, x2: W - m.r, y2: H - m.b, class: 'axis' }),
    s('line', { x1: m.l, y1: m.t, x2: m.l, y2: H - m.b, class: 'axis' }),
  );
  for (const y of niceTicks(y0, y1)) {
    svg.append(
      s('text', { x: m.l - 4, y: py(y) + 3, class: 'tick', 'text-anchor': 'end' }, tick(y)),
    );
  }
  // A short run of whole numbers (supervision steps) gets one tick each.
  const steps = xs.every(Number.isInteger) && x1 - x0 <= 20;
  const xTicks = steps ? Array.from({ length: x1 - x0 + 1 }, (_, i) => x0 + i) : niceTicks(x0, x1);
  for (const x of xTicks) {
    svg.append(
      s('text', { x: px(x), y: H - m.b + 12, class: 'tick', 'text-anchor': 'middle' }, tick(x)),
    );
  }
  if (opts.xLabel) {
    svg.append(
      s('text', { x: W - m.r, y: H - m.b + 24, class: 'tick', 'text-anchor': 'end' }, opts.xLabel),
    );
  }
  if (opts.threshold !== undefined) {
    const y = py(opts.threshold);
    svg.append(s('line', { x1: m.l, y1: y, x2: W - m.r, y2: y, class: 'threshold' }));
  }
  if (opts.markX !== undefined) {
    const x = px(opts.markX);
    svg.append(s('line', { x1: x, y1: m.t, x2: x, y2: H - m.b, class: 'mark' }));
  }
  series.forEach((ser, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const d = ser.points.map(
      ([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`,
    );
    svg.append(s('path', { d: d.join(''), stroke: colour, fill: 'none', 'stroke-width': 1.5 }));
    // Sparse series (evaluations every few hundred steps) need their points marked.
    if (opts.dots || ser.points.length <= 40) {
      for (const [x, y] of ser.points) {
        const current = x === opts.markX;
        svg.append(s('circle', { cx: px(x), cy: py(y), r: current ? 4.5 : 3, fill: colour }));
      }
    }
    const lx = m.l + (i % 2) * ((W - m.l) / 2);
    const ly = H - m.b + 28 + 14 * Math.floor(i / 2);
    svg.append(
      s('rect', { x: lx, y: ly - 8, width: 10, height: 3, fill: colour }),
      s('text', { x: lx + 14, y: ly - 3, class: 'legend' }, ser.label),
    );
  });
  return svg;
}
