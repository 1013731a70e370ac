/**
 * The HYP partial-order reduction (actors/hyp-independence.ts) claims things about other actors' future
 * steps that the engine cannot check (docs/soundness.md). So every design and mutant `hypsim list` names is
 * searched with and without it, at small bounds: the same verdict, the same violated invariant and the same
 * bfs counterexample length; and, on the whole graph, the same end states and the same set of broken
 * invariants. `npm run test:por-sweep` runs more bounds (HYPSIM_POR_SWEEP=1).
 */
// The built package (as mutants.spec.ts does): the searches here run several times faster than through the TS sources.
import { allDesigns, explore, InputError, system } from 'hypsim';
import type { WorldView } from '../../bus/spec';
import type { Memory } from '../../mmu/memory';
import { everything } from '../core/graph';

type Bounds = { cpus: number; hotplug: number; vms?: number; cpuPm?: number; hotplugFromBoot?: boolean; layout?: string };

const bounds: Bounds[] = [
  { cpus: 2, hotplug: 1 },
  { cpus: 2, hotplug: 1, vms: 1, cpuPm: 1 },
  { cpus: 2, hotplug: 1, hotplugFromBoot: true },
  { cpus: 3, hotplug: 1 },
  { cpus: 2, hotplug: 1, vms: 1, layout: 'arm64-highmem' },
];
const sweep: Bounds[] = [
  { cpus: 3, hotplug: 1, vms: 1 },
  { cpus: 3, hotplug: 2, vms: 1 },
  { cpus: 3, hotplug: 1, cpuPm: 2 },
  { cpus: 3, hotplug: 2, vms: 2, layout: 'arm64-highmem' },
  { cpus: 3, hotplug: 1, vms: 1, cpuPm: 1, hotplugFromBoot: true },
  { cpus: 2, hotplug: 2, vms: 2, cpuPm: 2 },
  { cpus: 2, hotplug: 1, vms: 1, layout: 'disjoint' },
];
const all = process.env.HYPSIM_POR_SWEEP ? [...bounds, ...sweep] : bounds;

/** A system for the design at the bounds, or null where it refuses them (as `hypsim` would, exit 2). */
function build(design: string, b: Bounds) {
  const d = allDesigns.find((x) => x.name === design);
  try {
    return system({ design, ...b, hotplug: d?.hotplugCpu === 'n' ? 0 : b.hotplug });
  } catch (e) {
    if (e instanceof InputError) return null;
    throw e;
  }
}

const outcome = (r: ReturnType<typeof explore>) => (r.result === 'violation' ? `${r.violation.invariant} in ${r.violation.trace.length} steps` : r.result);

/** End states and broken invariants of the whole graph (no symmetry: keys stay exact), reduced or not, on one engine. */
function graphs(sys: NonNullable<ReturnType<typeof build>>) {
  const engine = sys.engine({ symmetry: false });
  const full = everything(engine, false);
  const reduced = everything(engine, true);
  return { full: { quiet: full.quiet, faults: full.faults }, reduced: { quiet: reduced.quiet, faults: reduced.faults } };
}

const cases = allDesigns.flatMap((d) => all.map((b) => [d.name, b] as const));

describe('POR hides no violation: every design and mutant, with and without the reduction', () => {
  let checked = 0;
  afterAll(() => expect(checked).toBeGreaterThan(cases.length / 2));

  test.each(cases)('%s %j: bfs verdict, invariant and trace length', (design, b) => {
    const sys = build(design, b);
    if (!sys) return;
    const reduced = explore(sys, { por: true });
    // The baseline has no reduction at all at N=2; at N=3 it keeps symmetry (tested on its own), to save time.
    const plain = explore(sys, { por: false, symmetry: b.cpus > 2 });
    expect(outcome(reduced)).toBe(outcome(plain));
    // The reduced search re-searches the full graph for the shortest trace: it must not have given up.
    if (reduced.result === 'violation') expect(reduced.violation.shortest).not.toBe(false);
    expect(reduced.stats.states).toBeLessThanOrEqual(plain.stats.states);
    checked++;
  });

  test.each(allDesigns.map((d) => d.name))('%s: the reduced graph keeps every end state and every broken invariant (N=2)', (design) => {
    for (const b of [bounds[0], bounds[1], bounds[2]]) {
      const sys = build(design, b);
      if (!sys) continue;
      const g = graphs(sys);
      expect(g.reduced).toEqual(g.full);
    }
  });
});

/**
 * The comparison has teeth: an over-eager relation that also proposes a CPU in runtime (its speculative
 * TLB fills and accesses deferred past other actors' later steps, which the engine cannot check) loses a
 * violation that needs such a fill to happen between another CPU's steps, and the comparison above sees it.
 */
test('an unsound proposal (runtime CPUs first) is caught by the same comparison', () => {
  const sys = build('hyp-reset-no-tlbi', { cpus: 2, hotplug: 1, vms: 1, cpuPm: 1 });
  if (!sys?.spec.independent) throw new Error('hyp-reset-no-tlbi must build with a POR relation');
  const sound = sys.spec.independent;
  const eager = (v: WorldView<Memory>, a: number) => (v.actors[a].role === 'cpu' && v.snapshot(a).matches('runtime')) || sound(v, a);
  const full = everything(sys.engine({ symmetry: false }), false);
  const reduced = everything(system({ spec: { ...sys.spec, independent: eager } }).engine({ symmetry: false }), true);
  expect(full.faults).toEqual(new Set(['hyp-up-while-vm', 'wrong-translation']));
  expect(reduced.faults).not.toEqual(full.faults);
  expect(reduced.quiet.size).toBeLessThan(full.quiet.size);
});
