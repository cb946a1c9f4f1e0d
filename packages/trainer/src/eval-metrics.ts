/**
 * Evaluation bookkeeping on plain arrays: how the answers improve with each supervision
 * step, and when the model would have halted. Sequences without a labelled token (padding
 * of the last test batch) are left out, as the reference loss head leaves them out.
 */
import { IGNORE_LABEL_ID } from '@rrm/puzzles';

export interface StepMetrics {
  /** Supervision step, 1-based. */
  step: number;
  /** Labelled tokens predicted right / labelled tokens. */
  accuracy: number;
  /** Sequences with every labelled token right / sequences with a labelled token. */
  exact_accuracy: number;
}

export interface HaltingStats {
  /**
   * Mean of the first step at which the model's halting rule says stop (`haltLogit` of
   * @rrm/act: q_halt > 0 for TRM, q_halt > q_continue for HRM; halt_max_steps if never).
   */
  mean_halt_step: number;
  /** histogram[k-1] = sequences that would halt at step k. */
  histogram: number[];
}

export interface SetEvalMetrics {
  /** Sequences scored (those with at least one labelled token). */
  count: number;
  accuracy: number;
  exact_accuracy: number;
  /** Fraction of sequences whose final q_halt sign agrees with being exactly right. */
  q_halt_accuracy: number;
  /** One entry per supervision step. */
  by_step: StepMetrics[];
  halting: HaltingStats;
}

/** Accumulates one dataset set's predictions step by step. */
export class SetEvalAccumulator {
  private tokensRight: number[] = [];
  private exactRight: number[] = [];
  private tokens = 0;
  private sequences = 0;
  private qHaltRight = 0;
  private haltHistogram: number[];

  constructor(private readonly haltMaxSteps: number) {
    this.haltHistogram = new Array(haltMaxSteps).fill(0);
  }

  /**
   * One test batch: `predsByStep[k]` [B*S] argmax predictions after step k+1, `labels`
   * [B*S], and after step k+1 the heads [B]: `qHalt[k]` (scored against being right, as
   * the reference scores q_halt_accuracy) and `haltLogit[k]` (> 0 where the model's rule
   * stops).
   */
  addBatch(
    predsByStep: Int32Array[],
    heads: { qHalt: Float32Array[]; haltLogit: Float32Array[] },
    labels: Int32Array,
    seqLen: number,
  ): void {
    const batch = labels.length / seqLen;
    const steps = predsByStep.length;
    while (this.tokensRight.length < steps) {
      this.tokensRight.push(0);
      this.exactRight.push(0);
    }
    for (let b = 0; b < batch; b++) {
      const base = b * seqLen;
      let labelled = 0;
      for (let i = base; i < base + seqLen; i++) if (labels[i] !== IGNORE_LABEL_ID) labelled++;
      if (labelled === 0) continue;
      this.sequences++;
      this.tokens += labelled;
      let exactAtEnd = false;
      for (let k = 0; k < steps; k++) {
        const preds = predsByStep[k];
        let right = 0;
        for (let i = base; i < base + seqLen; i++)
          if (labels[i] !== IGNORE_LABEL_ID && preds[i] === labels[i]) right++;
        this.tokensRight[k] += right;
        if (right === labelled) this.exactRight[k]++;
        exactAtEnd = right === labelled;
      }
      let haltStep = steps;
      for (let k = 0; k < steps; k++) {
        if (heads.haltLogit[k][b] > 0) {
          haltStep = k + 1;
          break;
        }
      }
      this.haltHistogram[Math.min(haltStep, this.haltMaxSteps) - 1]++;
      if (heads.qHalt[steps - 1][b] > 0 === exactAtEnd) this.qHaltRight++;
    }
  }

  result(): SetEvalMetrics {
    const n = Math.max(this.sequences, 1);
    const t = Math.max(this.tokens, 1);
    const byStep = this.tokensRight.map((right, k) => ({
      step: k + 1,
      accuracy: right / t,
      exact_accuracy: this.exactRight[k] / n,
    }));
    const last = byStep[byStep.length - 1] ?? { accuracy: 0, exact_accuracy: 0 };
    const meanHalt = this.haltHistogram.reduce((s, c, k) => s + c * (k + 1), 0) / n;
    return {
      count: this.sequences,
      accuracy: last.accuracy,
      exact_accuracy: last.exact_accuracy,
      q_halt_accuracy: this.qHaltRight / n,
      by_step: byStep,
      halting: { mean_halt_step: meanHalt, histogram: [...this.haltHistogram] },
    };
  }
}
