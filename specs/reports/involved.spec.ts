/**
 * Which actors' steps a Jest failure shows by default: the actors the violation names and the one whose
 * step came last, and those they exchanged messages with. A CPU named by a liveness violation is never hidden.
 */
import { explore } from '../../api/explore';
import { system } from '../../api/system';
import { explainResult } from '../../jest/explain';
import { involvedActors } from '../../report/involved';

const ids = (s: ReturnType<typeof system>) => s.spec.actors.map((a) => a.id);

test('legacy: cpu0 broke it and the kernel drove it; cpu1 is not involved', () => {
  const sys = system({ design: 'legacy', layout: 'collide', cpus: 2 });
  const v = explore(sys).violation!;
  expect(involvedActors(v.trace, ids(sys), v.message)).toEqual(['kernel', 'cpu0']);
});

test('a liveness violation that names a CPU shows that CPU, even when another actor took the last step', () => {
  const sys = system({ design: 'trampoline', cpus: 2, hotplug: 1, hotplugFromBoot: true });
  const v = explore(sys).violation!;
  expect(v.invariant).toBe('init-completes');
  const named = /(cpu\d+)/.exec(v.message)![1];
  expect(v.trace[v.trace.length - 1].to).not.toBe(named);
  const actors = involvedActors(v.trace, ids(sys), v.message);
  expect(actors).toContain(named);
  expect(actors).toContain('hotplug'); // it took the named CPU down
  expect(explainResult(sys, explore(sys), { timeline: 'involved' })).toMatch(new RegExp(`step {2}kern.* ${named} `));
});

test('ids are matched as whole words: cpu1 does not name cpu10', () => {
  const trace = [{ step: 1, from: 'a', to: 'a', event: 'X', payload: {} }];
  expect(involvedActors(trace, ['a', 'cpu1', 'cpu10'], 'cpu10 stuck')).toEqual(['a', 'cpu10']);
});
