import type { TensorRecord } from '@rrm/layers';
import type { DataKeys } from '@rrm/reasoning';
import type { ModelKind } from './reference-config';

/**
 * The dataset keys a checkpoint's tensors pin down: `vocab_size` (token embedding rows),
 * `num_puzzle_identifiers` (puzzle table rows) and, where a parameter spans the sequence
 * (learned positions, TRM's token-mixing MLP), `seq_len`. With RoPE or no position
 * encoding `seq_len` is left open: the dataset says it.
 */
export function dataKeysFromWeights(
  model: ModelKind,
  arch: Record<string, unknown>,
  tensors: ReadonlyMap<string, TensorRecord>,
): Partial<DataKeys> {
  const find = (suffix: string) => {
    for (const [k, t] of tensors) if (k === suffix || k.endsWith(`.${suffix}`)) return t;
    return undefined;
  };
  const out: Partial<DataKeys> = {};
  const tokens = find('inner.embed_tokens.embedding_weight');
  if (tokens) out.vocab_size = tokens.shape[0];
  const table = find('inner.puzzle_emb.weights');
  out.num_puzzle_identifiers = table ? table.shape[0] : 1;
  const ndim = Number(arch.puzzle_emb_ndim ?? 0);
  const hidden = Number(arch.hidden_size);
  const stated = model === 'trm' ? Number(arch.puzzle_emb_len ?? 16) : 0;
  const prefixLen = ndim === 0 ? 0 : stated > 0 ? stated : Math.ceil(ndim / hidden);
  const span =
    find('inner.embed_pos.embedding_weight') ??
    find('inner.L_level.layers.0.mlp_t.down_proj.weight');
  if (span) out.seq_len = span.shape[0] - prefixLen;
  return out;
}
