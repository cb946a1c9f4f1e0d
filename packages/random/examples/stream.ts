// Run from the repo root: pnpm exec tsx --conditions=source packages/random/examples/stream.ts
import { Rng } from '@rrm/random';

const rng = new Rng(42);
console.log(rng.uniform(), rng.int(10), rng.normal()); // [0, 1), 0..9, N(0, 1)
const saved = rng.getState(); // plain JSON
const again = Rng.fromState(saved); // continues the same stream
console.log(again.permutation(5), rng.permutation(5)); // the same permutation twice
const child = rng.fork(7); // an independent stream, e.g. one per worker or dataset split
console.log(child.next());
