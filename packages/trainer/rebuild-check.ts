import { buildSudokuDataset } from '@rrm/puzzles/node';
import { resolveConfig, sudokuBuildOptions } from './src/index.js';

const cfg = resolveConfig({ preset: process.argv[2] });
const t0 = Date.now();
buildSudokuDataset(process.argv[3], sudokuBuildOptions(cfg.build_data!));
console.log('built in', (Date.now() - t0) / 1000, 's');
