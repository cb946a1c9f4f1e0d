// Run from the repo root: pnpm exec tsx --conditions=source packages/parity/examples/check.ts
import { selectBackend } from '@rrm/backend';
import { checkParity } from '@rrm/parity';

await selectBackend('auto'); // prints which backend it chose and why
const report = await checkParity(
  new URL('../../../../shared/parity/trm_edge_single_cycle', import.meta.url).pathname,
);
console.log(report.ok, report.eval, report.train, report.failures);
