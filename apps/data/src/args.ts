/** A small argument parser: `--key value`, `--key=value`, boolean `--flag`, positionals; a bare `--` is ignored. */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Options that take a value. */
  values: string[];
  /** Options that are switches. */
  flags?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

export function parseArgs(argv: string[], spec: OptionSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (!arg.startsWith('--')) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.flags?.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--')))
        throw new UsageError(`--${name} needs a value`);
      out.values.set(name, value);
    } else {
      const known = [...spec.values, ...(spec.flags ?? [])].map((k) => `--${k}`).join(', ');
      throw new UsageError(`unknown option --${name} (known: ${known || 'none'})`);
    }
  }
  return out;
}

export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

export function requireOption(args: ParsedArgs, name: string): string {
  const v = args.values.get(name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}
