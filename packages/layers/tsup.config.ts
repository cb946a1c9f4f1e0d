import { defineConfig } from 'tsup';

// `#register-gradients` (package.json `imports`) stays an import, chosen per platform:
// bundlers get the static import of tfjs-core's gradient files, Node a copy of them with
// their relative imports resolved at build time (Node's ESM loader cannot resolve them).
const shared = { format: 'esm', sourcemap: true, external: ['#register-gradients'] } as const;

export default defineConfig([
  {
    ...shared,
    entry: ['src/index.ts', 'src/node.ts', 'src/register-gradients.ts'],
    dts: { entry: ['src/index.ts', 'src/node.ts'] },
    // The Node copy of the gradients (below) is built in parallel; cleaning must spare it.
    clean: ['**/*', '!register-gradients.node.js*'],
  },
  {
    ...shared,
    entry: { 'register-gradients.node': 'src/register-gradients.ts' },
    platform: 'node',
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  },
]);
