import { createRequire } from 'node:module';

const a = createRequire(import.meta.url)('./build/Release/rrm_native.node');
const M = 2592,
  K = 128,
  N = 1024;
const x = new Float32Array(M * K).map(() => Math.random()),
  w = new Float32Array(K * N).map(() => Math.random()),
  o = new Float32Array(M * N);
for (const [m, n, k] of [
  [2592, 1024, 128],
  [2592, 128, 512],
  [4096, 512, 81],
]) {
  const xx = new Float32Array(m * k).fill(1),
    ww = new Float32Array(k * n).fill(1),
    oo = new Float32Array(m * n);
  for (let i = 0; i < 3; i++) a.matmul(xx, ww, oo, m, n, k, false, false, [0], [0]);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const reps = 20;
  for (let i = 0; i < reps; i++) a.matmul(xx, ww, oo, m, n, k, false, false, [0], [0]);
  const t = (performance.now() - t0) / reps;
  const c = process.cpuUsage(c0);
  const gf = (2 * m * n * k) / 1e9;
  console.log(
    `${m}x${n}x${k}: ${t.toFixed(2)} ms wall, ${((c.user + c.system) / 1000 / reps).toFixed(2)} ms cpu, ${((gf / t) * 1000).toFixed(0)} GFLOP/s wall, ${(gf / ((c.user + c.system) / 1e6 / reps)).toFixed(0)} GFLOP/s per cpu-s`,
  );
}
