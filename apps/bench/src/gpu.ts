#!/usr/bin/env node
// `pnpm bench:gpu [--steps 5] [--batches 32,768]`: issue 18's check on a machine with a
// GPU. Prints the WebGPU adapter, runs parity on every case in ../shared/parity on
// webgpu, then times the TRM-MLP and attention training steps of rrm-bench on webgpu
// beside the PyTorch step on CUDA (when PYTHON imports a torch that sees a GPU), as a
// markdown table. Each run is its own process, so a batch that does not fit fails alone.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '@rrm/backend';
import { checkParity } from '@rrm/parity';
import { bench, python, pythonCan, type Row, torch, WORKLOADS } from './runners';

const PARITY = fileURLToPath(new URL('../../../../shared/parity', import.meta.url));

async function parity(): Promise<boolean> {
  if (!existsSync(PARITY)) {
    console.log(`parity: skipped, ${PARITY} is missing`);
    return true;
  }
  let ok = true;
  for (const name of readdirSync(PARITY).filter((n) =>
    existsSync(join(PARITY, n, 'config.json')),
  )) {
    const r = await checkParity(join(PARITY, name));
    ok &&= r.ok;
    const worst = `logits ${r.eval.logits.toExponential(1)}, losses ${r.train.losses.toExponential(1)}, grads ${r.train.grads.toExponential(1)}`;
    console.log(`parity ${name}: ${r.ok ? 'ok' : `FAILED ${r.failures.join('; ')}`} (${worst})`);
  }
  return ok;
}

/** A run's median ms/step, or why it failed (out of memory, say), for the table. */
function attempt(f: () => Row): { ms?: number; note: string } {
  try {
    const r = f();
    return { ms: r.ms_per_step, note: `${r.ms_per_step}` };
  } catch (e) {
    return {
      note: `failed: ${String((e as Error).message)
        .split('\n')[0]
        .slice(0, 80)}`,
    };
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '5' },
      batches: { type: 'string', default: '32,768' },
    },
  });
  const steps = Number(values.steps);
  const batches = values.batches.split(',').map(Number);
  // Prints the adapter; fails saying why when there is none. Parity reads with await only.
  await selectBackend('webgpu', { asyncReads: true });
  const cuda = pythonCan('import torch; assert torch.cuda.is_available()');
  if (!cuda) console.log(`PyTorch on CUDA: not available (${python}), webgpu timed alone`);
  const parityOk = await parity();

  console.log('\n| Workload | batch | webgpu ms/step | PyTorch CUDA ms/step | webgpu / PyTorch |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, workload] of Object.entries(WORKLOADS)) {
    for (const batch of batches) {
      const flags = `${workload} --batch ${batch}`;
      const gpu = attempt(() => bench('webgpu', flags, steps));
      const ref = cuda ? attempt(() => torch(flags, steps, { device: 'cuda' })) : { note: '–' };
      const ratio =
        gpu.ms !== undefined && 'ms' in ref && ref.ms !== undefined
          ? `${(gpu.ms / ref.ms).toFixed(2)}×`
          : '–';
      console.log(`| ${name} | ${batch} | ${gpu.note} | ${ref.note} | ${ratio} |`);
    }
  }
  return parityOk ? 0 : 1;
}

process.exitCode = await main();
