// A small flag parser for plens: `--name value`, `--name=value`, boolean `--flag`, and positionals.
// Unknown flags are usage errors, so a typo never silently changes a result.
import { UsageError } from './io';

export interface FlagSpec {
  /** Flags that take a value. */
  values: readonly string[];
  /** Flags that are on or off. */
  switches: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(2, eq) : arg.slice(2)).toLowerCase();
    if (spec.switches.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      parsed.switches.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      parsed.values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return parsed;
}

/** A decimal as people write one: 12, 0.5, 1e-3. Not 0x10, 0b1, 1_000, Infinity or an empty string. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A whole number in plain digits (so 1e308 nodes is refused as not whole rather than read as a float). */
const WHOLE = /^\+?\d+$/;

/** A finite decimal number within its rule, or a usage error naming the flag. */
export function numberFlag(parsed: ParsedArgs, name: string, fallback: number, rule: { integer?: boolean; min?: number; max?: number } = {}): number {
  const text = parsed.values.get(name);
  if (text === undefined) return fallback;
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) throw new UsageError(`--${name} must be a decimal number, got "${text}"`);
  const value = Number(trimmed);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a finite number, got "${text}"`);
  if (rule.integer && (!WHOLE.test(trimmed) || !Number.isSafeInteger(value))) throw new UsageError(`--${name} must be a whole number in digits, got "${text}"`);
  if (rule.min !== undefined && value < rule.min) throw new UsageError(`--${name} must be at least ${rule.min}, got ${text}`);
  if (rule.max !== undefined && value > rule.max) throw new UsageError(`--${name} must be at most ${rule.max}, got ${text}`);
  return value;
}
