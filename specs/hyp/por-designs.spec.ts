/**
 * The partial-order reduction's independence argument lives in the HYP wiring (actors/hyp-system.ts), so
 * it must hold for every design a file can express, not just the presets: for random knob combinations
 * and small bounds, the reduced graph keeps every end state and every violation of the full one; the
 * symmetry-folded graph reaches the same violations.
 */
import fc from 'fast-check';
import { system } from '../../api/system';
import { checkDesign, knobDocs, knobs, trampoline, type Design } from '../../design/design';
import { InputError } from '../../util/errors';
import { everything } from '../core/graph';

const values = (k: (typeof knobs)[number]): string[] | boolean[] => {
  const v = knobDocs[k].values.split(' | ');
  return v[0] === 'true' ? [true, false] : v;
};

const designArb = fc.record(Object.fromEntries(knobs.map((k) => [k, fc.constantFrom(...(values(k) as unknown[]))]))).map(
  // The pKVM knobs mean something only with pgds "pkvm" (checkDesign refuses them elsewhere): keep them on there.
  // kvmCore needs a teardown (hypReset) and no v3.15 registration lock: drawn only where it can hold.
  (knobValues) =>
    ({
      ...trampoline,
      ...knobValues,
      ...(knobValues.pgds === 'pkvm' ? {} : { pkvmIdmap: true, pkvmMmuOff: true }),
      ...(knobValues.hypReset === 'none' || knobValues.hotplugSafeRegistration ? { kvmCore: false } : {}),
      name: 'random',
    }) as Design,
);

test('POR keeps every end state and every violation, and symmetry every violation, for random designs and bounds', () => {
  let checked = 0;
  fc.assert(
    fc.property(
      designArb,
      fc.record({
        layout: fc.constantFrom('collide', 'disjoint', 'arm64-highmem'),
        hotplug: fc.integer({ min: 0, max: 1 }),
        vms: fc.integer({ min: 0, max: 1 }),
        cpuPm: fc.integer({ min: 0, max: 1 }),
        hotplugFromBoot: fc.boolean(),
      }),
      (design, b) => {
        try {
          checkDesign(design);
        } catch (e) {
          if (e instanceof InputError) return; // not a design a file can express
          throw e;
        }
        let sys: ReturnType<typeof system>;
        try {
          // A kernel built without CONFIG_HOTPLUG_CPU takes no CPU down.
          sys = system({ design, cpus: 2, ...b, hotplug: design.hotplugCpu === 'n' ? 0 : b.hotplug });
        } catch (e) {
          if (e instanceof InputError) return; // e.g. a merged pgd on a colliding layout
          throw e;
        }
        const engine = sys.engine({ symmetry: false });
        const full = everything(engine, false);
        const reduced = everything(engine, true);
        expect(reduced.quiet).toEqual(full.quiet);
        expect(reduced.faults).toEqual(full.faults);
        // Symmetry folds CPUs together but reaches the same violations, with and without POR.
        const folded = sys.engine({ symmetry: true });
        expect(everything(folded, false).faults).toEqual(full.faults);
        expect(everything(folded, true).faults).toEqual(full.faults);
        checked++;
      },
    ),
    { numRuns: 600, seed: 20261125 },
  );
  expect(checked).toBeGreaterThan(80);
});
