/**
 * ../shared/MODEL.md "Mutants": each one knob undone from trampoline, and the checker must catch every one
 * with the violation in its row (collide layout, N=2, K=1). The failure messages name what broke.
 */
import { explore, mutants, renderTimeline, system } from 'hypsim';
import 'hypsim/jest';
import { joined } from '../regexp';

const table: [mutant: string, invariant: string, why: string, timeline: RegExp][] = [
  [
    'no-tlbi',
    'wrong-translation',
    'the idmap entry cached through the boot pgd shadows the runtime page at the same VA',
    /STALE entry, cached at step \d+ through boot_hyp_pgd; hyp_pgd now gives PA 0xc0208000 \(stack cpu0\)/,
  ],
  [
    'no-boot-trampoline',
    'translation-fault',
    'at the jump',
    /JUMP_TRAMPOLINE +fetch VA 0xffff0000: TLB miss, walk boot_hyp_pgd: not mapped ✗ translation-fault/,
  ],
  [
    'no-runtime-trampoline',
    'translation-fault',
    'at the fetch after the TLBI',
    /ERET +fetch VA 0xffff0000: TLB miss, walk hyp_pgd: not mapped ✗ translation-fault/,
  ],
  [
    'free-boot-pgd',
    'use-after-free',
    'when a CPU comes back',
    joined(
      /CPU_UP +powered on; CPU_STARTING[^\n]*\n(?:.*\n)*.*walk of boot_hyp_pgd, which was freed \(HTTBR = virt_to_phys\(NULL\): not a page /,
      /table\) ✗ use-after-free/,
    ),
  ],
  ['no-cpu-notifier', 'init-completes', 'a CPU that comes back never reaches runtime', /CPU_UP +powered on and online; no HYP init on the notifier chain/],
  [
    'tlbi-before-switch',
    'wrong-translation',
    'a speculative fill between the TLBI and the switch survives it',
    /speculative walk \(MMU on, boot_hyp_pgd\): VA 0x80208000 → PA 0x80208000 \(init page\) cached(?:.*\n)*.*STALE entry/,
  ],
];

describe('MODEL.md mutants: every one is caught with its violation', () => {
  test.each(table)('%s → %s: %s', (mutant, invariant, _why, timeline) => {
    const sys = system({ design: mutant, layout: 'collide', cpus: 2, hotplug: 1 });
    expect(sys).toBeViolatedBy(invariant);
    expect(sys).not.toHoldInAllInterleavings();
    // What the matcher would print: the timeline shows the race.
    const r = explore(sys);
    expect(renderTimeline(sys, r.violation!.trace, r.violation)).toMatch(timeline);
  });

  test.each(table)('%s is caught by PCT sampling too, on 3 CPUs', (mutant, invariant) => {
    expect(system({ design: mutant, cpus: 3, hotplug: 1 })).toBeViolatedBy(invariant, { strategy: 'pct', seed: 1 });
  });

  test('the table covers every mutant hypsim lists', () => {
    expect(mutants.map((m) => m.name).sort()).toEqual(table.map(([m]) => m).sort());
  });

  test('the design they mutate holds on the same bounds', () => {
    expect(system({ design: 'trampoline', layout: 'collide', cpus: 2, hotplug: 1 })).toHoldInAllInterleavings();
  });
});
