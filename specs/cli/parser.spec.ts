/** The typed flag parser, in-process: what a flag value may be, and everything it refuses. */
import fc from 'fast-check';
import { MAX_SEED, parseArgs, refuseFlags } from '../../cli/args';
import { InputError } from '../../util/errors';

const spec = { cpus: 'int', seed: 'seed', 'max-seconds': 'number', design: 'string', json: 'bool', help: 'bool' } as const;
const parse = (...argv: string[]) => parseArgs(argv, spec, 'test');
const refused = (argv: string[], msg: RegExp) => {
  expect(() => parse(...argv)).toThrow(InputError);
  expect(() => parse(...argv)).toThrow(msg);
};

describe('typed flags', () => {
  test('values come back typed: numbers, strings, switches, positionals', () => {
    const p = parse('--cpus', '3', '--design=trampoline', '--json', 'file.json', '--max-seconds', '0.5', '--seed', String(MAX_SEED));
    expect(p.flags).toEqual({ cpus: 3, design: 'trampoline', json: true, 'max-seconds': 0.5, seed: MAX_SEED });
    expect(p.positional).toEqual(['file.json']);
    const n: number | undefined = p.flags.cpus; // the compiler knows the type
    expect(n).toBe(3);
    expect(parse('--cpus', '-1').flags.cpus).toBe(-1); // range checks belong to the command
  });
  test.each(['0x2', '1e1', ' 2', '2 ', '1e999', '2.0', '+2', '', 'two', '0b1', 'Infinity', 'NaN', '９', '99999999999999999999'])(
    '--cpus %j is refused as not a decimal integer',
    (v) => {
      refused(['--cpus', v], /--cpus must be a decimal integer|--cpus needs a non-empty value/);
    },
  );
  test('every string that is not a plain decimal integer is refused; every safe decimal integer accepted', () => {
    fc.assert(
      fc.property(fc.string(), (v) => {
        const ok = /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v));
        if (ok) expect(parse('--cpus', v).flags.cpus).toBe(Number(v));
        else expect(() => parse('--cpus', v)).toThrow(/--cpus (must be a decimal integer|needs a value)/);
      }),
    );
  });
  test('seeds are 0 … 2^32-1: no two accepted seeds alias in the 32-bit PRNG', () => {
    expect(parse('--seed', '0').flags.seed).toBe(0);
    for (const v of ['4294967296', '4294967297', '-1', '1e3']) refused(['--seed', v], /--seed must be an integer from 0 to 4294967295/);
  });
  test('numbers are decimal: 1e999 is refused by name, not reported as null', () => {
    refused(['--max-seconds', '1e999'], /--max-seconds must be a decimal number \(like 2 or 0.5\), got "1e999"/);
    refused(['--max-seconds', '.5'], /--max-seconds must be a decimal number/);
  });
  test('unknown flags, duplicates, missing values, values to switches, single-dash options', () => {
    refused(['--cpu', '2'], /unknown option --cpu \(see hypsim test --help\)/);
    refused(['--constructor'], /unknown option --constructor/);
    refused(['--__proto__', 'x'], /unknown option --__proto__/);
    refused(['--cpus', '2', '--cpus', '3'], /--cpus is given twice/);
    refused(['--json', '--json'], /--json is given twice/);
    refused(['--cpus'], /--cpus needs a value/);
    refused(['--design', '--json'], /--design needs a value/);
    refused(['--json=yes'], /--json takes no value/);
    refused(['-x'], /unknown option -x/);
    expect(parse('-h').flags.help).toBe(true);
  });
  test('flags that would do nothing are refused by name', () => {
    expect(() => refuseFlags('explore', { walks: 3 }, ['walks'], 'under --strategy bfs')).toThrow('hypsim explore: --walks does nothing under --strategy bfs');
    expect(() => refuseFlags('explore', { walks: undefined }, ['walks'], 'under --strategy bfs')).not.toThrow();
  });
});
