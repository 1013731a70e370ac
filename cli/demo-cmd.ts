/**
 * `hypsim demo` (npm start): the seed in two runs. The legacy design on the collide layout breaks
 * wrong-translation (shortest counterexample as a timeline); the trampoline design, the seed's fix,
 * holds in every interleaving under hotplug with a VM.
 */
import { explore } from '../api/explore';
import { system } from '../api/system';
import { renderTimeline } from '../report/timeline';
import { formatResult } from './explore-cmd';
import { describeSystem } from './system-flags';

export function demoCommand(_argv: readonly string[], out: (s: string) => void): number {
  out('hypsim: Arm KVM HYP init, before and after the 2013 revamp (../shared/seed)\n');
  const legacy = system({ design: 'legacy', layout: 'collide', cpus: 2, hotplug: 0 });
  const r1 = explore(legacy);
  out(formatResult(describeSystem(legacy), r1, () => renderTimeline(legacy, r1.violation!.trace, r1.violation)));
  out('');
  const fixed = system({ design: 'trampoline', layout: 'collide', cpus: 4, hotplug: 2, vms: 1 });
  const r2 = explore(fixed);
  out(formatResult(describeSystem(fixed), r2, () => renderTimeline(fixed, r2.violation!.trace, r2.violation)));
  return r1.result === 'violation' && r2.result === 'verified' ? 0 : 1;
}
