/**
 * The strict, typed flag parser. A command declares its flags `as const`; the parse result is typed from
 * that table, so `flags.cpus` is a number and `flags.design` a string. Refused, each with one line:
 * unknown flags, a flag given twice, a missing or empty value, integers that are not plain decimal
 * (`0x2`, `1e1`, `" 2"`, `1e999`), seeds outside 0 … 2^32-1, a value to a switch.
 */
import { InputError } from '../util/errors';

/** `seed`: an integer from 0 to MAX_SEED, so no two seeds run the same (the PRNG keeps 32 bits). */
export type FlagKind = 'string' | 'int' | 'number' | 'bool' | 'seed';

export type FlagSpec = Readonly<Record<string, FlagKind>>;

export const MAX_SEED = 2 ** 32 - 1;

type ValueOf<K extends FlagKind> = K extends 'bool' ? boolean : K extends 'string' ? string : number;

/** The flags as given: absent ones are undefined. */
export type Flags<S extends FlagSpec> = { -readonly [N in keyof S]?: ValueOf<S[N]> };

export interface Parsed<S extends FlagSpec> {
  readonly flags: Flags<S>;
  readonly positional: readonly string[];
}

const DECIMAL_INT = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A flag value of kind `kind`, or a one-line InputError naming the flag. */
export function flagValue(command: string, name: string, kind: Exclude<FlagKind, 'bool'>, v: string): string | number {
  const bad = (what: string) => new InputError(`hypsim ${command}: --${name} must be ${what}, got ${JSON.stringify(v)}`);
  if (kind === 'string') {
    if (v === '') throw new InputError(`hypsim ${command}: --${name} needs a non-empty value`);
    return v;
  }
  if (kind === 'number') {
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n)) throw bad('a decimal number (like 2 or 0.5)');
    return n;
  }
  const n = Number(v);
  if (!DECIMAL_INT.test(v) || !Number.isSafeInteger(n)) throw bad(kind === 'seed' ? `an integer from 0 to ${MAX_SEED}` : 'a decimal integer');
  if (kind === 'seed' && (n < 0 || n > MAX_SEED)) throw bad(`an integer from 0 to ${MAX_SEED}`);
  return n;
}

export function parseArgs<const S extends FlagSpec>(argv: readonly string[], spec: S, command: string): Parsed<S> {
  const flags: Record<string, string | number | boolean> = {};
  const positional: string[] = [];
  const known = (name: string): FlagKind | undefined => (Object.hasOwn(spec, name) ? spec[name] : undefined);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' && known('help')) {
      flags.help = true;
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    if (!a.startsWith('--')) throw new InputError(`hypsim ${command}: unknown option ${a} (options start with --; see hypsim ${command} --help)`);
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const kind = known(name);
    if (!kind) throw new InputError(`hypsim ${command}: unknown option --${name} (see hypsim ${command} --help)`);
    if (Object.hasOwn(flags, name)) throw new InputError(`hypsim ${command}: --${name} is given twice`);
    if (kind === 'bool') {
      if (eq >= 0) throw new InputError(`hypsim ${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new InputError(`hypsim ${command}: --${name} needs a value`);
    flags[name] = flagValue(command, name, kind, v);
  }
  return { flags: flags as Flags<S>, positional };
}

/** Refuse flags that change nothing in this run (`why`: "under --strategy bfs"). */
export function refuseFlags(command: string, given: object, names: readonly string[], why: string): void {
  for (const n of names) if ((given as Record<string, unknown>)[n] !== undefined) throw new InputError(`hypsim ${command}: --${n} does nothing ${why}`);
}
