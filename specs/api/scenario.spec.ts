/** Scenarios: pinned steps, held-back steps, unsatisfiable schedules, validation, the CLI's --scenario. */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createMachine } from 'xstate';
import 'hypsim/jest';
import { explore, replay } from '../../api/explore';
import { forAllInterleavings } from '../../api/for-all';
import { system, type System } from '../../api/system';
import type { BusSpec } from '../../bus/spec';
import type { TraceEntry } from '../../bus/trace';
import { ScenarioCheckable } from '../../scenario/product';
import { scenario, type HypEvents, type PinnedStep } from '../../scenario/scenario';
import { compileScenario } from '../../scenario/validate';
import { readScenarioFile } from '../../api/scenario-file';
import { hypsim, tmp, trampolineK1 } from '../cli/helpers';
import { everything } from '../core/graph';
import { noMemory } from '../core/toys';

const examples = join(__dirname, '..', '..', 'examples', 'scenarios');
const cpu1Returns = scenario<HypEvents>().after('kernel', 'FREE_BOOT_HYP_PGD').then('hotplug', 'DOWN', { cpu: 1 }).then('hotplug', 'UP', { cpu: 1 });
const downBeforeKvmUp = scenario<HypEvents>().then('hotplug', 'DOWN').then('kernel', 'KVM_UP');

/** Where each pinned step first happens in a trace (delivery index), in the scenario's sense. */
function positions(trace: readonly TraceEntry[], steps: readonly PinnedStep[]): number[] {
  let from = 0;
  return steps.map((s) => {
    const i = trace.findIndex(
      (e, k) => k >= from && e.to === s.actor && e.event === s.event && Object.entries(s.payload ?? {}).every(([f, v]) => e.payload[f] === v),
    );
    if (i >= 0) from = i + 1;
    return i;
  });
}

