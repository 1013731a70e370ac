/** The Jest matchers: verdicts, `.not`, options, and failure messages a kernel engineer can read on their own. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { system, type System } from 'hypsim';
import { hypsimMatchers, registered } from 'hypsim/jest';
import { joined } from '../regexp';

/** The failure message of an expectation (it must fail). */
function failure(run: () => void): string {
  try {
    run();
  } catch (e) {
    // Strip colours: Jest's matcherHint colours the hint.
    return stripVTControlCharacters((e as Error).message);
  }
  throw new Error('the expectation passed');
}

const legacy = system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 });
const trampoline = system({ design: 'trampoline', cpus: 2, hotplug: 1, vms: 1 });

describe('registration', () => {
  test("import 'hypsim/jest' extends Jest's expect; the matchers are exported for other runners", () => {
    expect(registered).toBe(true);
    expect(Object.keys(hypsimMatchers).sort()).toEqual(['toBeViolatedBy', 'toHoldInAllInterleavings']);
    expect(typeof (expect(legacy) as unknown as Record<string, unknown>).toHoldInAllInterleavings).toBe('function');
  });
});

describe('toHoldInAllInterleavings', () => {
  test('passes when every interleaving holds', () => {
    expect(trampoline).toHoldInAllInterleavings();
  });

  test('fails with the shortest counterexample as a per-CPU timeline that names the stale entry', () => {
    const m = failure(() => expect(legacy).toHoldInAllInterleavings());
    const lines = m.split('\n');
    expect(lines[0]).toBe('expect(system).toHoldInAllInterleavings() // legacy on collide, 2 CPUs, hotplug K=0, 0 VMs');
    expect(m).toContain('Expected every interleaving to hold every invariant, but one breaks wrong-translation:');
    // verdict, invariant and message, system
    expect(m).toContain('✗ wrong-translation after 24 steps: legacy on collide, 2 CPUs, hotplug K=0, 0 VMs');
    expect(m).toContain('  cpu0 ACCESS at VA 0x80208000 got PA 0x80208000 (init page) from a stale TLB entry; expected stack cpu0 at PA 0xc0208000');
    expect(m).toContain('  invariant wrong-translation: every access gets the PA its step expects');
    expect(m).toMatch(/found by bfs \(POR\): \d+ states, \d+ transitions, [\d.]+ s — a shortest counterexample; replay\(system, trace\) re-executes it/);
    // the timeline of the actors involved (cpu0 and the kernel that drove it): the page table walked, the stale entry and where it came from
    expect(m).toMatch(/step {2}kern cpu0 {2}actor {4}event/);
    expect(m).toMatch(/ {4}8 {2}· {4}● {5}cpu0 {5}SET_STACK +fetch VA 0x80208000: TLB miss, walk hyp_pgd → PA 0x80208000 \(init page\), cached/);
    expect(m).toMatch(/kernel +KVM_CLEAR_HYP_IDMAP +hyp_pgd: unmap idmap VA 0x80208000/);
    expect(m).toMatch(
      joined(
        / {3}24 {2}· {4}✗ {5}cpu0 {5}ACCESS +HYP uses stack cpu0 — VA 0x80208000: TLB hit → PA 0x80208000 \(init page\) — STALE entry, /,
        /cached at step 8 through hyp_pgd; hyp_pgd now gives PA 0xc0208000 \(stack cpu0\) ✗ wrong-translation/,
      ),
    );
    expect(m).not.toMatch(/^ +\d+ .* cpu1 +SET_STACK/m);
    expect(m).toContain('(7 steps of cpu1 not shown: not involved in this violation)');
  });

  test("timeline: 'full' or HYPSIM_FULL_TIMELINE=1 shows every actor's steps; the option wins over the variable", () => {
    const full = failure(() => expect(legacy).toHoldInAllInterleavings({ timeline: 'full' }));
    expect(full).toMatch(/step {2}kern cpu0 cpu1 hplg {2}actor {4}event/);
    expect(full).toMatch(/ {3}17 {2}· {4}· {4}● {4}· {5}cpu1 {5}SET_STACK/);
    expect(full).not.toContain('not shown');
    const before = process.env.HYPSIM_FULL_TIMELINE;
    try {
      process.env.HYPSIM_FULL_TIMELINE = '1';
      expect(failure(() => expect(legacy).toHoldInAllInterleavings())).toMatch(/step {2}kern cpu0 cpu1 hplg {2}actor/);
      expect(failure(() => expect(legacy).toHoldInAllInterleavings({ timeline: 'involved' }))).toMatch(/step {2}kern cpu0 {2}actor/);
    } finally {
      if (before === undefined) delete process.env.HYPSIM_FULL_TIMELINE;
      else process.env.HYPSIM_FULL_TIMELINE = before;
    }
  });

  test('.not passes on a violation and fails on a verified system, saying it was verified', () => {
    expect(legacy).not.toHoldInAllInterleavings();
    const m = failure(() => expect(trampoline).not.toHoldInAllInterleavings());
    expect(m).toContain('expect(system).not.toHoldInAllInterleavings()');
    expect(m).toContain('Expected some interleaving to break an invariant, but none does.');
    expect(m).toMatch(
      joined(
        /✓ verified: every interleaving of trampoline on collide, 2 CPUs, hotplug K=1, 1 VM holds every invariant\n {2}searched by bfs /,
        /\((symmetry \+ )?POR\): \d+ states/,
      ),
    );
  });

  test('an incomplete search proves nothing: it fails with and without .not', () => {
    const big = system({ design: 'trampoline', cpus: 3, hotplug: 2, vms: 1 });
    for (const run of [
      () => expect(big).toHoldInAllInterleavings({ maxStates: 100, por: false }),
      () => expect(big).not.toHoldInAllInterleavings({ maxStates: 100, por: false }),
    ]) {
      const m = failure(run);
      expect(m).toContain('The search decided nothing (incomplete).');
      expect(m).toContain(
        '… incomplete: trampoline on collide, 3 CPUs, hotplug K=2, 1 VM — stopped by max-states with no violation found; nothing is ' + 'proven',
      );
    }
    const m = failure(() => expect(trampoline).toHoldInAllInterleavings({ strategy: 'random', walks: 5 }));
    expect(m).toContain('random and pct sample interleavings and never prove their absence');
  });

  test('options pass through to explore(): strategy, reductions, seed', () => {
    expect(failure(() => expect(legacy).toHoldInAllInterleavings({ symmetry: false, por: false }))).toMatch(/found by bfs \(no reduction\)/);
    expect(failure(() => expect(legacy).toHoldInAllInterleavings({ strategy: 'dfs' }))).toMatch(/found by dfs \(POR\)/);
    const m = failure(() =>
      expect(system({ design: 'legacy', layout: 'collide', cpus: 3, hotplug: 1 })).toHoldInAllInterleavings({ strategy: 'pct', seed: 3 }),
    );
    expect(m).toMatch(
      joined(
        /found by pct \(POR, seed 3\): .*; replay\(system, trace\) re-executes it\n {2}found in run \d+ \(seed 3, depth 3\): \d+ steps, /,
        /shrunk \d+ times? to \d+ steps\n {2}reproduce: explore\(system, \{ strategy: 'pct', seed: 3, walks: \d+, pctDepth: 3 \}\)/,
      ),
    );
    expect(legacy).not.toHoldInAllInterleavings({ strategy: 'random', seed: 1 });
  });

  test('anything but a System is refused with a clear message', () => {
    expect(failure(() => expect({ design: 'legacy' }).toHoldInAllInterleavings())).toMatch(
      /the value must be a hypsim System, from system\(\{ design, layout, cpus, hotplug, vms \}\) or system\(\{ spec \}\)\nReceived: \{"design": "legacy"\}/,
    );
  });
});

