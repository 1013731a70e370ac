/** The MODEL.md verdict table through the explorer, with every reduction on and off, and its contracts. */
import { explore, replay } from '../../api/explore';
import { system } from '../../api/system';
import { exhaustive } from '../../explore/exhaustive';
import { everything } from '../core/graph';

type Row = [string, Parameters<typeof system>[0], string];
const rows: Row[] = [
  ['legacy, collide, K=0', { design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 }, 'wrong-translation'],
  ['legacy, disjoint, K=0', { design: 'legacy', layout: 'disjoint', cpus: 2, hotplug: 0 }, 'verified'],
  ['legacy, disjoint, K=1', { design: 'legacy', layout: 'disjoint', cpus: 2, hotplug: 1 }, 'init-completes'],
  ['legacy, collide, K=1', { design: 'legacy', layout: 'collide', cpus: 2, hotplug: 1 }, 'wrong-translation'],
  ['trampoline, collide, N=3 K=2 VM', { design: 'trampoline', layout: 'collide', cpus: 3, hotplug: 2, vms: 1 }, 'verified'],
  ['trampoline, disjoint, N=3 K=2 VM', { design: 'trampoline', layout: 'disjoint', cpus: 3, hotplug: 2, vms: 1 }, 'verified'],
  ['trampoline, collide, K=0', { design: 'trampoline', layout: 'collide', cpus: 2, hotplug: 0, vms: 1 }, 'verified'],
  ['trampoline, hotplugFromBoot', { design: 'trampoline', layout: 'collide', cpus: 2, hotplug: 1, hotplugFromBoot: true }, 'init-completes'],
  ['trampoline-v3.15, hotplugFromBoot', { design: 'trampoline-v3.15', layout: 'collide', cpus: 2, hotplug: 1, hotplugFromBoot: true }, 'verified'],
  ['no-tlbi', { design: 'no-tlbi', cpus: 2, hotplug: 1 }, 'wrong-translation'],
  ['no-boot-trampoline', { design: 'no-boot-trampoline', cpus: 2, hotplug: 1 }, 'translation-fault'],
  ['no-runtime-trampoline', { design: 'no-runtime-trampoline', cpus: 2, hotplug: 1 }, 'translation-fault'],
  ['free-boot-pgd', { design: 'free-boot-pgd', cpus: 2, hotplug: 1 }, 'use-after-free'],
  ['no-cpu-notifier', { design: 'no-cpu-notifier', cpus: 2, hotplug: 1 }, 'init-completes'],
  ['tlbi-before-switch', { design: 'tlbi-before-switch', cpus: 2, hotplug: 1 }, 'wrong-translation'],
];

const verdict = (r: ReturnType<typeof explore>) => (r.result === 'violation' ? r.violation!.invariant : r.result);

describe.each([
  ['bfs, symmetry + POR', {}],
  ['no symmetry', { symmetry: false }],
  ['no POR', { por: false }],
  ['dfs', { strategy: 'dfs' as const }],
])('verdict table (%s)', (_name, opts) => {
  test.each(rows)('%s', (_n, sysOpts, want) => {
    const sys = system(sysOpts);
    const r = explore(sys, opts);
    expect(verdict(r)).toBe(want);
    if (r.violation) {
      // Every counterexample replays to the same violation.
      expect(replay(sys, r.violation.trace).violation?.invariant).toBe(want);
    }
  });
});

