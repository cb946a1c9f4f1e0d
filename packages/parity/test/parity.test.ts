import '@tensorflow/tfjs-backend-cpu';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkParity } from '../src';

// The reference cases live next to the repository: <repo>/../shared/parity.
const casesDir = fileURLToPath(new URL('../../../../shared/parity', import.meta.url));
const cases = existsSync(casesDir)
  ? readdirSync(casesDir).filter((name) => existsSync(join(casesDir, name, 'config.json')))
  : [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('parity with the reference PyTorch HRM and TRM', () => {
  if (cases.length === 0) {
    it.skip(`needs the reference cases in ${casesDir}, which is missing`, () => {});
    return;
  }
  it.each(cases)('%s', async (name) => {
    const report = await checkParity(join(casesDir, name));
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
