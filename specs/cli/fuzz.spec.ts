/**
 * Every subcommand × generated bad flags and bad files, through the CLI's own `main` in-process (the same
 * code the executable runs): exit 2, exactly one line on stderr, no stack trace, nothing on stdout.
 * specs/cli/process.spec.ts spawns the real executable for a representative few.
 */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import { traceFileFor, writeTraceFile } from '../../report/trace-file';
import { tmp, trampolineK1, runMain as run } from './helpers';

async function expectRefused(argv: string[], msg?: RegExp): Promise<void> {
  const r = await run(argv);
  const why = `hypsim ${argv.join(' ')} → ${r.code}: ${r.err.join(' | ')}`;
  expect([why, r.code]).toEqual([why, 2]);
  expect(r.err.join('\n').split('\n')).toHaveLength(1);
  expect(r.err[0]).not.toMatch(/\n|^\s+at |Error:/);
  expect(r.out).toEqual([]);
  if (msg) expect(r.err[0]).toMatch(msg);
}

const dir = tmp();
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const trace = join(dir, 'legacy.json');
beforeAll(() => {
  const sys = system({ design: 'legacy', layout: 'collide', cpus: 2 });
  const r = explore(sys);
  writeTraceFile(trace, traceFileFor(sys, { invariant: r.violation!.invariant, message: r.violation!.message }, r.violation!.trace));
});

/** Each subcommand with a valid start, and its flags by kind (what the fuzzer corrupts). */
const commands: Record<string, { base: () => string[]; ints: string[]; strings: string[]; bools: string[] }> = {
  explore: {
    base: () => ['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0'],
    ints: ['cpus', 'hotplug', 'vms', 'cpu-pm', 'max-states', 'max-memory'],
    strings: ['design', 'layout', 'strategy', 'trace-out', 'scenario'],
    bools: ['json', 'quiet', 'no-por'],
  },
  simulate: {
    base: () => ['simulate', '--design', 'trampoline', '--cpus', '2'],
    ints: ['cpus', 'hotplug', 'vms', 'seed'],
    strings: ['design', 'layout', 'trace-out'],
    bools: ['json', 'hotplug-from-boot'],
  },
  replay: { base: () => ['replay', trace], ints: ['cpus', 'hotplug', 'vms', 'cpu-pm'], strings: ['design', 'layout', 'tlb-scope'], bools: ['json', 'quiet'] },
  inspect: {
    base: () => ['inspect', '--design', 'trampoline', '--cpus', '2'],
    ints: ['cpus', 'port', 'seed', 'delay-ms'],
    strings: ['design', 'layout'],
    bools: ['live', 'stately'],
  },
  export: {
    base: () => ['export', '--format', 'dot', '--design', 'trampoline', '--cpus', '2'],
    ints: ['cpus', 'hotplug', 'seed'],
    strings: ['design', 'format', 'what', 'out'],
    bools: ['help'],
  },
  list: { base: () => ['list'], ints: [], strings: [], bools: ['help'] },
  demo: { base: () => ['demo'], ints: [], strings: [], bools: ['help'] },
};

const badInt = fc.oneof(
  fc.constantFrom('0x2', '1e1', ' 2', '2 ', '1e999', '2.5', '+2', 'NaN', '', '--', '4294967296000000000000'),
  fc.string().filter((s) => !/^-?\d+$/.test(s)),
);

/** One corruption of a valid command line. */
const corruption = (c: (typeof commands)[string]) =>
  fc.oneof(
    fc
      .stringMatching(/^[a-z][a-z-]{0,12}$/)
      .filter(
        (n) =>
          ![
            ...c.ints,
            ...c.strings,
            ...c.bools,
            'help',
            'hotplug-from-boot',
            'tlb-scope',
            'live',
            'stately',
            'json',
            'quiet',
            'no-por',
            'no-symmetry',
            'seed',
            'walks',
            'pct-depth',
            'max-seconds',
            'delay-ms',
            'machine',
            'what',
            'out',
          ].includes(n),
      )
      .map((n) => [`--${n}`]),
    ...(c.ints.length ? [fc.tuple(fc.constantFrom(...c.ints), badInt).map(([f, v]) => [`--${f}`, v])] : []),
    ...(c.ints.length ? [fc.constantFrom(...c.ints).map((f) => [`--${f}`, '1', `--${f}`, '1'])] : []),
    ...(c.strings.length ? [fc.constantFrom(...c.strings).map((f) => [`--${f}`])] : []),
    fc.constantFrom(...c.bools).map((f) => [`--${f}=1`]),
    fc.constantFrom('constructor', '__proto__', 'toString', '-z').map((f) => (f.startsWith('-') ? [f] : [`--${f}`])),
  );

