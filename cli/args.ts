/** A strict flag parser: unknown flags, missing values and malformed numbers are one-line InputErrors. */
import { InputError } from '../util/errors';

export interface FlagSpec {
  readonly [flag: string]: 'string' | 'int' | 'number' | 'bool';
}

export interface Parsed {
  flags: Record<string, string | number | boolean>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], spec: FlagSpec, command: string): Parsed {
  const flags: Parsed['flags'] = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (!kind) throw new InputError(`hypsim ${command}: unknown option --${name} (see hypsim ${command} --help)`);
    if (kind === 'bool') {
      if (inline !== undefined) throw new InputError(`hypsim ${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new InputError(`hypsim ${command}: --${name} needs a value`);
    if (kind === 'string') flags[name] = v;
    else {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) throw new InputError(`hypsim ${command}: --${name} must be ${kind === 'int' ? 'an integer' : 'a number'}, got "${v}"`);
      flags[name] = n;
    }
  }
  return { flags, positional };
}