describe('toBeViolatedBy', () => {
  test('passes iff the violation found is exactly that invariant', () => {
    expect(legacy).toBeViolatedBy('wrong-translation');
    expect(system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 })).toBeViolatedBy('use-after-free');
  });

  test('fails on a verified system, saying so', () => {
    const m = failure(() => expect(trampoline).toBeViolatedBy('wrong-translation'));
    expect(m.split('\n')[0]).toBe('expect(system).toBeViolatedBy("wrong-translation") // trampoline on collide, 2 CPUs, hotplug K=1, 1 VM');
    expect(m).toContain('Expected a violation of wrong-translation, but every interleaving holds every invariant:');
    expect(m).toContain('✓ verified');
  });

  test('fails when another invariant breaks first, shows it, and says whether the wanted one is reachable at all', () => {
    const fbp = system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 });
    const m = failure(() => expect(fbp).toBeViolatedBy('wrong-translation'));
    expect(m).toContain(
      'Expected a violation of wrong-translation, but the explorer found use-after-free first (wrong-translation itself holds in every ' +
        'interleaving, even ignoring the other invariants):',
    );
    expect(m).toContain('✗ use-after-free after 39 steps: free-boot-pgd on collide, 2 CPUs, hotplug K=1, 0 VMs');
    expect(m).toMatch(
      /cpu0 +ERET +fetch VA 0x80208000: TLB miss, walk of boot_hyp_pgd, which was freed \(HTTBR = virt_to_phys\(NULL\): not a page table\) ✗ use-after-free/,
    );
    const legacyK1 = system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 1 });
    expect(failure(() => expect(legacyK1).toBeViolatedBy('init-completes'))).toMatch(
      joined(
        /found wrong-translation first \(init-completes is reachable too, ignoring the other invariants: \d+ steps at the shortest — but /,
        /wrong-translation comes first, after 24 steps\)/,
      ),
    );
  });

  test('.not passes iff no interleaving breaks it, even one that breaks something else first', () => {
    expect(trampoline).not.toBeViolatedBy('wrong-translation');
    expect(system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 })).not.toBeViolatedBy('wrong-translation');
    const m = failure(() => expect(system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 1 })).not.toBeViolatedBy('init-completes'));
    expect(m).toContain('Expected no interleaving to break init-completes, but one does (another invariant breaks earlier):');
    expect(m).toContain('✗ init-completes after');
    const n = failure(() => expect(legacy).not.toBeViolatedBy('wrong-translation'));
    expect(n).toContain('Expected no interleaving to break wrong-translation, but this one does:');
    expect(n).toContain('STALE entry');
  });

  test('an unknown invariant id is a mistake in the test, named with the ids there are', () => {
    expect(failure(() => expect(legacy).toBeViolatedBy('wrong-translaton'))).toMatch(
      /"wrong-translaton" is not an invariant of this system \(translation-fault, wrong-translation, use-after-free, runtime-state, init-completes/,
    );
    // A mistake fails with and without .not (it is not a verdict either way).
    expect(failure(() => expect(legacy).not.toBeViolatedBy('wrong-translaton'))).toMatch(/"wrong-translaton" is not an invariant of this system/);
    expect(failure(() => expect(42).not.toHoldInAllInterleavings())).toMatch(/the value must be a hypsim System/);
  });
});

