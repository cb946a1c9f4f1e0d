import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { shippedModels } from './shipped-models.ts';

export default defineConfig({
  // Relative asset URLs: the built folder works from any path, or any static server.
  base: './',
  plugins: [shippedModels(fileURLToPath(new URL('../../models/', import.meta.url)))],
  // Workspace packages resolve to their TypeScript sources (no package build needed).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // The TF.js backends are large by nature; each is its own lazily loaded chunk.
    chunkSizeWarningLimit: 2000,
  },
  // The training worker loads backends lazily too, which needs ES module workers.
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
});
