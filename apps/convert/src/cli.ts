#!/usr/bin/env node
/**
 * rrm-convert: a checkpoint for the other trainer. `--to torch` writes a reference run
 * folder (`step_N` in torch.save format + `all_config.yaml`) that the reference
 * `pretrain.py load_checkpoint=…` continues; `--to rrm` writes an rrm checkpoint folder
 * (`model.safetensors` + `config.json`) that rrm-eval, rrm-train init_from and the demo load.
 */
import { run } from './main.js';

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) =>
  process.exit(code),
);
