/**
 * Front ends ask the system, not `sys.hyp` (docs/architecture.md): what the inspector and the exports show
 * of a model comes from `sys.view` (actors/model-view.ts), and what needs a design and a layout goes through
 * api/recipe.ts, which refuses a system of your own machines in one typed error. A custom system is shown
 * generically, even if an actor declares the role 'cpu'; a HYP system is drawn by its view.
 */
import { createMachine } from 'xstate';
import { explore } from '../../api/explore';
import { recipeOf, requireRecipe } from '../../api/recipe';
import { system } from '../../api/system';
import { checkFlagsMatchTrace } from '../../cli/system-flags';
import { traceSession } from '../../inspector/session';
import { describeSystemOf } from '../../jest/explain';
import { writeFailureTrace } from '../../jest/trace-out';
import { fetchesOf } from '../../report/fetches';
import { reproduceCommand } from '../../report/reproduce';
import { traceFileFor } from '../../report/trace-file';
import { InputError } from '../../util/errors';
import { noMemory } from '../core/toys';

/** Two actors that each step once; the first calls itself a CPU and carries a `va` in its payload. */
function pretender() {
  const m = createMachine({ initial: 'a', context: { tlb: [] }, states: { a: { on: { GO: 'b' } }, b: {} } });
  return system({
    spec: noMemory({
      name: 'pretender',
      actors: [
        { id: 'cpu0', machine: m, role: 'cpu' },
        { id: 'other', machine: m },
      ],
      offers: (view, a) => (view.snapshot(a).matches('a') ? [{ type: 'GO', va: 0x1000, walk: { kind: 'unmapped' } }] : []),
      invariants: [
        {
          id: 'never-both',
          description: 'not both done',
          kind: 'safety',
          check: (v) => (v.snapshot(0).matches('b') && v.snapshot(1).matches('b') ? 'both' : null),
        },
      ],
    }),
  });
}

describe('a system of your own machines is shown generically', () => {
  const sys = pretender();
  const r = explore(sys, { symmetry: false });
  const trace = r.violation?.trace ?? [];

  test('it has no model view and no recipe, and its counterexample is found', () => {
    expect(sys.view).toBeUndefined();
    expect(recipeOf(sys)).toBeUndefined();
    expect(r.violation?.invariant).toBe('never-both');
  });

  test('the inspector shows contexts as text, no page tables, no pages, no translation used', () => {
    const data = traceSession(sys, trace, { source: 'test', title: 't' }).data();
    expect(data.tables.views.every((v) => v.kind === 'other')).toBe(true);
    expect(data.tables.mems).toEqual([{ pgds: [], flags: {} }]);
    expect(data.static.pages).toEqual([]);
    expect(data.static.actors.map((a) => a.kind)).toEqual(['cpu', 'other']);
    expect(data.frames.some((f) => f.used)).toBe(false);
  });

  test('exports label no translation, and the matchers name it by its actors', () => {
    expect(fetchesOf(sys, trace)).toEqual(trace.map(() => null));
    expect(describeSystemOf(sys)).toBe('pretender (cpu0, other)');
  });

  test('what needs a design and a layout refuses it in one typed error, or does without', () => {
    const refused = (f: () => unknown) => {
      expect(f).toThrow(InputError);
      expect(f).toThrow(/needs a HYP system \(design, layout, bounds\) to rebuild; a system of your own machines has none/);
    };
    refused(() => requireRecipe(sys, 'this'));
    refused(() => traceFileFor(sys, null, trace));
    refused(() => checkFlagsMatchTrace('t.json', sys, {}, 'replay'));
    const sampled = explore(sys, { strategy: 'random', seed: 1, symmetry: false });
    expect(sampled.violation?.sample).toBeDefined();
    expect(reproduceCommand(sys, sampled)).toBeNull();
    expect(writeFailureTrace(sys, 'custom', { invariant: 'never-both', message: 'both', trace })).toEqual([]);
  });
});

describe('a HYP system is drawn by its model view', () => {
  const sys = system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 });
  const r = explore(sys);
  const trace = r.violation?.trace ?? [];

  test('CPU panels, the boot and HYP page tables, pages, register names and a translation used', () => {
    const data = traceSession(sys, trace, { source: 'test', title: 't' }).data();
    const cpus = sys.spec.actors.flatMap((a, i) => (a.role === 'cpu' ? [i] : []));
    expect(cpus).toHaveLength(2);
    const last = data.frames[data.frames.length - 1];
    for (const i of cpus) expect(data.tables.views[last.c[i]].kind).toBe('cpu');
    expect(data.tables.mems[last.m].pgds.map((p) => p.key)).toEqual(['boot', 'hyp']);
    expect(data.static.pages[0]).toEqual({ name: 'init page (idmap)', va: '0x80208000', pa: '0x80208000' });
    expect(data.static.profile.httbr).toBe('HTTBR');
    expect(data.frames.some((f) => f.used?.via === 'tlb')).toBe(true);
  });

  test('exports see the stale TLB hit; the summary and recipe come from the system', () => {
    expect(fetchesOf(sys, trace).some((f) => f?.via === 'tlb' && f.stale)).toBe(true);
    expect(describeSystemOf(sys)).toBe('legacy on collide, 2 CPUs, hotplug K=0, 0 VMs');
    expect(requireRecipe(sys, 'this').design.name).toBe('legacy');
  });
});
