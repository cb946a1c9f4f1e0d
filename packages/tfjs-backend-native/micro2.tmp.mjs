import { createRequire } from 'node:module';

const a = createRequire(import.meta.url)('./build/Release/rrm_native.node');
const n = 82944;
const x = new Float32Array(n).map(() => Math.random()),
  y = new Float32Array(n).map(() => Math.random()),
  o = new Float32Array(n);
function time(label, f, reps = 500) {
  for (let i = 0; i < 10; i++) f();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const t = (performance.now() - t0) / reps;
  const c = process.cpuUsage(c0);
  console.log(
    label.padEnd(20),
    (t * 1000).toFixed(0).padStart(8),
    'us wall',
    ((c.user + c.system) / reps).toFixed(0).padStart(8),
    'us cpu',
  );
}
const mul = a.binaryOps.indexOf('mul');
time('binary mul', () => a.binary(mul, x, y, o, [n], [1], [1]));
time('unary sigmoid', () => a.unary(a.unaryOps.indexOf('sigmoid'), x, o, 0, 0));
time('copy', () => a.copy(x, 0, [1], o, 0, [1], [n]));
time('js mul', () => {
  for (let i = 0; i < n; i++) o[i] = x[i] * y[i];
});
a.setThreads(1);
time('binary mul 1t', () => a.binary(mul, x, y, o, [n], [1], [1]));
time('unary sigmoid 1t', () => a.unary(a.unaryOps.indexOf('sigmoid'), x, o, 0, 0));
a.setThreads(2);
time('binary mul fresh', () => a.binary(mul, x, y, new Float32Array(n), [n], [1], [1]));
time('copy fresh', () => a.copy(x, 0, [1], new Float32Array(n), 0, [1], [n]));
time('js mul fresh', () => {
  const o = new Float32Array(n);
  for (let i = 0; i < n; i++) o[i] = x[i] * y[i];
});
time('binary mul fresh x2', () =>
  a.binary(mul, x, y, new Float32Array(n), [2, n / 2], [n / 2, 1], [n / 2, 1]),
);