describe('TypeScript: the matchers are typed for users', () => {
  const root = join(__dirname, '..', '..');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

  test('the specs written against the public API type-check (specs/tsconfig.json resolves hypsim through package.json exports)', () => {
    const r = spawnSync(process.execPath, [tsc, '-p', join(__dirname, '..', 'tsconfig.json')], { encoding: 'utf8', cwd: root });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('misuse is a type error: a number for an invariant id, an unknown option, a matcher without the import', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hypsim-types-'));
    const file = (name: string, text: string) => writeFileSync(join(dir, name), text);
    file('tsconfig.json', JSON.stringify(userTsconfig(root, ['use.ts'])));
    file(
      'use.ts',
      [
        "import { system, scenario, forAllInterleavings, type HypEvents, type Memory } from 'hypsim';",
        "import 'hypsim/jest';",
        "const sys = system({ design: 'legacy', layout: 'collide', cpus: 2 });",
        "expect(sys).toBeViolatedBy('wrong-translation', { strategy: 'dfs', maxStates: 1000 });",
        'expect(sys).not.toHoldInAllInterleavings({ symmetry: false, por: false });',
        "expect(sys).toHoldInAllInterleavings({ scenario: scenario<HypEvents>().then('hotplug', 'DOWN', { cpu: 1 }) });",
        'forAllInterleavings<Memory>(sys, (s) => s.memory.kvmUp || !s.actors.cpu0.matches("runtime"));',
        '// @ts-expect-error an invariant id is a string',
        'expect(sys).toBeViolatedBy(42);',
        '// @ts-expect-error no such strategy',
        "expect(sys).toHoldInAllInterleavings({ strategy: 'exhaustive' });",
        '// @ts-expect-error no such option',
        'expect(sys).toHoldInAllInterleavings({ maxState: 10 });',
        '// @ts-expect-error the kernel has no such event',
        "scenario<HypEvents>().then('kernel', 'FREE_PGD');",
        '// @ts-expect-error memory is typed',
        'forAllInterleavings<Memory>(sys, (s) => s.memory.kvmDown);',
      ].join('\n'),
    );
    let r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    // Without the import, the matchers do not exist on expect.
    file('use.ts', "import { system } from 'hypsim';\nexpect(system({ design: 'legacy', cpus: 2 })).toHoldInAllInterleavings();\n");
    r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/Property 'toHoldInAllInterleavings' does not exist/);
  });
});

/** A strict tsconfig for a user's files, resolving 'hypsim' and 'hypsim/jest' to the built declarations. */
function userTsconfig(root: string, files: string[]) {
  return {
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      skipLibCheck: true,
      types: ['jest', 'node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      paths: { hypsim: [join(root, 'dist', 'index.d.ts')], 'hypsim/jest': [join(root, 'dist', 'jest', 'index.d.ts')] } as Record<string, string[]>,
    },
    files,
  };
}

test('the TypeScript examples of docs/api.md and docs/jest.md type-check against the built package', () => {
  const root = join(__dirname, '..', '..');
  // These pages hold what the README's "Tests over all interleavings" section held.
  const section = ['api.md', 'jest.md'].map((f) => readFileSync(join(root, 'docs', f), 'utf8')).join('\n');
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(5);
  const dir = mkdtempSync(join(tmpdir(), 'hypsim-readme-'));
  const files = blocks.map((b, i) => {
    writeFileSync(join(dir, `example${i}.mts`), `${b}\nexport {};\n`);
    return `example${i}.mts`;
  });
  const config = userTsconfig(root, files);
  config.compilerOptions.paths.xstate = [join(root, 'node_modules', 'xstate', 'dist', 'xstate.cjs.d.mts')];
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
});

// A System type is what the matchers take: a helper typed with it compiles.
// biome-ignore lint/suspicious/noExportsInTest: the helper is exported as a user's would be, to type-check that use.
export function holds(sys: System): void {
  expect(sys).toHoldInAllInterleavings();
}
