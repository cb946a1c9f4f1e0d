/**
 * ARC augmentation as the reference: a colour permutation that keeps 0 (black),
 * then one of the 8 dihedral transforms. The augmentation is written into the
 * puzzle name `id|||t<transform>|||<colour map>` so predictions can be mapped back.
 */

import { DIHEDRAL_INVERSE, dihedral, dihedralSource, type Grid } from '@rrm/puzzles';
import type { Rng } from '@rrm/random';
import type { ArcPair } from './task.js';

export const NAME_SEPARATOR = '|||';

export interface ArcAugmentation {
  /** Dihedral transform id 0..7 (reference ids). */
  transform: number;
  /** colours[c] = new colour of c; colours[0] = 0. */
  colours: Uint8Array;
}

export const IDENTITY_AUGMENTATION: ArcAugmentation = {
  transform: 0,
  colours: Uint8Array.from({ length: 10 }, (_, i) => i),
};

export function randomAugmentation(rng: Rng): ArcAugmentation {
  const transform = rng.int(8);
  const colours = new Uint8Array(10);
  colours.set(
    Array.from(rng.permutation(9), (c) => c + 1),
    1,
  );
  return { transform, colours };
}

export function augmentationName(id: string, aug: ArcAugmentation): string {
  return `${id}${NAME_SEPARATOR}t${aug.transform}${NAME_SEPARATOR}${aug.colours.join('')}`;
}

/** Split a puzzle name into the task id and its augmentation (null for an original). */
export function parseAugmentationName(name: string): {
  id: string;
  augmentation: ArcAugmentation | null;
} {
  if (!name.includes(NAME_SEPARATOR)) return { id: name, augmentation: null };
  const parts = name.split(NAME_SEPARATOR);
  const [t, colours] = parts.slice(-2);
  const transform = Number(t.slice(1));
  const map = Uint8Array.from(colours, Number);
  const valid =
    parts.length >= 3 &&
    /^t[0-7]$/.test(t) &&
    /^\d{10}$/.test(colours) &&
    map[0] === 0 &&
    new Set(map).size === 10;
  if (!valid)
    throw new Error(
      `puzzle name "${name}" does not end in |||t<0-7>|||<permutation of 0-9 keeping 0>`,
    );
  return { id: parts.slice(0, -2).join(NAME_SEPARATOR), augmentation: { transform, colours: map } };
}

export function applyAugmentation(g: Grid, aug: ArcAugmentation): Grid {
  return dihedral(g, aug.transform, aug.colours);
}

export function invertAugmentation(g: Grid, aug: ArcAugmentation): Grid {
  const inverse = new Uint8Array(10);
  aug.colours.forEach((to, from) => {
    inverse[to] = from;
  });
  // Recolouring is per cell, so it commutes with moving cells.
  return dihedral(g, DIHEDRAL_INVERSE[aug.transform], inverse);
}

/** Two 32-bit hashes of a grid after augmentation, computed without building it. */
function augmentedHash(g: Grid, aug: ArcAugmentation): string {
  const source = dihedralSource(g.rows, g.cols, aug.transform);
  const shape =
    aug.transform === 1 || aug.transform === 3 || aug.transform >= 6
      ? g.cols * 64 + g.rows
      : g.rows * 64 + g.cols;
  let h1 = 0x811c9dc5 ^ shape;
  let h2 = Math.imul(shape, 0x9e3779b1);
  for (let k = 0; k < source.length; k++) {
    const v = aug.colours[g.data[source[k]]];
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ (v + k), 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}`;
}

/**
 * A content key of a set of pairs under an augmentation, independent of pair order
 * (the reference hashes puzzles with sha256; 64 bits suffice to tell a task's variants apart).
 */
export function pairsKey(pairs: ArcPair[], aug: ArcAugmentation): string {
  return pairs
    .map((p) => `${augmentedHash(p.input, aug)}|${p.output ? augmentedHash(p.output, aug) : ''}`)
    .sort()
    .join(',');
}

/** The reference retries up to 5 * numAug random draws to find numAug distinct variants. */
export const AUGMENT_RETRIES_FACTOR = 5;

/**
 * The identity followed by up to `numAug` augmentations whose puzzles differ in
 * content from each other and from the original (duplicates dropped).
 */
export function chooseAugmentations(pairs: ArcPair[], numAug: number, rng: Rng): ArcAugmentation[] {
  const chosen = [IDENTITY_AUGMENTATION];
  if (numAug <= 0) return chosen;
  const seen = new Set([pairsKey(pairs, IDENTITY_AUGMENTATION)]);
  for (
    let trial = 0;
    trial < AUGMENT_RETRIES_FACTOR * numAug && chosen.length < numAug + 1;
    trial++
  ) {
    const aug = randomAugmentation(rng);
    const key = pairsKey(pairs, aug);
    if (seen.has(key)) continue;
    seen.add(key);
    chosen.push(aug);
  }
  return chosen;
}
