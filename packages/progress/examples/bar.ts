// Run from the repo root: pnpm exec tsx --conditions=source packages/progress/examples/bar.ts
import { Progress, peakRssMb } from '@rrm/progress';

const bar = new Progress({ total: 100, label: 'build' }); // draws on stderr
for (let i = 0; i < 100; i++) {
  await new Promise((resolve) => setTimeout(resolve, 5)); // some work
  bar.tick(1, { item: i });
}
bar.finish(`done, peak memory ${peakRssMb().toFixed(0)} MB`);
