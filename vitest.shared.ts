import { defineConfig } from 'vitest/config';

// Tests import workspace packages through their "source" export condition, so
// they run against TypeScript sources without a build step.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
