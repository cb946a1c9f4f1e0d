/**
 * The versions of a task a model answers at test time. Their answers, mapped back through
 * each version's augmentation, vote for the task's attempts (ArcEvaluator).
 */
import { Rng } from '@rrm/random';
import {
  type ArcAugmentation,
  augmentationName,
  chooseAugmentations,
  IDENTITY_AUGMENTATION,
  parseAugmentationName,
} from './augment.js';
import type { ArcTask } from './task.js';

export interface ArcVariant {
  /** The puzzle name: the task id, then `|||t<transform>|||<colours>` for an augmentation. */
  name: string;
  /** The model's puzzle identifier: the name's index in identifiers.json, or 0 (blank). */
  identifier: number;
  augmentation: ArcAugmentation;
}

export interface ArcVariants {
  variants: ArcVariant[];
  /** True when the identifiers came from the model's training data (learned embeddings). */
  learned: boolean;
}

/**
 * With the identifiers.json of the data the model was trained on, the task's variants named
 * there, each with its identifier, so the model sees the puzzle embeddings it learned for
 * them. Without it, or for a task not in it: the original and up to `numAug` distinct
 * augmentations drawn from `seed` as a dataset build draws them, all under the blank
 * identifier 0 (no learned embedding).
 */
export function arcTestVariants(
  task: ArcTask,
  options: { identifiers?: readonly string[] | null; numAug: number; seed: number },
): ArcVariants {
  const named: ArcVariant[] = [];
  options.identifiers?.forEach((name, identifier) => {
    if (identifier === 0) return;
    const { id, augmentation } = parseAugmentationName(name);
    if (id === task.id)
      named.push({ name, identifier, augmentation: augmentation ?? IDENTITY_AUGMENTATION });
  });
  if (named.length > 0) return { variants: named, learned: true };
  const augs = chooseAugmentations(
    [...task.train, ...task.test],
    options.numAug,
    new Rng(options.seed),
  );
  return {
    variants: augs.map((augmentation, i) => ({
      name: i === 0 ? task.id : augmentationName(task.id, augmentation),
      identifier: 0,
      augmentation,
    })),
    learned: false,
  };
}
