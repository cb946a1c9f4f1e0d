import { createRequire } from 'node:module';

const a = createRequire(import.meta.url)('./build/Release/rrm_native.node');
const n = 2592 * 1024;
const x = new Float32Array(n).map(() => Math.random() * 4 - 2),
  o = new Float32Array(n);
for (const t of [1, 2]) {
  a.setThreads(t);
  for (const op of ['sigmoid', 'exp', 'tanh', 'neg', 'relu']) {
    const code = a.unaryOps.indexOf(op);
    for (let i = 0; i < 3; i++) a.unary(code, x, o, 0, 0);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) a.unary(code, x, o, 0, 0);
    const c = process.cpuUsage(c0);
    console.log(
      t,
      op.padEnd(8),
      ((performance.now() - t0) / 20).toFixed(2),
      'ms wall',
      ((c.user + c.system) / 20000).toFixed(2),
      'ms cpu',
    );
  }
}