describe('a scenario pins part of the schedule', () => {
  const fbp = system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 });

  test('free-boot-pgd, K=1: cpu1 down after the free, then back up, still finds the use-after-free', () => {
    const r = explore(fbp, { scenario: cpu1Returns });
    expect(r.result).toBe('violation');
    expect(r.violation!.invariant).toBe('use-after-free');
    expect(r.symmetry).toBe(false);
    expect(r.scenario!.completed).toBe(true);
    // Checked on every state: BFS finds it on cpu0, which the scenario leaves free, and says how far the pinned steps had got.
    expect(r.scenario!.atViolation).toBe(1);
    expect(r.scenario!.summary).toMatch(/found when 1 of 3 pinned steps had happened/);
    expect(replay(fbp, r.violation!.trace).violation?.invariant).toBe('use-after-free');
  });

  test("check: 'once-complete' gives a counterexample that follows the whole pinned schedule", () => {
    const r = explore(fbp, { scenario: cpu1Returns.checkOnceComplete() });
    expect(r.violation?.invariant).toBe('use-after-free');
    expect(r.scenario!.atViolation).toBe(3);
    const t = r.violation!.trace;
    const at = positions(t, cpu1Returns.steps);
    expect(at.every((p) => p >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(t[t.length - 1].to).toBe('cpu1'); // the CPU that came back walks the freed boot pgd
    expect(r.violation!.message).toMatch(/cpu1 .* virt_to_phys\(NULL\) after free_boot_hyp_pgd\(\) freed boot_hyp_pgd/);
    expect(fbp).toBeViolatedBy('use-after-free', { scenario: cpu1Returns.checkOnceComplete() });
  });

  test('an unsatisfiable scenario is reported as such, never as verified', () => {
    const tramp = system({ design: 'trampoline', cpus: 2, hotplug: 1 });
    const r = explore(tramp, { scenario: downBeforeKvmUp });
    expect(r.result).toBe('unsatisfiable');
    expect(r.violation).toBeNull();
    expect(r.scenario).toMatchObject({ completed: false, neverHappened: [0, 1] });
    expect(r.scenario!.summary).toMatch(/never completed: steps\[0\] \(hotplug DOWN\) never happened; the scenario held back kernel KVM_UP/);
    expect(() => expect(tramp).toHoldInAllInterleavings({ scenario: downBeforeKvmUp })).toThrow(/unsatisfiable scenario/);
    expect(() => expect(tramp).not.toHoldInAllInterleavings({ scenario: downBeforeKvmUp })).toThrow(/unsatisfiable scenario/);
  });

  test('with --hotplug-from-boot the same scenario is satisfiable: v3.10 breaks init-completes, v3.15 holds', () => {
    const v310 = system({ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true });
    expect(v310).toBeViolatedBy('init-completes', { scenario: downBeforeKvmUp });
    const v315 = system({ design: 'trampoline-v3.15', cpus: 2, hotplug: 1, hotplugFromBoot: true });
    const r = explore(v315, { scenario: downBeforeKvmUp });
    expect(r.result).toBe('verified');
    expect(r.scenario!.completed).toBe(true);
  });

  test('pinned steps match the synchronous deliveries of a step too: cpu1 CPU_DOWN is hotplug DOWN {cpu: 1}', () => {
    const a = explore(fbp, { scenario: scenario().then('kernel', 'FREE_BOOT_HYP_PGD').then('cpu1', 'CPU_DOWN').then('cpu1', 'CPU_UP').checkOnceComplete() });
    const b = explore(fbp, { scenario: cpu1Returns.checkOnceComplete() });
    expect(a.violation?.invariant).toBe('use-after-free');
    expect(a.stats.states).toBe(b.stats.states);
    expect(a.violation!.trace).toEqual(b.violation!.trace);
  });

  test('a pattern may repeat: the next occurrence is the next pinned step once its turn has come', () => {
    const twice = scenario().then('hotplug', 'DOWN', { cpu: 1 }).then('hotplug', 'UP', { cpu: 1 }).then('hotplug', 'DOWN', { cpu: 1 });
    const k2 = explore(system({ design: 'trampoline', cpus: 2, hotplug: 2 }), { scenario: twice });
    expect([k2.result, k2.scenario!.completed]).toEqual(['verified', true]);
    const k1 = explore(system({ design: 'trampoline', cpus: 2, hotplug: 1 }), { scenario: twice });
    expect(k1.result).toBe('unsatisfiable'); // one down only
    expect(k1.scenario!.neverHappened).toEqual([2]);
  });

  test('init-completes is checked only where the system has no step left, not where the scenario holds steps back', () => {
    // cpu0's first ERET is held back until a CPU goes down, which cannot happen before KVM is up: cpu0 is
    // stuck in init only because of the scenario. That is an unsatisfiable scenario, not a liveness bug.
    const r = explore(system({ design: 'trampoline', cpus: 2, hotplug: 1 }), { scenario: scenario().then('hotplug', 'DOWN').then('cpu0', 'ERET') });
    expect(r.result).toBe('unsatisfiable');
    expect(r.scenario!.summary).toMatch(/held back cpu0 ERET/);
  });

  test('symmetry is off for scenarios; asking for it is refused', () => {
    expect(() => explore(fbp, { scenario: cpu1Returns, symmetry: true })).toThrow(/breaks CPU symmetry/);
  });

  test('partial-order reduction under a scenario keeps every end state and every violation', () => {
    for (const [sys, scn] of [
      [
        system({ design: 'trampoline', cpus: 3, hotplug: 1, vms: 1 }),
        scenario().then('hotplug', 'DOWN', { cpu: 2 }).then('vm0', 'CREATE_VM').then('hotplug', 'UP', { cpu: 2 }),
      ],
      [fbp, cpu1Returns],
      [system({ design: 'no-tlbi', cpus: 2, hotplug: 1 }), scenario().then('cpu1', 'SWITCH_PGD').then('cpu0', 'SWITCH_PGD')],
      [system({ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true }), downBeforeKvmUp],
    ] as const) {
      const product = () => new ScenarioCheckable(sys.engine({ symmetry: false }), compileScenario(sys, scn));
      const full = everything(product(), false);
      const red = everything(product(), true);
      expect(red.quiet).toEqual(full.quiet);
      expect(red.faults).toEqual(full.faults);
      expect(red.states).toBeLessThanOrEqual(full.states);
      const a = explore(sys, { scenario: scn });
      const b = explore(sys, { scenario: scn, por: false });
      expect([a.result, a.violation?.invariant, a.scenario!.completed]).toEqual([b.result, b.violation?.invariant, b.scenario!.completed]);
    }
  });

  test('random and PCT respect the scenario and shrink within it', () => {
    for (const strategy of ['random', 'pct'] as const) {
      const r = explore(fbp, { strategy, seed: 2, scenario: cpu1Returns.checkOnceComplete() });
      expect(r.violation?.invariant).toBe('use-after-free');
      const at = positions(r.violation!.trace, cpu1Returns.steps);
      expect(at.every((p) => p >= 0)).toBe(true);
      expect([...at].sort((x, y) => x - y)).toEqual(at);
    }
  });
});

