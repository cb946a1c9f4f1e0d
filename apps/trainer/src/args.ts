/**
 * Command line of rrm-train: options, then `key=value` overrides. Values are read as YAML
 * scalars or flow collections, so `lr=1e-4`, `ema=true`, `evaluators=[]` and
 * `data_paths=[data/a,data/b]` mean what they say.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, isPlainObject } from '@rrm/reasoning';
import YAML from 'yaml';

export interface TrainArgs {
  preset?: string;
  configFile?: string;
  overrides: Array<[string, unknown]>;
  out?: string;
  resume: boolean;
  backend: string;
  listPresets: boolean;
  help: boolean;
}

export const USAGE = `Usage: rrm-train [options] [key=value ...]

Trains HRM or TRM. With no arguments, trains the default small preset (TRM on generated
Sudoku, built on first use under data/) and prints the held-out exact accuracy.

Options:
  --preset NAME      start from a named preset (--list-presets shows them)
  --config FILE      YAML or JSON file layered over the preset (may name its own "preset")
  --out DIR          run folder: config, metrics, checkpoints, summary (default runs/<preset>-<time>)
  --resume           continue the run in --out from its latest checkpoint
  --backend NAME     auto | tensorflow | native | wasm | cpu (default auto)
  --list-presets     print the presets and exit
  -h, --help         this text

Overrides use the config's dotted keys: arch.L_cycles=6 lr=1e-4 global_batch_size=32`;

/** Parses an override's value as YAML, so numbers, booleans, null and lists keep their type. */
export function parseOverride(token: string): [string, unknown] {
  const eq = token.indexOf('=');
  if (eq <= 0) throw new ConfigError(`expected key=value, got "${token}"`);
  const key = token.slice(0, eq);
  const text = token.slice(eq + 1);
  try {
    return [key, YAML.parse(text)];
  } catch (e) {
    throw new ConfigError(
      `config key "${key}": cannot read value "${text}": ${(e as Error).message}`,
    );
  }
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  // pnpm forwards a bare `--` in `pnpm train -- ...`; it separates nothing here.
  const { values, positionals } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
      'list-presets': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    preset: values.preset,
    configFile: values.config,
    overrides: positionals.map(parseOverride),
    out: values.out,
    resume: values.resume,
    backend: values.backend,
    listPresets: values['list-presets'],
    help: values.help,
  };
}

/** Reads a config file; a top-level `preset` key names the preset it builds on. */
export function readConfigFile(path: string): { preset?: string; layer: Record<string, unknown> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new ConfigError(
      `config file ${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
    );
  }
  if (!isPlainObject(parsed))
    throw new ConfigError(`config file ${path}: expected a mapping at the top level`);
  const { preset, ...layer } = parsed;
  if (preset !== undefined && typeof preset !== 'string') {
    throw new ConfigError(`config file ${path}: key "preset" must be a preset name`);
  }
  return { preset: preset as string | undefined, layer };
}