describe('fuzz: every subcommand × generated bad flags → one line, exit 2', () => {
  test.each(Object.keys(commands))('%s', async (name) => {
    const c = commands[name];
    await fc.assert(
      fc.asyncProperty(corruption(c), fc.boolean(), async (bad, atEnd) => {
        const base = c.base();
        await expectRefused(atEnd ? [...base, ...bad] : [base[0], ...bad, ...base.slice(1)]);
      }),
      { numRuns: 60 },
    );
  });
  test.each([
    [['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--walks', '3'], /--walks does nothing under --strategy bfs/],
    [['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--seed', '3'], /--seed does nothing under --strategy bfs/],
    [
      ['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--strategy', 'random', '--pct-depth', '3'],
      /--pct-depth does nothing under --strategy random/,
    ],
    [['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--strategy', 'pct', '--no-por'], /--no-por does nothing under --strategy pct/],
    [
      ['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--strategy', 'random', '--seed', '4294967297'],
      /--seed must be an integer from 0 to 4294967295/,
    ],
    [
      ['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--max-memory', '99999999'],
      /--max-memory must be at most \d+ MB \(half the heap limit\)/,
    ],
    [['explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '0', '--tlb-scope', 'bogus'], /--tlb-scope must be volatile or all/],
    [['export', '--format', 'dot', '--what', 'states', '--design', 'legacy', '--cpus', '2', '--seed', '2'], /--seed does nothing with --what states/],
    [['list', 'extra'], /list takes no arguments/],
    [['demo', '--cpus', '2'], /unknown option --cpus/],
    [['help', 'me'], /unexpected argument "me"/],
  ])('%j', async (argv, msg) => expectRefused(argv as string[], msg));
  test('--help works for every subcommand, on stdout, exit 0', async () => {
    for (const name of Object.keys(commands)) {
      const r = await run([name, '--help']);
      expect([name, r.code, r.err]).toEqual([name, 0, []]);
      expect(r.out.join('\n')).toMatch(new RegExp(`^hypsim ${name}`));
    }
  });
  test('no command: the usage on stderr, nothing on stdout, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toMatch(/^hypsim — simulator/);
  });
});

describe('fuzz: bad input files → one line, exit 2, no hang', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const fifo = join(dir, 'fifo');
  const sub = join(dir, 'a-directory');
  beforeAll(() => {
    execFileSync('mkfifo', [fifo]);
    mkdirSync(sub);
  });
  const bad = () => [
    join(dir, 'missing.json'),
    sub,
    fifo,
    '/dev/zero',
    file('deep.json', `{"extends": ${deep(100_000)}}`),
    file('deep-object.json', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`),
    file('garbage.json', 'not json {'),
    file('array.json', '[1, 2]'),
    file('proto.json', '{"__proto__": {"polluted": true}, "constructor": 1}'),
    file('empty.json', ''),
  ];
  const slots: [string, (f: string) => string[]][] = [
    ['explore --design', (f) => ['explore', '--design', f, '--cpus', '2', '--hotplug', '0']],
    ['explore --layout', (f) => ['explore', '--design', 'trampoline', '--layout', f, '--cpus', '2', '--hotplug', '0']],
    ['explore --scenario', (f) => ['explore', '--design', 'trampoline', '--scenario', f, '--cpus', '2', '--hotplug', '0']],
    ['simulate --design', (f) => ['simulate', '--design', f, '--cpus', '2']],
    ['replay FILE', (f) => ['replay', f]],
    ['replay --design', (f) => ['replay', trace, '--design', f]],
    ['inspect FILE', (f) => ['inspect', f]],
    ['export FILE', (f) => ['export', '--format', 'mermaid', f]],
  ];
  test.each(slots)('%s', async (_slot, argv) => {
    for (const f of bad()) await expectRefused(argv(f));
  });
  test.each([
    ['a design whose defaultLayout is constructor', '{"defaultLayout": "constructor"}', /unknown layout "constructor"/],
    ['a design whose defaultLayout is __proto__', '{"defaultLayout": "__proto__"}', /unknown layout "__proto__"/],
    ['a design that extends toString', '{"extends": "toString"}', /extends must name a preset or mutant/],
    ['a design that extends __proto__', '{"extends": "__proto__"}', /extends must name a preset or mutant/],
    ['a design with a knob named __proto__', '{"__proto__": true}', /unknown knob "__proto__"/],
    ['a design named after a preset with other knobs', '{"name": "trampoline", "tlbi": "none"}', /has a preset's name but not its knobs/],
  ])('%s', async (_what, text, msg) => {
    await expectRefused(['explore', '--design', file('d.json', text), '--cpus', '2', '--hotplug', '0'], msg);
  });
  test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('--layout %s is an unknown layout', async (name) => {
    await expectRefused(['explore', '--design', 'trampoline', '--layout', name, '--cpus', '2', '--hotplug', '0'], new RegExp(`unknown layout "${name}"`));
  });
  test('a layout file with profile "constructor", a scenario payload nested 100k deep', async () => {
    await expectRefused(
      ['explore', '--design', 'trampoline', '--layout', file('l.json', '{"profile": "constructor"}'), '--cpus', '2', '--hotplug', '0'],
      /profile must be/,
    );
    await expectRefused(
      ['explore', ...trampolineK1, '--scenario', file('s.json', `{"steps": [{"actor": "hotplug", "event": "DOWN", "payload": {"cpu": ${deep(100_000)}}}]}`)],
      /JSON nested \d+ levels deep \(at most 64\)/,
    );
  });
  test('outputs are checked before the search: missing directory, a directory, a device', async () => {
    for (const [out, msg] of [
      [join(dir, 'no', 'such', 'x.json'), /does not exist/],
      [sub, /a directory/],
      ['/dev/full', /not a regular file/],
    ] as const) {
      await expectRefused(['explore', '--design', 'legacy', '--cpus', '2', '--hotplug', '0', '--trace-out', out], msg);
      await expectRefused(['simulate', '--design', 'legacy', '--cpus', '2', '--trace-out', out], msg);
      await expectRefused(['export', '--format', 'dot', '--what', 'states', '--design', 'legacy', '--cpus', '2', '--out', out], msg);
    }
  });
});
