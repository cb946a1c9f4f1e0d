import { swigluInner } from '@rrm/layers';
import type { BenchOptions } from './args';
import { benchConfig, VOCAB } from './bench';

// Multiply-adds of an [m, k] x [k, n] product, counted as 2 FLOPs each.
const mm = (m: number, k: number, n: number) => 2 * m * k * n;

/** One SwiGLU over rows of width `d`: the packed gate-and-up projection, then the down one. */
const swiglu = (rows: number, d: number, expansion: number) => {
  const f = swigluInner(d, expansion);
  return mm(rows, d, 2 * f) + mm(rows, f, d);
};

/**
 * The matmul FLOPs of one reasoning block over B sequences of S tokens of width D: token
 * mixing (attention: the packed q/k/v projection, scores, values and output projection;
 * TRM's mlp_t: a SwiGLU along the sequence), then the channel SwiGLU.
 */
function blockFlops(o: BenchOptions): number {
  const { batch: B, seq: S, hidden: D } = o;
  const expansion = benchConfig(o).expansion as number;
  const mixing = o.mlpT
    ? swiglu(B * D, S, expansion)
    : mm(B * S, D, 3 * D) + 2 * mm(B * S, S, D) + mm(B * S, D, D);
  return mixing + swiglu(B * S, D, expansion);
}

/**
 * The matmul FLOPs of one supervision step of the bench's model, counted from its
 * config: every net application of the recursion, plus the heads; in training the
 * backward pass costs twice the forward of what it goes through (TRM: the last cycle,
 * L_cycles + 1 applications; HRM: its last L and last H update), and HRM's Q-learning
 * target is one more forward pass of the whole recursion. Elementwise work, norms and
 * softmax are left out: they are not FMAs.
 */
export function stepFlops(o: BenchOptions): number {
  const block = blockFlops(o);
  const net = (layers: number) => layers * block;
  const tokens = o.batch * o.seq;
  const heads = mm(tokens, o.hidden, VOCAB) + mm(o.batch, o.hidden, 2);
  let forward: number;
  let graded: number;
  if (o.model === 'trm') {
    forward = o.hCycles * (o.lCycles + 1) * net(o.layers);
    graded = (o.lCycles + 1) * net(o.layers);
  } else {
    forward = o.hCycles * (o.lCycles * net(o.layers) + net(o.hLayers));
    graded = net(o.layers) + net(o.hLayers);
  }
  forward += heads;
  if (o.mode === 'eval') return forward;
  const qTarget = o.model === 'hrm' ? forward : 0;
  return forward + 2 * (graded + heads) + qTarget;
}