/** Two actors, each with one step GO, and a third with one step that must never come between them. */
function tiny(): System {
  const once = createMachine({ initial: 'ready', states: { ready: { on: { GO: 'gone' } }, gone: {} } });
  const spec = noMemory({
    name: 'tiny',
    actors: ['a', 'b', 'c'].map((id) => ({ id, machine: once })),
    offers: (v, a) => (v.snapshot(a).matches('ready') ? [{ type: 'GO' }] : []),
    invariants: [],
    acyclic: true,
  });
  return system({ spec: spec as BusSpec<unknown> });
}

describe('the semantics, on a tiny system', () => {
  const gone = (s: { actors: Record<string, { state: string }> }, id: string) => s.actors[id].state === 'gone';

  /** The reachable states as the set of actors whose GO has happened ('' to 'abc'). */
  const reachable = (scn?: ReturnType<typeof scenario>) => {
    const sets = new Set<string>();
    const r = forAllInterleavings(tiny(), (s) => void sets.add(['a', 'b', 'c'].filter((id) => gone(s, id)).join('')), scn ? { scenario: scn } : {});
    expect(r.complete).toBe(true);
    return [...sets].sort();
  };

  test('pinned steps happen in order; a pinned step is held back until its predecessors happened; others are free', () => {
    expect(reachable()).toEqual(['', 'a', 'ab', 'abc', 'ac', 'b', 'bc', 'c']);
    // b before a: no state where a has gone and b has not; c interleaves freely around them
    expect(reachable(scenario().then('b', 'GO').then('a', 'GO'))).toEqual(['', 'ab', 'abc', 'b', 'bc', 'c']);
  });

  test("'after' gives a partial order: [] is unordered, before(i, j) adds an edge", () => {
    const both = scenario().also('a', 'GO').also('b', 'GO');
    expect(both.toJSON().steps.map((s) => s.after)).toEqual([[], []]);
    expect(reachable(both)).toEqual(['', 'a', 'ab', 'abc', 'ac', 'b', 'bc', 'c']);
    const cFirst = scenario().then('c', 'GO').then('a', 'GO', undefined, { after: [] }).then('b', 'GO', undefined, { after: [] }).before(0, 2);
    expect(cFirst.toJSON().steps.map((s) => s.after)).toEqual([[], [], [0]]);
    expect(reachable(cFirst)).toEqual(['', 'a', 'abc', 'ac', 'bc', 'c']); // b only after c; a anywhere
  });

  test("a persistent set of the system is not used when the scenario holds back one of its actor's steps", () => {
    // x may FREE or PIN, in either order (its end state records which came first); the system declares x
    // independent (it shares nothing). The scenario holds PIN back until y has gone: FREE is x's only
    // step left at first, but reducing to it would lose the runs where y and PIN come before FREE.
    const x = createMachine({
      initial: 'start',
      states: {
        start: { on: { FREE: 'freed', PIN: 'pinned' } },
        freed: { on: { PIN: 'freeFirst' } },
        pinned: { on: { FREE: 'pinFirst' } },
        freeFirst: {},
        pinFirst: {},
      },
    });
    const y = createMachine({ initial: 'ready', states: { ready: { on: { GO: 'gone' } }, gone: {} } });
    const spec = noMemory({
      name: 'por',
      actors: [
        { id: 'x', machine: x },
        { id: 'y', machine: y },
      ],
      offers: (v, a) => {
        const s = v.snapshot(a);
        if (a === 1) return s.matches('ready') ? [{ type: 'GO' }] : [];
        return s.matches('start')
          ? [{ type: 'FREE' }, { type: 'PIN' }]
          : s.matches('freed')
            ? [{ type: 'PIN' }]
            : s.matches('pinned')
              ? [{ type: 'FREE' }]
              : [];
      },
      invariants: [],
      independent: (_v, a) => a === 0,
      acyclic: true,
    });
    const sys = system({ spec: spec as BusSpec<unknown> });
    const scn = scenario().then('y', 'GO').then('x', 'PIN');
    const ends = (por: boolean) => {
      const p = new ScenarioCheckable(sys.engine({ symmetry: false }), compileScenario(sys, scn));
      return [...everything(p, por).quiet].map((k) => p.snapshot(p.decode(k), 0).value).sort();
    };
    expect(ends(false)).toEqual(['freeFirst', 'pinFirst']);
    expect(ends(true)).toEqual(['freeFirst', 'pinFirst']);
  });

  test('forAllInterleavings reports how many pinned steps have happened', () => {
    const seen = new Set<number>();
    forAllInterleavings(tiny(), (s) => void seen.add(s.pinned!), { scenario: scenario().then('c', 'GO').then('a', 'GO') });
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});

describe('scenario validation: one line naming the field and the value', () => {
  const tramp = system({ design: 'trampoline', cpus: 2, hotplug: 1 });
  test.each([
    [{ steps: [{ actor: 'hotplg', event: 'DOWN' }] }, 'scenario: steps[0].actor "hotplg" is not an actor of this system (kernel, cpu0, cpu1, hotplug)'],
    [
      { steps: [{ actor: 'kernel', event: 'FREE_BOOT_HYP_PGD' }] },
      /^scenario: steps\[0\]\.event "FREE_BOOT_HYP_PGD" is not an event kernel takes in this system \(KVM_MMU_INIT, .*KVM_UP.*\)$/,
    ],
    [{ steps: [{ actor: 'hotplug', event: 'DOWN', payload: { cpu: 2 } }] }, 'scenario: steps[0].payload.cpu must be a CPU number from 0 to 1, got 2'],
    [{ steps: [{ actor: 'hotplug', event: 'DOWN', payload: { cpu: '1' } }] }, 'scenario: steps[0].payload.cpu must be a CPU number from 0 to 1, got "1"'],
    [{ steps: [{ actor: 'hotplug', event: 'DOWN', payload: 1 }] }, 'scenario: steps[0].payload must be an object of event fields, got 1'],
    [{ steps: [{ actor: 'hotplug', event: 7 }] }, 'scenario: steps[0].event must be an event type, got 7'],
    [
      {
        steps: [
          { actor: 'hotplug', event: 'UP', after: [1] },
          { actor: 'hotplug', event: 'DOWN' },
        ],
      },
      'scenario: steps[0].after[0] must be empty for the first step, got 1',
    ],
    [
      {
        steps: [
          { actor: 'hotplug', event: 'UP' },
          { actor: 'hotplug', event: 'DOWN', after: [3] },
        ],
      },
      'scenario: steps[1].after[0] must be the index of an earlier step (0 to 0), got 3',
    ],
    [{ steps: [{ actor: 'hotplug', event: 'UP', when: 'now' }] }, 'scenario: steps[0].when is not a pinned-step field (actor, event, payload, from, after)'],
    [
      { steps: [{ actor: 'hotplug', event: 'UP', from: 'kernal' }] },
      'scenario: steps[0].from "kernal" is not an actor of this system (kernel, cpu0, cpu1, hotplug)',
    ],
    [{ steps: [] }, 'scenario: steps must be a non-empty array of pinned steps, got []'],
    [{ step: [] }, 'scenario: step is not a scenario field (steps, description, check)'],
    [{ steps: [{ actor: 'hotplug', event: 'UP' }], check: 'sometimes' }, 'scenario: check must be "always" or "once-complete", got "sometimes"'],
    [[1], 'scenario: must be an object with "steps", got [1]'],
  ])('%j', (input, want) => {
    expect(() => compileScenario(tramp, input)).toThrow(want);
    let msg = '';
    try {
      compileScenario(tramp, input);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg.split('\n')).toHaveLength(1);
  });

  test('the builder and the JSON file say the same thing', () => {
    const file = readScenarioFile(join(examples, 'free-boot-pgd-cpu1-returns.json'), system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 })).spec;
    const built = compileScenario(system({ design: 'free-boot-pgd', cpus: 2, hotplug: 1 }), cpu1Returns.checkOnceComplete()).spec;
    expect(built.steps).toEqual(file.steps);
    expect(built.check).toBe(file.check);
  });
});