describe('the explorer', () => {
  test('BFS finds a shortest counterexample: no other strategy finds a shorter one', () => {
    const sys = system({ design: 'no-tlbi', cpus: 2, hotplug: 1 });
    const steps = (r: ReturnType<typeof explore>) => r.violation!.trace[r.violation!.trace.length - 1].step;
    const bfs = explore(sys);
    for (const o of [{ por: false }, { symmetry: false, por: false }, { strategy: 'dfs' as const }])
      expect(steps(explore(sys, o))).toBeGreaterThanOrEqual(steps(bfs));
    expect(steps(explore(sys, { symmetry: false, por: false }))).toBe(steps(bfs));
  });
  test('same options, same JSON apart from seconds and memory', () => {
    const sys = () => system({ design: 'tlbi-before-switch', cpus: 3, hotplug: 1, vms: 1 });
    const norm = (r: ReturnType<typeof explore>) => JSON.stringify({ ...r, stats: { ...r.stats, seconds: 0, peakMemoryMB: 0 } });
    expect(norm(explore(sys()))).toBe(norm(explore(sys())));
    expect(norm(explore(sys(), { strategy: 'pct', seed: 5 }))).toBe(norm(explore(sys(), { strategy: 'pct', seed: 5 })));
  });
  test('random and PCT find the legacy bug and shrink it to a short trace that replays', () => {
    const sys = system({ design: 'legacy', layout: 'collide', cpus: 3, hotplug: 1 });
    for (const strategy of ['random', 'pct'] as const) {
      const r = explore(sys, { strategy, seed: 3 });
      expect(verdict(r)).toBe('wrong-translation');
      expect(replay(sys, r.violation!.trace).violation?.invariant).toBe('wrong-translation');
      expect(r.violation!.trace[r.violation!.trace.length - 1].step).toBeLessThanOrEqual(40);
    }
  });
  test('XState transition() runs once per distinct local state and event; everything else comes from the memo', () => {
    const r = explore(system({ design: 'trampoline', cpus: 4, hotplug: 2, vms: 1 }), { por: false });
    expect(r.stats.transitions).toBeGreaterThan(10_000);
    expect(r.engine.xstateTransitions).toBeLessThan(200);
    expect(r.engine.localStates).toBeLessThan(100);
  });
  test('random cannot prove anything: without a violation it is incomplete', () => {
    const r = explore(system({ design: 'trampoline', cpus: 2, hotplug: 1 }), { strategy: 'random', walks: 20 });
    expect(r.result).toBe('incomplete');
    expect(r.stoppedBy).toBe('walks');
  });
  test('--max-states stops cleanly with partial stats', () => {
    const r = explore(system({ design: 'trampoline', cpus: 4, hotplug: 2, vms: 1 }), { por: false, maxStates: 2000 });
    expect(r.result).toBe('incomplete');
    expect(r.stoppedBy).toBe('max-states');
    expect(r.stats.states).toBeGreaterThanOrEqual(2000);
  });
  test('tracking every VA in the TLBs gives the same verdicts as tracking the volatile ones', () => {
    for (const [, o, want] of rows.filter(([, o]) => (o.cpus ?? 2) <= 2)) expect(verdict(explore(system({ ...o, tlbScope: 'all' })))).toBe(want);
  });
});

describe('partial-order reduction keeps every end state and every violation', () => {
  test.each([
    ['trampoline', 3, 1, 1, false, 0],
    ['trampoline', 2, 2, 1, true, 0],
    ['trampoline-v3.15', 2, 1, 0, true, 0],
    ['no-tlbi', 2, 1, 1, false, 0],
    ['tlbi-before-switch', 3, 1, 0, false, 0],
    ['free-boot-pgd', 2, 1, 0, false, 0],
    ['legacy', 3, 1, 0, false, 0],
    ['hyp-reset', 2, 2, 1, false, 1],
    ['hyp-reset-no-tlbi', 2, 1, 1, false, 1],
    ['merged-idmap', 2, 2, 1, false, 1],
    ['trampoline-v3.15', 2, 1, 1, true, 1],
    ['trampoline', 2, 1, 0, false, 2],
  ] as const)('%s N=%i K=%i M=%i from-boot=%s cpu-pm=%i', (design, cpus, hotplug, vms, hotplugFromBoot, cpuPm = 0) => {
    const sys = system({ design, cpus, hotplug, vms, hotplugFromBoot, cpuPm });
    // One engine for both searches: keys are codes into its dictionaries.
    const engine = sys.engine({ symmetry: false });
    const full = everything(engine, false);
    const red = everything(engine, true);
    expect(red.quiet).toEqual(full.quiet);
    expect(red.faults).toEqual(full.faults);
    expect(red.states).toBeLessThanOrEqual(full.states);
  });
  test('the explorer reports the same verdict with the reductions off (stop at first violation off)', () => {
    const sys = system({ design: 'trampoline', cpus: 3, hotplug: 2, vms: 1 });
    const a = exhaustive(sys.engine({ symmetry: true }), { strategy: 'bfs', seed: 1, por: true });
    const b = exhaustive(sys.engine({ symmetry: false }), { strategy: 'bfs', seed: 1, por: false });
    expect(a.result).toBe('verified');
    expect(b.result).toBe('verified');
    expect(a.stats.states).toBeLessThan(b.stats.states / 5);
  });
});
