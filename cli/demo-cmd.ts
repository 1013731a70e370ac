/**
 * `hypsim demo` (npm start): the seed in three runs. Its two bugs, each for the seed's own reason and each
 * with its shortest counterexample as a timeline: (1) v3.9 on the 1G/3G split, where an idmap entry cached
 * during init shadows cpu0's HYP stack mapped later at the same VA (wrong-translation); (2) v3.9 with the
 * naive hotplug fix, where a CPU that comes back enters HYP at an idmap that kvm_clear_hyp_idmap removed
 * (translation-fault). Then the trampoline design, the seed's fix, verified under hotplug with a VM.
 */
import { explore } from '../api/explore';
import { system, type System } from '../api/system';
import { renderTimeline } from '../report/timeline';
import { formatResult } from './explore-cmd';
import { describeSystem } from './system-flags';

const bugs: readonly { title: string; sys: () => System; want: string }[] = [
  {
    title:
      'Seed bug 1, the TLB collision: "colliding translations" — the idmap VA is also the HYP VA of a runtime page ' +
      "(here cpu0's HYP stack, from high lowmem)",
    sys: () => system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 }),
    want: 'wrong-translation',
  },
  {
    title: 'Seed bug 2, hotplug: a CPU coming back enters HYP at the idmap VA — "we need an idmap which is long gone" (v3.9 + a naive cpu notifier)',
    sys: () => system({ design: 'legacy-hotplug', layout: 'disjoint', cpus: 2, hotplug: 1 }),
    want: 'translation-fault',
  },
];

export function demoCommand(_argv: readonly string[], out: (s: string) => void): number {
  out('hypsim: Arm KVM HYP init, before and after the 2013 revamp (../shared/seed)\n');
  let ok = true;
  for (const b of bugs) {
    const sys = b.sys();
    const r = explore(sys);
    out(`${b.title}\n`);
    out(formatResult(describeSystem(sys), r, (v) => renderTimeline(sys, v.trace, v)));
    out('');
    ok &&= r.result === 'violation' && r.violation?.invariant === b.want;
  }
  out('The fix (v3.10): boot and runtime pgds joined by a trampoline page, TLBIALLH after the switch, a cpu notifier\n');
  const fixed = system({ design: 'trampoline', layout: 'collide', cpus: 4, hotplug: 2, vms: 1 });
  const r = explore(fixed);
  out(formatResult(describeSystem(fixed), r, (v) => renderTimeline(fixed, v.trace, v)));
  return ok && r.result === 'verified' ? 0 : 1;
}