describe('hypsim explore --scenario FILE', () => {
  const f = (name: string) => join(examples, name);

  test('pins the schedule: free-boot-pgd with cpu1 coming back, exit 1, JSON with the scenario report', () => {
    const r = hypsim('explore', '--design', 'free-boot-pgd', '--cpus', '2', '--hotplug', '1', '--scenario', f('free-boot-pgd-cpu1-returns.json'), '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      result: 'violation',
      symmetry: false,
      violation: { invariant: 'use-after-free' },
      scenario: { completed: true, atViolation: 3, check: 'once-complete' },
    });
  });

  test('an unsatisfiable scenario: result "unsatisfiable", exit 3; with --hotplug-from-boot it is satisfiable', () => {
    const r = hypsim('explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '1', '--scenario', f('hotplug-before-kvm-up.json'), '--quiet');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/unsatisfiable scenario/);
    expect(r.stdout).toMatch(/scenario: hotplug DOWN → kernel KVM_UP/);
    expect(r.stdout).toMatch(/the pinned schedule never completed/);
    const j = JSON.parse(hypsim('explore', ...trampolineK1, '--scenario', f('hotplug-before-kvm-up.json'), '--json').stdout);
    expect(j.result).toBe('unsatisfiable');
    const b = hypsim('explore', ...trampolineK1, '--hotplug-from-boot', '--scenario', f('hotplug-before-kvm-up.json'), '--quiet');
    expect(b.code).toBe(1);
    expect(b.stdout).toMatch(/init-completes/);
  });

  test('a verified scenario: exit 0', () => {
    const r = hypsim('explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '1', '--vms', '1', '--scenario', f('vm-while-cpu1-offline.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verified — every interleaving the scenario allows holds every invariant/);
  });

  test('bad scenario files: one line on stderr naming the field and value, exit 2', () => {
    const dir = tmp();
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: [string, RegExp][] = [
      [write('actor.json', '{"steps":[{"actor":"cpu7","event":"CPU_UP"}]}'), /steps\[0\]\.actor "cpu7" is not an actor of this system/],
      [
        write('event.json', '{"steps":[{"actor":"hotplug","event":"REMOVE"}]}'),
        /steps\[0\]\.event "REMOVE" is not an event hotplug takes in this system \(DOWN, UP\)/,
      ],
      [
        write('type.json', '{"steps":[{"actor":"hotplug","event":"DOWN","payload":{"cpu":true}}]}'),
        /steps\[0\]\.payload\.cpu must be a CPU number from 0 to 1, got true/,
      ],
      [write('json.json', '{"steps":['), /not valid JSON/],
      [join(dir, 'missing.json'), /cannot be read/],
    ];
    for (const [file, want] of cases) {
      const r = hypsim('explore', '--design', 'trampoline', '--cpus', '2', '--hotplug', '1', '--scenario', file);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^hypsim: scenario file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(r.stderr).toMatch(want);
    }
  });

  test('--help documents --scenario', () => {
    const r = hypsim('explore', '--help');
    expect(r.stdout).toMatch(/--scenario FILE/);
    expect(r.stdout).toMatch(/unsatisfiable/);
  });
});
